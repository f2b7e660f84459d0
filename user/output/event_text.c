// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Events as one line each for a person: local time, a verb, names before
 * numbers, addresses as host:port.  Untrusted strings are escaped
 * (kw_fmt_task).  One function per event type, found through the table
 * in event_kinds.c. */
#include <string.h>
#include "util/textfmt.h"
#include "core/exit_status.h"
#include "core/names.h"
#include "output/event_kinds.h"
#include "output/format.h"
#include "output/pieces.h"

static void text_actor(struct kw_buf *b, const struct kw_hdr *h, const char *none)
{
	if (h->flags & KW_F_TASK)
		kw_fmt_task(b, &h->task);
	else
		kw_buf_puts(b, none);
}

/* the verb, in a column of its own */
static void text_verb(struct kw_buf *b, const char *verb)
{
	size_t n = strlen(verb);

	kw_buf_puts(b, verb);
	for (; n < 13; n++)
		kw_buf_putc(b, ' ');
}

/* the verb, then who did it */
static void text_verb_actor(struct kw_buf *b, const char *verb, const struct kw_hdr *h,
			    const char *none)
{
	text_verb(b, verb);
	text_actor(b, h, none);
}

static void text_netns(struct kw_buf *b, const struct kw_hdr *h)
{
	if (h->flags & KW_F_NETNS)
		kw_buf_printf(b, " [netns %u]", h->netns_ino);
}

/* "10.0.0.5:41000 -> 10.0.0.9:8001" */
static void text_pair(struct kw_buf *b, const struct kw_addr *a, const char *arrow,
		      const struct kw_addr *z)
{
	kw_fmt_endpoint(b, a);
	kw_buf_puts(b, arrow);
	kw_fmt_endpoint(b, z);
}

void kw_text_oom(struct kw_buf *b, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_oom *e = &ev->oom;

	(void)ctx;
	text_verb(b, "OOM-KILL");
	kw_fmt_task(b, &e->victim);
	kw_buf_puts(b, " (rss ");
	kw_fmt_bytes(b, (e->anon_rss_kb + e->file_rss_kb + e->shmem_rss_kb) * 1024);
	kw_buf_puts(b, ")");
	if (e->limit_level != KW_OOM_GLOBAL && e->limit_level < e->nr_levels) {
		const struct kw_oom_level *lv = &e->levels[e->limit_level];

		kw_buf_printf(b, ": memory cgroup %llu%s hit its limit, usage ",
			      (unsigned long long)lv->cgroup_id,
			      e->limit_level ? " (an ancestor of the victim's)" : "");
		kw_fmt_bytes(b, lv->usage_bytes);
		kw_buf_puts(b, " of ");
		kw_fmt_bytes(b, lv->limit_bytes);
	} else {
		kw_buf_puts(b, ": no memory cgroup at its limit (host-wide OOM)");
	}
	kw_buf_puts(b, "; invoked by ");
	text_actor(b, &e->hdr, "?");
}

void kw_text_exit(struct kw_buf *b, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	(void)ctx;
	text_verb_actor(b, "EXIT", &ev->hdr, "?");
	kw_buf_putc(b, ' ');
	kw_exit_status_text(b, ev->exit.exit_code, KW_EXIT_EVENT);
	if (ev->exit.why & KW_EXIT_LISTENER)
		kw_buf_printf(b, " (held %u listening socket%s)", ev->exit.nr_listeners,
			      ev->exit.nr_listeners == 1 ? "" : "s");
	else if (ev->exit.why & KW_EXIT_CLOSED_LISTENER)
		kw_buf_puts(b, " (after closing a listening socket)");
	else if (ev->exit.why & KW_EXIT_AFTER_REFUSAL)
		kw_buf_puts(b, " (after one of its connects was refused)");
}

void kw_text_signal(struct kw_buf *b, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	const char *sig = kw_signal_name(ev->signal.sig);

	(void)ctx;
	kw_buf_printf(b, "SIGNAL       %s from ", sig ?: "?");
	if (ev->signal.from_kernel)
		kw_buf_puts(b, "the kernel in ");
	text_actor(b, &ev->hdr, "?");
	kw_buf_puts(b, " to ");
	kw_fmt_task(b, &ev->signal.target);
}

void kw_text_connect_fail(struct kw_buf *b, const struct kw_event *ev,
			  const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_conn *e = &ev->conn;

	(void)ctx;
	text_verb_actor(b, "CONNECT-FAIL", &e->hdr, "(owner unknown)");
	kw_buf_puts(b, " -> ");
	kw_fmt_endpoint(b, &e->remote);
	kw_buf_puts(b, ": ");
	kw_fmt_errno(b, e->error);
	if (e->reset_received)
		kw_buf_puts(b, " (reset received)");
	text_netns(b, &e->hdr);
}

