// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The table of event types every output reads: see event_kinds.h. */
#include <string.h>
#include "core/exit_status.h"
#include "core/names.h"
#include "output/event_kinds.h"
#include "output/pieces.h"
#include "util/textfmt.h"

#define ECONNREFUSED_ 111
#define SIGKILL_ 9

static bool exit_failed(const struct kw_event *ev)
{
	return ev->exit.exit_code != 0;
}

static bool signal_is_kill(const struct kw_event *ev)
{
	return ev->signal.sig == SIGKILL_;
}

static bool owner_killed(const struct kw_event *ev)
{
	return ev->listen.how == KW_CLOSE_KILLED;
}

static bool bind_failed(const struct kw_event *ev)
{
	return ev->bind.ret != 0;
}

/* refusals are shown by the explanations they lead to */
static bool not_refused(const struct kw_event *ev)
{
	return ev->conn.error != ECONNREFUSED_;
}

/* titles: short names for a timeline, "OOM kill nginx 41" */

static void title_oom(struct kw_buf *b, const struct kw_event *ev, const struct kw_task *t)
{
	(void)ev;
	kw_buf_puts(b, "OOM kill ");
	kw_fmt_task_short(b, t);
}

static void title_exit(struct kw_buf *b, const struct kw_event *ev, const struct kw_task *t)
{
	kw_buf_puts(b, "exit ");
	if (t)
		kw_fmt_task_short(b, t);
	kw_buf_puts(b, ": ");
	kw_exit_status_text(b, ev->exit.exit_code, KW_EXIT_SHORT);
}

static void title_signal(struct kw_buf *b, const struct kw_event *ev, const struct kw_task *t)
{
	const char *sig = kw_signal_name(ev->signal.sig);

	kw_buf_printf(b, "%s to ", sig ?: "signal");
	kw_fmt_task_short(b, t);
}

static void title_bind(struct kw_buf *b, const struct kw_event *ev, const struct kw_task *t)
{
	kw_buf_puts(b, "bind ");
	kw_fmt_endpoint(b, &ev->bind.addr);
	kw_buf_puts(b, " failed: ");
	kw_fmt_errno(b, -ev->bind.ret);
	if (t) {
		kw_buf_puts(b, " (");
		kw_fmt_task_short(b, t);
		kw_buf_puts(b, ")");
	}
}

static void title_conn(struct kw_buf *b, const char *what, const struct kw_ev_conn *e)
{
	kw_buf_puts(b, what);
	kw_fmt_endpoint(b, &e->remote);
	kw_buf_puts(b, ": ");
	kw_fmt_errno(b, e->error);
}

static void title_connect(struct kw_buf *b, const struct kw_event *ev, const struct kw_task *t)
{
	(void)t;
	title_conn(b, "connect ", &ev->conn);
}

static void title_sock_error(struct kw_buf *b, const struct kw_event *ev, const struct kw_task *t)
{
	(void)t;
	title_conn(b, "socket error ", &ev->conn);
}

static void title_unix_conn(struct kw_buf *b, const struct kw_event *ev, const struct kw_task *t)
{
	(void)t;
	kw_buf_puts(b, "connect unix:");
	kw_fmt_unix_path(b, ev->unix_conn.path, ev->unix_conn.path_len);
	kw_buf_puts(b, ": ");
	kw_fmt_errno(b, -ev->unix_conn.ret);
}

static void title_accept(struct kw_buf *b, const struct kw_event *ev, const struct kw_task *t)
{
	kw_buf_puts(b, "accept: ");
	kw_fmt_errno(b, -ev->accept_fail.ret);
	if (t) {
		kw_buf_puts(b, " (");
		kw_fmt_task_short(b, t);
		kw_buf_puts(b, ")");
	}
}

static void title_accept_queue(struct kw_buf *b, const struct kw_event *ev,
			       const struct kw_task *t)
{
	kw_buf_puts(b, "accept queue full ");
	kw_fmt_endpoint(b, &ev->accept_queue.local);
	if (t) {
		kw_buf_puts(b, " (");
		kw_fmt_task_short(b, t);
		kw_buf_puts(b, ")");
	}
}

