// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The fields (JSON and OTLP) and text lines of the events about timeouts,
 * packet filters and keep-alive resets: accept_queue_overflow,
 * connect_timeout, syn_filtered, reset_after_close and listen_queue
 * (docs/json-schema.md).  Rows of the table in event_kinds.c.
 */
#include <string.h>
#include "core/names.h"
#include "output/event_kinds.h"
#include "output/pieces.h"

#define MS(ns) ((ns) / 1000000)

/* a duration in ms, null when unknown (0) */
static void ms_or_null(struct kw_fields *f, struct kw_key key, uint64_t ns)
{
	if (ns)
		kw_f_u64(f, key, MS(ns));
	else
		kw_f_null(f, key);
}

/* an age in ms, null when the socket did not have it */
static void ago(struct kw_fields *f, struct kw_key key, bool known, uint64_t ns)
{
	if (known)
		kw_f_u64(f, key, MS(ns));
	else
		kw_f_null(f, key);
}

static void text_verb(struct kw_buf *b, const char *verb)
{
	kw_buf_printf(b, "%-13s", verb);
}

static void text_owner(struct kw_buf *b, const struct kw_hdr *h)
{
	if (h->flags & KW_F_TASK)
		kw_fmt_task(b, &h->task);
	else
		kw_buf_puts(b, "(owner unknown)");
}

static void text_netns(struct kw_buf *b, const struct kw_hdr *h)
{
	if (h->flags & KW_F_NETNS)
		kw_buf_printf(b, " [netns %u]", h->netns_ino);
}

/* ---- accept_queue_overflow ---- */

void kw_fields_accept_queue(struct kw_fields *f, const struct kw_event *ev,
			    const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_accept_queue *e = &ev->accept_queue;

	(void)ctx;
	kw_put_actor(f, KW_JSON_ONLY("owner"), &e->hdr);
	kw_put_endpoint(f, KW_KEY("local", "server"), &e->local, KW_EP_OBJECT);
	kw_put_endpoint(f, KW_KEY("remote", "client"), &e->remote, KW_EP_OBJECT);
	kw_put_network(f, "tcp", &e->local);
	kw_f_u64(f, KW_KEY("queued", "kwhy.accept_queue.queued"), e->queued);
	kw_f_u64(f, KW_KEY("max_backlog", "kwhy.accept_queue.max"), e->max_backlog);
	ms_or_null(f, KW_JSON_ONLY("oldest_wait_ms"), e->oldest_wait_ns);
	kw_f_str(f, KW_JSON_ONLY("source"), kw_aq_source_name(e->source));
}

void kw_text_accept_queue(struct kw_buf *b, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_accept_queue *e = &ev->accept_queue;

	(void)ctx;
	text_verb(b, "ACCEPTQ-FULL");
	kw_fmt_endpoint(b, &e->local);
	kw_buf_puts(b, " of ");
	text_owner(b, &e->hdr);
	kw_buf_printf(b, ": accept queue %u/%u, ", e->queued, e->max_backlog);
	kw_buf_puts(b, e->source == KW_AQ_LISTEN_OVERFLOW ? "handshake ACK of " :
		    "SYN-ACK resent to ");
	kw_fmt_endpoint(b, &e->remote);
	kw_buf_puts(b, e->source == KW_AQ_LISTEN_OVERFLOW ? " dropped" : "");
	if (e->oldest_wait_ns) {
		kw_buf_puts(b, "; oldest waiting ");
		kw_fmt_duration(b, e->oldest_wait_ns);
	}
	text_netns(b, &e->hdr);
}

/* ---- connect_timeout ---- */