void kw_text_reset_sent(struct kw_buf *b, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_conn *e = &ev->conn;
	const char *reason = kw_fmt_reset_reason(e, ctx);

	text_verb(b, "RST-SENT");
	text_pair(b, &e->local, " -> ", &e->remote);
	if (!e->state)
		kw_buf_puts(b, ": no socket listens there");
	else
		kw_buf_printf(b, ": socket in %s", kw_tcp_state_name(e->state) ?: "?");
	if (reason)
		kw_buf_printf(b, " (%s)", reason);
	if (e->hdr.flags & KW_F_TASK) {
		kw_buf_puts(b, ", owner ");
		kw_fmt_task(b, &e->hdr.task);
	}
	text_netns(b, &e->hdr);
}

void kw_text_reset_recv(struct kw_buf *b, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_conn *e = &ev->conn;

	(void)ctx;
	text_verb_actor(b, "RST-RECEIVED", &e->hdr, "(owner unknown)");
	kw_buf_puts(b, " ");
	text_pair(b, &e->local, " <- ", &e->remote);
	kw_buf_printf(b, " in %s", kw_tcp_state_name(e->state) ?: "?");
	text_netns(b, &e->hdr);
}

void kw_text_sock_error(struct kw_buf *b, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_conn *e = &ev->conn;

	(void)ctx;
	text_verb_actor(b, "SOCK-ERROR", &e->hdr, "(owner unknown)");
	kw_buf_puts(b, " ");
	text_pair(b, &e->local, " -> ", &e->remote);
	kw_buf_puts(b, ": ");
	kw_fmt_errno(b, e->error);
	text_netns(b, &e->hdr);
}

void kw_text_listen(struct kw_buf *b, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_listen *e = &ev->listen;

	(void)ctx;
	text_verb_actor(b, "LISTEN", &e->hdr, "?");
	kw_buf_puts(b, " on ");
	kw_fmt_endpoint(b, &e->local);
	if (e->local.family == 10)
		kw_buf_puts(b, e->v6only ? " (IPv6 only)" : " (IPv6 and IPv4)");
	kw_buf_printf(b, " backlog %u", e->backlog);
	text_netns(b, &e->hdr);
}

void kw_text_listen_close(struct kw_buf *b, const struct kw_event *ev,
			  const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_listen *e = &ev->listen;

	(void)ctx;
	text_verb(b, "UNLISTEN");
	kw_fmt_endpoint(b, &e->local);
	kw_buf_puts(b, " of ");
	text_actor(b, &e->hdr, "(owner unknown)");
	kw_buf_puts(b, ": ");
	if (e->how == KW_CLOSE_CALL) {
		kw_buf_puts(b, "closed by ");
		kw_fmt_task(b, &e->closer);
	} else if (e->how == KW_CLOSE_EXIT || e->how == KW_CLOSE_KILLED) {
		kw_buf_puts(b, "owner ");
		kw_exit_status_text(b, e->closer_exit_code, KW_EXIT_EVENT);
	} else {
		kw_buf_puts(b, "closed");
	}
	text_netns(b, &e->hdr);
}

void kw_text_bind(struct kw_buf *b, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_bind *e = &ev->bind;

	(void)ctx;
	text_verb_actor(b, "BIND", &e->hdr, "?");
	kw_buf_puts(b, " ");
	kw_fmt_endpoint(b, &e->addr);
	if (e->ret == 0) {
		kw_buf_puts(b, ": ok");
		if (e->addr.port == 0 && e->bound_port)
			kw_buf_printf(b, ", port %u", e->bound_port);
	} else {
		kw_buf_puts(b, ": failed, ");
		kw_fmt_errno(b, -e->ret);
	}
	text_netns(b, &e->hdr);
}

void kw_text_repeat(struct kw_buf *b, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_repeat *e = &ev->repeat;

	(void)ctx;
	kw_buf_printf(b, "REPEAT       %s to ", kw_event_name(e->key.type) ?: "?");
	kw_fmt_endpoint(b, &e->key.dest);
	kw_buf_printf(b, " x%llu more", (unsigned long long)e->count);
	if (e->key.tgid)
		kw_buf_printf(b, " by pid %u", e->key.tgid);
	if (e->key.netns_ino)
		kw_buf_printf(b, " [netns %u]", e->key.netns_ino);
}

void kw_format_text(struct kw_buf *b, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	const struct kw_event_kind *k = kw_event_kind(ev->hdr.type);

	kw_fmt_time_short(b, kw_boot_to_wall(ev->hdr.ts_boot_ns, ctx->boot_to_wall_ns), ctx->utc);
	kw_buf_putc(b, ' ');
	if (k && k->text)
		k->text(b, ev, ctx);
	else
		kw_buf_printf(b, "event type %u", ev->hdr.type);
}

void kw_text_resync(struct kw_buf *b, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	(void)ctx;
	if (ev->resync.phase == KW_RESYNC_BEGIN)
		kw_buf_printf(b, "RESYNC       %llu events lost so far: re-reading the listeners "
			      "from the kernel", (unsigned long long)ev->resync.lost);
	else
		kw_buf_printf(b, "RESYNC       %u listeners re-read; listeners whose close was lost "
			      "are dropped", ev->resync.listeners);
}