static void title_connect_timeout(struct kw_buf *b, const struct kw_event *ev,
				  const struct kw_task *t)
{
	(void)t;
	kw_buf_puts(b, "connect timeout ");
	kw_fmt_endpoint(b, &ev->connect_timeout.remote);
}

static const struct kw_event_kind kinds[KW_EV_MAX] = {
	[KW_EV_OOM_KILL] = {
		.fields = kw_fields_oom, .text = kw_text_oom, .subject = KW_SUBJECT_VICTIM,
		.severity = KW_SEV_ERROR, .instant = "oom", .title = title_oom,
	},
	[KW_EV_PROC_EXIT] = {
		.fields = kw_fields_exit, .text = kw_text_exit, .subject = KW_SUBJECT_ACTOR,
		.severity = KW_SEV_INFO, .warn_if = exit_failed,
		.instant = "exit", .title = title_exit,
	},
	[KW_EV_SIGNAL] = {
		.fields = kw_fields_signal, .text = kw_text_signal, .subject = KW_SUBJECT_TARGET,
		.severity = KW_SEV_INFO, .warn_if = signal_is_kill,
		.instant = "signal", .title = title_signal,
	},
	[KW_EV_LISTEN] = {
		.fields = kw_fields_listen, .text = kw_text_listen, .subject = KW_SUBJECT_ACTOR,
		.severity = KW_SEV_INFO,
	},
	[KW_EV_LISTEN_CLOSE] = {
		.fields = kw_fields_listen_close, .text = kw_text_listen_close,
		.subject = KW_SUBJECT_ACTOR, .severity = KW_SEV_INFO, .warn_if = owner_killed,
	},
	[KW_EV_CONNECT_FAIL] = {
		.fields = kw_fields_connect_fail, .text = kw_text_connect_fail,
		.subject = KW_SUBJECT_ACTOR, .severity = KW_SEV_WARN,
		.instant = "connection", .instant_if = not_refused, .title = title_connect,
	},
	[KW_EV_RESET_SENT] = {
		.fields = kw_fields_reset_sent, .text = kw_text_reset_sent,
		.subject = KW_SUBJECT_ACTOR, .severity = KW_SEV_WARN,
	},
	[KW_EV_RESET_RECV] = {
		.fields = kw_fields_reset_recv, .text = kw_text_reset_recv,
		.subject = KW_SUBJECT_ACTOR, .severity = KW_SEV_WARN,
	},
	[KW_EV_SOCK_ERROR] = {
		.fields = kw_fields_sock_error, .text = kw_text_sock_error,
		.subject = KW_SUBJECT_ACTOR, .severity = KW_SEV_WARN,
		.instant = "connection", .title = title_sock_error,
	},
	[KW_EV_BIND] = {
		.fields = kw_fields_bind, .text = kw_text_bind, .subject = KW_SUBJECT_ACTOR,
		.severity = KW_SEV_INFO, .warn_if = bind_failed,
		.instant = "bind", .instant_if = bind_failed, .title = title_bind,
	},
	[KW_EV_REPEAT] = {
		.fields = kw_fields_repeat, .text = kw_text_repeat, .severity = KW_SEV_DEBUG,
	},
	[KW_EV_CGROUP] = {
		.fields = kw_fields_cgroup, .context = true, .severity = KW_SEV_WARN,
	},
	[KW_EV_MEMCG_PROCS] = {
		.fields = kw_fields_memcg_procs, .context = true, .severity = KW_SEV_WARN,
	},
	[KW_EV_SOCK_HOLDERS] = {
		.fields = kw_fields_sock_holders, .context = true, .severity = KW_SEV_WARN,
	},
	/* shown in the global OOM's explanation, like memcg_procs */
	[KW_EV_RESYNC] = {
		.fields = kw_fields_resync, .text = kw_text_resync, .severity = KW_SEV_WARN,
	},
	[KW_EV_HOST_MEM] = {
		.fields = kw_fields_host_mem, .context = true, .severity = KW_SEV_WARN,
	},
	[KW_EV_UNIX_CONNECT_FAIL] = {
		.fields = kw_fields_unix_conn, .text = kw_text_unix_conn,
		.subject = KW_SUBJECT_ACTOR, .severity = KW_SEV_WARN,
		.instant = "connection", .title = title_unix_conn,
	},
	[KW_EV_CONNECT_NOADDR] = {
		.fields = kw_fields_connect_fail, .text = kw_text_no_port,
		.subject = KW_SUBJECT_ACTOR, .severity = KW_SEV_WARN,
		.instant = "connection", .title = title_connect,
	},
	[KW_EV_ACCEPT_FAIL] = {
		.fields = kw_fields_accept_fail, .text = kw_text_accept_fail,
		.subject = KW_SUBJECT_ACTOR, .severity = KW_SEV_WARN,
		.instant = "connection", .title = title_accept,
	},
	[KW_EV_UNIX_LISTEN] = {
		.fields = kw_fields_unix_listen, .text = kw_text_unix_listen,
		.subject = KW_SUBJECT_ACTOR, .severity = KW_SEV_INFO,
	},
	/* read at a failure, shown in its explanation */
	[KW_EV_UNIX_PATH] = {
		.fields = kw_fields_unix_path, .context = true, .severity = KW_SEV_WARN,
	},
	[KW_EV_PORT_USAGE] = {
		.fields = kw_fields_port_usage, .context = true, .severity = KW_SEV_WARN,
	},
	[KW_EV_FD_USAGE] = {
		.fields = kw_fields_fd_usage, .context = true, .severity = KW_SEV_WARN,
	},
	/* timeouts, packet filters, keep-alive resets: event_timeouts.c */
	[KW_EV_ACCEPT_QUEUE] = {
		.fields = kw_fields_accept_queue, .text = kw_text_accept_queue,
		.subject = KW_SUBJECT_ACTOR, .severity = KW_SEV_WARN,
		.instant = "connection", .title = title_accept_queue,
	},
	[KW_EV_CONNECT_TIMEOUT] = {
		.fields = kw_fields_connect_timeout, .text = kw_text_connect_timeout,
		.subject = KW_SUBJECT_ACTOR, .severity = KW_SEV_WARN,
		.instant = "connection", .title = title_connect_timeout,
	},
	[KW_EV_SYN_FILTERED] = {
		.fields = kw_fields_syn_filtered, .text = kw_text_syn_filtered,
		.severity = KW_SEV_WARN,
	},
	[KW_EV_IDLE_RESET] = {
		.fields = kw_fields_idle_reset, .text = kw_text_idle_reset,
		.subject = KW_SUBJECT_ACTOR, .severity = KW_SEV_WARN,
	},
	/* shown in the accept_queue_full explanation, like sock_holders */
	[KW_EV_LISTEN_QUEUE] = {
		.fields = kw_fields_listen_queue, .context = true, .severity = KW_SEV_WARN,
	},
};

