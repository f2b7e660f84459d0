// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The sentences and fixes of explain_net.c's causes, from the facts
 * alone.  Strings from the host (comm, container names) are escaped by
 * kw_fmt_task and kw_place_text. */
#include <string.h>
#include "core/explain.h"
#include "core/names.h"
#include "util/textfmt.h"

const char *kw_fw_mode_name(uint8_t mode)
{
	switch (mode) {
	case KW_FW_TCP_RESET:	return "tcp-reset";
	case KW_FW_ICMP:	return "icmp";
	case KW_FW_DROP:	return "drop";
	default:		return NULL;
	}
}

/* "gunicorn pid 41 (held by gunicorn pid 41 and 1 more)" */
static void listener_who(struct kw_buf *t, const struct kw_explanation *ex)
{
	const struct kw_ev_listen_queue *q = &ex->net.queue;
	bool owner = ex->net.listener_known && ex->net.listener.owner_known;

	if (owner)
		kw_fmt_task(t, &ex->net.listener.owner);
	if (ex->net.queue_known && q->nr) {
		kw_buf_puts(t, owner ? ", held by " : "held by ");
		kw_fmt_task(t, &q->holders[0]);
		if (q->total > 1)
			kw_buf_printf(t, " and %u more", q->total - 1);
	} else if (!owner) {
		kw_buf_puts(t, "owner unknown");
	}
}

/* "its accept queue is full: 3 waiting, backlog 2" */
static void queue_text(struct kw_buf *t, const struct kw_explanation *ex)
{
	const struct kw_ev_listen_queue *q = &ex->net.queue;
	const struct kw_ev_accept_queue *o = &ex->net.overflow;
	uint32_t backlog;

	kw_buf_puts(t, "its accept queue is full");
	if (ex->net.queue_known && kw_ex_queue_backlog(&ex->net, &backlog))
		kw_buf_printf(t, " (%u waiting for accept(), backlog %u)", q->queued, backlog);
	else if (ex->net.queue_known)
		kw_buf_printf(t, " (%u waiting for accept(), backlog unknown)", q->queued);
	else if (ex->net.overflow_known)
		kw_buf_printf(t, " (%u waiting for accept(), backlog %u)", o->queued, o->max_backlog);
	kw_buf_puts(t, ": the kernel drops SYNs and handshakes instead of answering them");
	if (ex->net.queue_known && q->counters_read) {
		kw_buf_printf(t, " (ListenOverflows %llu", (unsigned long long)q->listen_overflows);
		if (ex->net.overflows_before_known && q->listen_overflows >= ex->net.overflows_before)
			kw_buf_printf(t, ", +%llu since the read before",
				      (unsigned long long)(q->listen_overflows -
							   ex->net.overflows_before));
		kw_buf_printf(t, ", ListenDrops %llu in its network namespace)",
			      (unsigned long long)q->listen_drops);
	}
	if (ex->net.overflow_known && o->oldest_wait_ns) {
		kw_buf_puts(t, "; the oldest connection in it has waited ");
		kw_fmt_duration(t, o->oldest_wait_ns);
		kw_buf_puts(t, " for accept()");
	}
}

/* "nginx pid 50 (1 SYN retransmit, gave up after 2.0 s)" */
static void client_text(struct kw_buf *t, const struct kw_timeout_rec *c)
{
	if (c->client_known)
		kw_fmt_task(t, &c->client);
	else
		kw_fmt_endpoint(t, &c->local);
	kw_buf_printf(t, " (%u SYN retransmit%s, %s after ", c->syn_retransmits,
		      c->syn_retransmits == 1 ? "" : "s",
		      c->error ? "the kernel gave up" : "it gave up");
	kw_fmt_duration(t, c->waited_ns);
	kw_buf_putc(t, ')');
}

static void render_accept_queue(struct kw_explanation *ex, struct kw_buf *t, struct kw_buf *f)
{
	kw_fmt_endpoint(t, &ex->dest);
	kw_buf_puts(t, " (");
	listener_who(t, ex);
	kw_buf_putc(t, ')');
	kw_place_in(t, &ex->place);
	kw_buf_puts(t, " is not accepting connections fast enough: ");
	queue_text(t, ex);
	if (ex->net.overflow_known && !ex->net.nr_clients) {
		kw_buf_puts(t, "; the handshake of ");
		kw_fmt_endpoint(t, &ex->net.overflow.remote);
		kw_buf_puts(t, " stalled");
	}
	if (ex->net.nr_clients) {
		kw_buf_puts(t, "; connects that timed out: ");
		for (uint32_t i = 0; i < ex->net.nr_clients; i++) {
			if (i)
				kw_buf_puts(t, ", ");
			client_text(t, &ex->net.clients[i]);
		}
		if (ex->net.clients_total > ex->net.nr_clients)
			kw_buf_printf(t, " and %u more", ex->net.clients_total - ex->net.nr_clients);
	}
	kw_buf_puts(f, "its workers are all busy or stuck: add workers or make them faster (a "
		    "slow request holds a sync worker), find what blocks accept(), and raise the "
		    "backlog (listen(), capped by net.core.somaxconn) only to absorb bursts");
}

