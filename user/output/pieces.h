/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The pieces every record is made of, each written once against the field
 * sink (output/fields.h) for JSON and OTLP: a task, an endpoint, a place,
 * an exit status, a signal, an errno, a time.  Where the back-ends show a
 * piece differently (other keys, fewer fields) the difference is in the
 * keys given here, never in a second copy of the piece.  The text forms
 * are util/textfmt.h (endpoint, task, time), core/exit_status.h and
 * kw_fmt_errno below.
 */
#ifndef KWHY_OUTPUT_PIECES_H
#define KWHY_OUTPUT_PIECES_H

#include <stdbool.h>
#include <stdint.h>
#include "core/explain.h"
#include "kwhy/events.h"
#include "output/fields.h"
#include "util/buf.h"

/*
 * A task under the name of its role.  JSON: an object, every field of the
 * task (brief: pid, comm, cgroup_id, netns, as in explanations).  OTLP:
 * "process" is the record's own process (process.pid,
 * process.executable.name, process.user.id); any other role is
 * kwhy.<role>.pid and kwhy.<role>.name.
 */
void kw_put_task(struct kw_fields *f, struct kw_key role, const struct kw_task *t, bool brief);
/* JSON only: an array of tasks under json_key (explanations' facts and
 * the sock_holders record) */
void kw_put_task_list(struct kw_fields *f, const char *json_key, const struct kw_task *t,
		      uint32_t n, bool brief);
/* the header's task under its role, or null */
void kw_put_actor(struct kw_fields *f, struct kw_key role, const struct kw_hdr *h);

enum kw_endpoint_form {
	KW_EP_OBJECT,		/* JSON {"family","addr","port","text"}, always */
	KW_EP_TEXT,		/* JSON "10.0.0.5:8001", null when unknown */
};

/* JSON: as form says; OTLP: <prefix>.address and <prefix>.port, left out
 * when unknown (the OTLP key is the prefix: "server", "network.peer") */
void kw_put_endpoint(struct kw_fields *f, struct kw_key key, const struct kw_addr *a,
		     enum kw_endpoint_form form);

/* OTLP: network.transport and network.type (the address's family) */
void kw_put_network(struct kw_fields *f, const char *transport, const struct kw_addr *a);

enum kw_place_kind { KW_PLACE_UNKNOWN, KW_PLACE_HOST, KW_PLACE_SERVICE, KW_PLACE_CONTAINER };

enum kw_place_kind kw_place_kind(const struct kw_place *p);
/* JSON: an object under json_key (null when unknown); OTLP: kwhy.place
 * and the container.*, k8s.* or kwhy.systemd.unit attributes of its kind */
void kw_put_place(struct kw_fields *f, const char *json_key, const struct kw_place *p);

/* the keys an exit status is shown under; NULL keys are left out */
struct kw_exit_keys {
	struct kw_key code, signal, signo, core_dumped;
};

extern const struct kw_exit_keys kw_exit_keys_event;	/* process_exit */
extern const struct kw_exit_keys kw_exit_keys_brief;	/* exit_code, signal */

/* an exit code, or the signal that ended the process (null the other) */
void kw_put_exit_status(struct kw_fields *f, const struct kw_exit_keys *k, uint32_t wait_status);
/* JSON: the name or null; OTLP: the name or "unknown" */
void kw_put_signal(struct kw_fields *f, struct kw_key key, int sig);
/* JSON: the name, the number when it has none, null for 0; OTLP: the
 * name or "errno N", left out for 0 */
void kw_put_errno(struct kw_fields *f, struct kw_key key, int err);
/* RFC 3339 UTC */
void kw_put_time(struct kw_fields *f, struct kw_key key, int64_t wall_ns);

/* "nginx 41", unescaped: for names that are escaped as JSON strings */
void kw_fmt_task_short(struct kw_buf *b, const struct kw_task *t);
/* "ECONNREFUSED", or "errno N" */
void kw_fmt_errno(struct kw_buf *b, int err);

#endif