const struct kw_event_kind *kw_event_kind(unsigned int type)
{
	return type < KW_EV_MAX && kinds[type].fields ? &kinds[type] : NULL;
}

const struct kw_task *kw_event_subject(const struct kw_event *ev)
{
	const struct kw_event_kind *k = kw_event_kind(ev->hdr.type);

	switch (k ? k->subject : KW_SUBJECT_ACTOR) {
	case KW_SUBJECT_VICTIM:
		return &ev->oom.victim;
	case KW_SUBJECT_TARGET:
		return &ev->signal.target;
	case KW_SUBJECT_ACTOR:
		return (ev->hdr.flags & KW_F_TASK) ? &ev->hdr.task : NULL;
	default:
		return NULL;
	}
}

enum kw_severity kw_event_severity(const struct kw_event *ev)
{
	const struct kw_event_kind *k = kw_event_kind(ev->hdr.type);

	if (!k)
		return KW_SEV_WARN;
	return k->warn_if && k->warn_if(ev) ? KW_SEV_WARN : k->severity;
}

const char *kw_event_instant(const struct kw_event *ev)
{
	const struct kw_event_kind *k = kw_event_kind(ev->hdr.type);

	if (!k || !k->instant || (k->instant_if && !k->instant_if(ev)))
		return NULL;
	return k->instant;
}