static void render_timeout(struct kw_explanation *ex, struct kw_buf *t, struct kw_buf *f)
{
	const struct kw_timeout_rec *c = &ex->net.conn;

	if (c->client_known)
		kw_fmt_task(t, &c->client);
	else
		kw_buf_puts(t, "a process");
	kw_place_in(t, &ex->place);
	kw_buf_puts(t, ": its connect to ");
	kw_fmt_endpoint(t, &ex->dest);
	kw_buf_printf(t, " got no answer: %u SYN retransmit%s, then %s after ", c->syn_retransmits,
		      c->syn_retransmits == 1 ? "" : "s",
		      c->error ? "the kernel gave up (ETIMEDOUT)" : "it gave up");
	kw_fmt_duration(t, c->waited_ns);
	switch (ex->net.server_cause) {
	case KW_CAUSE_ACCEPT_QUEUE_FULL:
		kw_buf_puts(t, "; the listener there (");
		listener_who(t, ex);
		kw_buf_puts(t, ") is not accepting: ");
		queue_text(t, ex);
		if (ex->net.server_explanation)
			kw_buf_printf(t, " (explanation #%llu)",
				      (unsigned long long)ex->net.server_explanation);
		kw_buf_puts(f, "the server is saturated: see its accept_queue_full explanation (add "
			    "workers, make requests faster); a client timeout only hides it");
		break;
	case KW_CAUSE_FIREWALL_DROP:
		kw_buf_printf(t, "; a packet filter on this host dropped its SYNs (%u seen)",
			      ex->net.syns_dropped);
		if (ex->net.listener_known) {
			kw_buf_puts(t, " while ");
			if (ex->net.listener.owner_known)
				kw_fmt_task(t, &ex->net.listener.owner);
			else
				kw_buf_puts(t, "a socket");
			kw_buf_puts(t, " listens there");
		}
		if (ex->net.server_explanation)
			kw_buf_printf(t, " (explanation #%llu)",
				      (unsigned long long)ex->net.server_explanation);
		kw_buf_puts(f, "a DROP rule matches this traffic: allow it (nft list ruleset, "
			    "iptables -S in the server's network namespace)");
		break;
	default:
		if (ex->net.listener_here) {
			kw_buf_puts(t, "; ");
			if (ex->net.listener.owner_known)
				kw_fmt_task(t, &ex->net.listener.owner);
			else
				kw_buf_puts(t, "a socket");
			kw_buf_puts(t, " listens there and its queue was not seen full: the SYNs or "
				    "their answers were lost on the way");
			kw_buf_puts(f, "check the path between them (packet loss, a filter on "
				    "another hop) and the listener's host");
		} else {
			kw_buf_puts(t, "; nothing on this host listens there: the host is down or "
				    "unreachable, the address is wrong, or a firewall on the way "
				    "drops the SYNs");
			kw_buf_puts(f, "check that the server is up and reachable from here (its "
				    "address, routes, firewalls on the way)");
		}
		break;
	}
}

