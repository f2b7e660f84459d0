/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Each event type described once, for every output: what it says (JSON
 * and OTLP fields, the text line), which process it is about, how grave
 * it is and whether a timeline shows it as an instant.  A back-end looks
 * its event up here instead of switching on the type; a new event type is
 * a row here, its fields in event_fields.c and its line in event_text.c.
 */
#ifndef KWHY_OUTPUT_EVENT_KINDS_H
#define KWHY_OUTPUT_EVENT_KINDS_H

#include <stdbool.h>
#include <stdint.h>
#include "core/event.h"
#include "output/fields.h"
#include "output/format.h"
#include "util/buf.h"

/* OpenTelemetry SeverityNumber */
enum kw_severity {
	KW_SEV_DEBUG = 5,
	KW_SEV_INFO = 9,
	KW_SEV_WARN = 13,
	KW_SEV_ERROR = 17,
};

/* which process an event is about */
enum kw_subject {
	KW_SUBJECT_NONE,
	KW_SUBJECT_ACTOR,	/* the header's task, when it has one */
	KW_SUBJECT_VICTIM,	/* an OOM kill's victim */
	KW_SUBJECT_TARGET,	/* a signal's target */
};

typedef void kw_fields_fn(struct kw_fields *f, const struct kw_event *ev,
			  const struct kw_fmt_ctx *ctx);
typedef void kw_text_fn(struct kw_buf *b, const struct kw_event *ev, const struct kw_fmt_ctx *ctx);
typedef bool kw_event_test_fn(const struct kw_event *ev);
typedef void kw_title_fn(struct kw_buf *b, const struct kw_event *ev,
			 const struct kw_task *subject);

struct kw_event_kind {
	kw_fields_fn *fields;		/* JSON and OTLP, after the record's head */
	kw_text_fn *text;		/* the text line after its time */
	enum kw_subject subject;
	/* cgroup records: context for the other events, not news; text and
	 * OTLP leave them out */
	bool context;
	enum kw_severity severity;
	kw_event_test_fn *warn_if;	/* raises severity to WARN; NULL: never */
	/* Perfetto: the category of its instant, NULL for none; shown when
	 * instant_if says so (NULL: always), named by title */
	const char *instant;
	kw_event_test_fn *instant_if;
	kw_title_fn *title;
};

/* the description of a type, NULL for a type this build does not know */
const struct kw_event_kind *kw_event_kind(unsigned int type);
/* the process ev is about, NULL for none */
const struct kw_task *kw_event_subject(const struct kw_event *ev);
enum kw_severity kw_event_severity(const struct kw_event *ev);
/* Perfetto: the category of ev's instant, NULL when it has none */
const char *kw_event_instant(const struct kw_event *ev);

/* the rows' functions: event_fields.c */
kw_fields_fn kw_fields_oom, kw_fields_exit, kw_fields_signal, kw_fields_listen,
	kw_fields_listen_close, kw_fields_connect_fail, kw_fields_reset_sent, kw_fields_reset_recv,
	kw_fields_sock_error, kw_fields_bind, kw_fields_repeat, kw_fields_cgroup, kw_fields_memcg_procs,
	kw_fields_sock_holders, kw_fields_host_mem, kw_fields_resync;
/* event_timeouts.c */
kw_fields_fn kw_fields_accept_queue, kw_fields_connect_timeout, kw_fields_syn_filtered,
	kw_fields_idle_reset, kw_fields_listen_queue;
kw_text_fn kw_text_accept_queue, kw_text_connect_timeout, kw_text_syn_filtered,
	kw_text_idle_reset;
/* event_text.c */
kw_text_fn kw_text_oom, kw_text_exit, kw_text_signal, kw_text_listen, kw_text_listen_close,
	kw_text_connect_fail, kw_text_reset_sent, kw_text_reset_recv, kw_text_sock_error,
	kw_text_bind, kw_text_repeat, kw_text_resync;
/* event_sys.c */
kw_fields_fn kw_fields_unix_conn, kw_fields_accept_fail, kw_fields_unix_listen,
	kw_fields_unix_path, kw_fields_port_usage, kw_fields_fd_usage;
kw_text_fn kw_text_unix_conn, kw_text_no_port, kw_text_accept_fail, kw_text_unix_listen;

#endif