void kw_fields_connect_timeout(struct kw_fields *f, const struct kw_event *ev,
			       const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_connect_timeout *e = &ev->connect_timeout;

	(void)ctx;
	kw_put_actor(f, KW_JSON_ONLY("owner"), &e->hdr);
	kw_put_endpoint(f, KW_KEY("local", "network.local"), &e->local, KW_EP_OBJECT);
	kw_put_endpoint(f, KW_KEY("remote", "server"), &e->remote, KW_EP_OBJECT);
	kw_put_network(f, "tcp", &e->remote);
	kw_put_errno(f, KW_KEY("error", "error.type"), e->error);
	kw_f_str(f, KW_KEY("given_up_by", "kwhy.given_up_by"), e->error ? "kernel" : "program");
	kw_f_u64(f, KW_KEY("syn_retransmits", "kwhy.syn_retransmits"), e->syn_retransmits);
	kw_f_u64(f, KW_KEY("waited_ms", "kwhy.waited_ms"), MS(e->waited_ns));
}

void kw_text_connect_timeout(struct kw_buf *b, const struct kw_event *ev,
			     const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_connect_timeout *e = &ev->connect_timeout;

	(void)ctx;
	text_verb(b, "CONN-TIMEOUT");
	text_owner(b, &e->hdr);
	kw_buf_puts(b, " -> ");
	kw_fmt_endpoint(b, &e->remote);
	kw_buf_printf(b, ": no answer, %u SYN retransmit%s, ", e->syn_retransmits,
		      e->syn_retransmits == 1 ? "" : "s");
	kw_buf_puts(b, e->error ? "the kernel gave up after " : "the program gave up after ");
	kw_fmt_duration(b, e->waited_ns);
	text_netns(b, &e->hdr);
}

/* ---- syn_filtered ---- */

static const char *drop_reason(const struct kw_ev_syn_filtered *e, const struct kw_fmt_ctx *ctx)
{
	return ctx->drop_reasons ? kw_enum_name(ctx->drop_reasons, e->reason) : NULL;
}

void kw_fields_syn_filtered(struct kw_fields *f, const struct kw_event *ev,
			    const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_syn_filtered *e = &ev->syn_filtered;
	struct kw_json *j = kw_fields_json_only(f);

	kw_put_endpoint(f, KW_KEY("local", "server"), &e->local, KW_EP_OBJECT);
	kw_put_endpoint(f, KW_KEY("remote", "client"), &e->remote, KW_EP_OBJECT);
	kw_put_network(f, "tcp", &e->local);
	kw_f_str(f, KW_KEY("reason", "kwhy.drop_reason"), drop_reason(e, ctx));
	kw_f_u64(f, KW_JSON_ONLY("reason_code"), e->reason);
	if (j && e->icmp_type != KW_ICMP_NONE) {
		kw_json_obj_begin(j, "icmp");
		kw_json_u64(j, "type", e->icmp_type);
		kw_json_u64(j, "code", e->icmp_code);
		kw_json_obj_end(j);
	} else if (j) {
		kw_json_null(j, "icmp");
	}
	kw_f_bool(f, KW_KEY("retransmit", "kwhy.retransmit"), e->retransmit);
	kw_f_u64(f, KW_JSON_ONLY("seq"), e->seq);
}

void kw_text_syn_filtered(struct kw_buf *b, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_syn_filtered *e = &ev->syn_filtered;

	text_verb(b, "SYN-FILTERED");
	kw_fmt_endpoint(b, &e->remote);
	kw_buf_puts(b, " -> ");
	kw_fmt_endpoint(b, &e->local);
	kw_buf_printf(b, ": dropped by a packet filter (%s)", drop_reason(e, ctx) ?: "?");
	if (e->icmp_type != KW_ICMP_NONE)
		kw_buf_printf(b, ", ICMP type %u code %u sent", e->icmp_type, e->icmp_code);
	if (e->retransmit)
		kw_buf_puts(b, ", a retried SYN: the client got no answer");
	text_netns(b, &e->hdr);
}

/* ---- reset_after_close ---- */