static void render_firewall(struct kw_explanation *ex, struct kw_buf *t, struct kw_buf *f)
{
	const struct kw_ev_syn_filtered *s = &ex->net.syn;

	kw_buf_puts(t, "a packet filter on this host ");
	kw_buf_puts(t, ex->cause == KW_CAUSE_FIREWALL_DROP ? "dropped" : "refused");
	kw_buf_puts(t, " the connection to ");
	kw_fmt_endpoint(t, &ex->dest);
	kw_place_in(t, &ex->place);
	kw_buf_puts(t, " from ");
	if (ex->client_known) {
		kw_fmt_task(t, &ex->client_task);
		kw_buf_puts(t, " (");
		kw_fmt_endpoint(t, &ex->client);
		kw_buf_putc(t, ')');
	} else {
		kw_fmt_endpoint(t, &ex->client);
	}
	switch (ex->net.fw_mode) {
	case KW_FW_TCP_RESET:
		kw_buf_puts(t, ex->net.fw_mode_inferred ?
			    ": a reject with a reset (the client did not send its SYN again)" :
			    ": reject with tcp reset (the client got a reset no socket sent)");
		break;
	case KW_FW_ICMP:
		if (s->icmp_type != KW_ICMP_NONE)
			kw_buf_printf(t, ": reject with an ICMP error (type %u code %u%s)",
				      s->icmp_type, s->icmp_code,
				      s->icmp_type == 3 && s->icmp_code == 3 ? ", port unreachable" :
				      s->icmp_type == 3 && s->icmp_code == 13 ?
				      ", administratively prohibited" : "");
		else
			kw_buf_puts(t, ": reject with an ICMP error (refused without a reset)");
		break;
	case KW_FW_DROP:
		kw_buf_printf(t, ": its SYNs were dropped silently (%u seen), the client got no "
			      "answer", ex->net.syns_dropped);
		break;
	default:
		kw_buf_puts(t, ": how the client was answered is not seen (it is not on this host)");
		break;
	}
	if (ex->net.listener_known) {
		kw_buf_puts(t, "; ");
		if (ex->net.listener.owner_known)
			kw_fmt_task(t, &ex->net.listener.owner);
		else
			kw_buf_puts(t, "a socket");
		kw_buf_puts(t, " listens on ");
		kw_fmt_endpoint(t, &ex->net.listener.local);
		kw_buf_puts(t, ": the service is up");
	} else {
		kw_buf_puts(t, "; nothing listens there either");
	}
	kw_buf_puts(f, "a firewall rule (nftables/iptables in that network namespace: nft list "
		    "ruleset, iptables -S) ");
	kw_buf_puts(f, ex->cause == KW_CAUSE_FIREWALL_DROP ? "drops" : "rejects");
	kw_buf_puts(f, " this traffic: allow this client, or fix the rule");
}

static void render_keepalive(struct kw_explanation *ex, struct kw_buf *t, struct kw_buf *f)
{
	const struct kw_ev_idle_reset *e = &ex->net.idle;

	kw_buf_puts(t, "the peer ");
	kw_fmt_endpoint(t, &ex->dest);
	kw_buf_puts(t, " reset the reused connection from ");
	kw_fmt_endpoint(t, &ex->client);
	if (ex->client_known) {
		kw_buf_puts(t, " (");
		kw_fmt_task(t, &ex->client_task);
		kw_buf_putc(t, ')');
	}
	kw_place_in(t, &ex->place);
	kw_buf_puts(t, ": it had closed it ");
	kw_fmt_duration(t, e->fin_ago_ns);
	kw_buf_puts(t, " before");
	if ((e->known & KW_IDLE_RECV) && e->last_recv_ago_ns >= e->fin_ago_ns) {
		kw_buf_puts(t, ", after it was idle ");
		kw_fmt_duration(t, e->last_recv_ago_ns - e->fin_ago_ns);
	}
	kw_buf_puts(t, "; the client wrote on it ");
	kw_fmt_duration(t, e->fin_ago_ns - e->last_send_ago_ns);
	kw_buf_puts(t, " after that close, and the reset came ");
	kw_fmt_duration(t, e->last_send_ago_ns);
	kw_buf_puts(t, " after the write");
	if (ex->net.server_reset_known)
		kw_buf_puts(t, " (this host's server sent it)");
	kw_buf_puts(f, "the client keeps idle connections longer than the server: make the "
		    "client's idle timeout shorter than the server's keep-alive timeout (e.g. "
		    "nginx's upstream keepalive_timeout below the backend's), or retry idempotent "
		    "requests on a reset");
}

void kw_explain_render_net(struct kw_explanation *ex, struct kw_buf *t, struct kw_buf *f)
{
	switch (ex->cause) {
	case KW_CAUSE_ACCEPT_QUEUE_FULL:
		render_accept_queue(ex, t, f);
		break;
	case KW_CAUSE_CONNECT_TIMEOUT:
		render_timeout(ex, t, f);
		break;
	case KW_CAUSE_FIREWALL_REJECT:
	case KW_CAUSE_FIREWALL_DROP:
		render_firewall(ex, t, f);
		break;
	case KW_CAUSE_KEEPALIVE_RACE:
		render_keepalive(ex, t, f);
		break;
	default:
		break;
	}
}