void kw_fields_idle_reset(struct kw_fields *f, const struct kw_event *ev,
			  const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_idle_reset *e = &ev->idle_reset;

	(void)ctx;
	kw_put_actor(f, KW_JSON_ONLY("owner"), &e->hdr);
	kw_put_endpoint(f, KW_KEY("local", "network.local"), &e->local, KW_EP_OBJECT);
	kw_put_endpoint(f, KW_KEY("remote", "network.peer"), &e->remote, KW_EP_OBJECT);
	kw_put_network(f, "tcp", &e->remote);
	kw_f_str(f, KW_KEY("tcp_state", "kwhy.tcp_state"), kw_tcp_state_name(e->state));
	ago(f, KW_KEY("fin_ago_ms", "kwhy.fin_ago_ms"), e->known & KW_IDLE_FIN, e->fin_ago_ns);
	ago(f, KW_JSON_ONLY("last_recv_ago_ms"), e->known & KW_IDLE_RECV, e->last_recv_ago_ns);
	ago(f, KW_KEY("last_send_ago_ms", "kwhy.last_send_ago_ms"), e->known & KW_IDLE_SEND,
	    e->last_send_ago_ns);
	kw_f_bool(f, KW_KEY("wrote_after_fin", "kwhy.wrote_after_fin"),
		  (e->known & KW_IDLE_SEND) && (e->known & KW_IDLE_FIN) &&
		  e->last_send_ago_ns < e->fin_ago_ns);
	kw_f_u64(f, KW_JSON_ONLY("bytes_received"), e->bytes_received);
	kw_f_u64(f, KW_JSON_ONLY("bytes_sent"), e->bytes_sent);
	ms_or_null(f, KW_JSON_ONLY("conn_age_ms"), e->conn_age_ns);
}

void kw_text_idle_reset(struct kw_buf *b, const struct kw_event *ev, const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_idle_reset *e = &ev->idle_reset;

	(void)ctx;
	text_verb(b, "RST-CLOSED");
	text_owner(b, &e->hdr);
	kw_buf_puts(b, " ");
	kw_fmt_endpoint(b, &e->local);
	kw_buf_puts(b, " <- ");
	kw_fmt_endpoint(b, &e->remote);
	kw_buf_puts(b, ": the peer's FIN came ");
	kw_fmt_duration(b, e->fin_ago_ns);
	kw_buf_puts(b, " before");
	if (e->known & KW_IDLE_SEND) {
		kw_buf_puts(b, ", this side last wrote ");
		kw_fmt_duration(b, e->last_send_ago_ns);
		kw_buf_puts(b, " before");
	}
	text_netns(b, &e->hdr);
}

/* ---- listen_queue ---- */

void kw_fields_listen_queue(struct kw_fields *f, const struct kw_event *ev,
			    const struct kw_fmt_ctx *ctx)
{
	const struct kw_ev_listen_queue *e = &ev->listen_queue;

	(void)ctx;
	kw_put_endpoint(f, KW_JSON_ONLY("local"), &e->local, KW_EP_OBJECT);
	kw_f_bool(f, KW_JSON_ONLY("found"), e->found);
	if (e->found) {
		kw_f_u64(f, KW_JSON_ONLY("queued"), e->queued);
		/* without sock_diag: /proc/net/tcp does not print it */
		if (e->backlog_unknown)
			kw_f_null(f, KW_JSON_ONLY("max_backlog"));
		else
			kw_f_u64(f, KW_JSON_ONLY("max_backlog"), e->max_backlog);
		kw_f_u64(f, KW_JSON_ONLY("sock_ino"), e->sock_ino);
	} else {
		kw_f_null(f, KW_JSON_ONLY("queued"));
		kw_f_null(f, KW_JSON_ONLY("max_backlog"));
		kw_f_null(f, KW_JSON_ONLY("sock_ino"));
	}
	if (e->counters_read) {
		kw_f_u64(f, KW_JSON_ONLY("listen_overflows"), e->listen_overflows);
		kw_f_u64(f, KW_JSON_ONLY("listen_drops"), e->listen_drops);
	} else {
		kw_f_null(f, KW_JSON_ONLY("listen_overflows"));
		kw_f_null(f, KW_JSON_ONLY("listen_drops"));
	}
	kw_f_u64(f, KW_JSON_ONLY("total"), e->total);
	kw_put_task_list(f, "holders", e->holders, e->nr < KW_HOLDERS_MAX ? e->nr : KW_HOLDERS_MAX,
			 true);
}
