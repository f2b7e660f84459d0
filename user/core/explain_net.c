// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Connections that get no answer, are refused by a packet filter, or are
 * reset as they are reused (explain.h): accept_queue_full, connect_timeout,
 * firewall_reject, firewall_drop, keepalive_race.  Pure: the facts come
 * from the model, which holds the events and the records read for them.
 */
#include <string.h>
#include "core/explain.h"

/* a read of a listener's queue belongs to the event it was read for:
 * stamped with its time; an overflow or a timeout counts for this long */
#define KW_QUEUE_READ_SKEW_NS (2ULL * 1000000000ULL)
#define KW_NET_RECENT_NS (30ULL * 1000000000ULL)

static bool same_endpoint(const struct kw_addr *a, const struct kw_addr *b)
{
	return a->port == b->port && kw_addr_same_ip(a, b);
}

static bool near(uint64_t a, uint64_t b, uint64_t skew)
{
	return (a > b ? a - b : b - a) <= skew;
}

/* at or before ts, by no more than window */
static bool within(uint64_t t, uint64_t ts, uint64_t window)
{
	return t <= ts && ts - t <= window;
}

const struct kw_listener *kw_explain_server_of(const struct kw_model *m, uint32_t netns,
					       const struct kw_addr *dest)
{
	const struct kw_listener *l = kw_model_listener_for(m, netns, dest);

	if (l)
		return l;
	/* another namespace on this host, listening on that very address */
	for (uint32_t i = 0; i < m->nr_listeners; i++)
		if (same_endpoint(&m->listeners[i].local, dest))
			return &m->listeners[i];
	return NULL;
}

/* would the listener at local (a wildcard or an address) take dest? */
static bool takes(const struct kw_addr *local, const struct kw_addr *dest)
{
	struct kw_listener l = { .local = *local };

	return kw_listener_accepts(&l, dest) || same_endpoint(local, dest);
}

/* The queue read for an event at ts of the listener at local in netns,
 * and the namespace's counters at the read before it. */
static void find_queue(const struct kw_model *m, struct kw_explanation *ex, uint32_t netns,
		       const struct kw_addr *local, uint64_t ts)
{
	const struct kw_queue_rec *q = NULL;

	for (uint32_t i = 0; i < m->queues.n; i++) {
		const struct kw_queue_rec *r = KW_RING_AT(&m->queues, i);
		const struct kw_ev_listen_queue *e = &r->ev;

		if (!q) {
			if (e->found && e->hdr.netns_ino == netns && e->local.port == local->port &&
			    near(e->hdr.ts_boot_ns, ts, KW_QUEUE_READ_SKEW_NS))
				q = r;
			continue;
		}
		/* an earlier read of the same namespace: its counters then */
		if (e->found && e->counters_read && e->hdr.netns_ino == netns &&
		    e->hdr.ts_boot_ns < q->ev.hdr.ts_boot_ns) {
			ex->net.overflows_before_known = true;
			ex->net.overflows_before = e->listen_overflows;
			break;
		}
	}
	if (!q)
		return;
	ex->net.queue_known = true;
	ex->net.queue = q->ev;
	ex->net.queue_event_id = q->event_id;
}

/* The clients whose connects to the listener at local timed out lately,
 * newest first. */
static void find_clients(const struct kw_model *m, struct kw_explanation *ex,
			 const struct kw_addr *local, uint64_t ts)
{
	for (uint32_t i = 0; i < m->timeouts.n; i++) {
		const struct kw_timeout_rec *t = KW_RING_AT(&m->timeouts, i);

		if (!within(t->ts_ns, ts + KW_QUEUE_READ_SKEW_NS, KW_NET_RECENT_NS) ||
		    !takes(local, &t->dest))
			continue;
		ex->net.clients_total++;
		if (ex->net.nr_clients < KW_EX_CLIENTS)
			ex->net.clients[ex->net.nr_clients++] = *t;
	}
}

bool kw_ex_queue_backlog(const struct kw_ex_net *n, uint32_t *backlog)
{
	const struct kw_listener *l = &n->listener;

	if (n->queue_known && !n->queue.backlog_unknown) {
		*backlog = n->queue.max_backlog;
		return true;
	}
	if (n->overflow_known) {
		*backlog = n->overflow.max_backlog;
		return true;
	}
	/* a snapshot's 0 is /proc's "not printed"; listen() traced knows it */
	if (n->listener_known && (!l->snapshot || l->backlog)) {
		*backlog = l->backlog;
		return true;
	}
	return false;
}

bool kw_explain_accept_queue(const struct kw_model *m, struct kw_explanation *ex,
			     const struct kw_listener *l, uint32_t netns, const struct kw_addr *local,
			     uint64_t ts)
{
	const struct kw_ev_listen_queue *q = &ex->net.queue;
	uint32_t backlog = 0;
	bool full, backlog_known;

	ex->cause = KW_CAUSE_ACCEPT_QUEUE_FULL;
	ex->netns = netns;
	ex->dest = l ? l->local : *local;
	ex->ts_ns = ts;
	if (l) {
		ex->net.listener_known = true;
		ex->net.listener = *l;
		ex->netns_cookie = l->netns_cookie;
	}
	find_queue(m, ex, netns, &ex->dest, ts);
	for (uint32_t i = 0; i < m->overflows.n; i++) {
		const struct kw_overflow_rec *o = KW_RING_AT(&m->overflows, i);

		if (o->ev.hdr.netns_ino == netns && o->ev.local.port == ex->dest.port &&
		    within(o->ev.hdr.ts_boot_ns, ts + KW_QUEUE_READ_SKEW_NS, KW_NET_RECENT_NS)) {
			ex->net.overflow_known = true;
			ex->net.overflow = o->ev;
			ex->net.overflow_event_id = o->event_id;
			break;
		}
	}
	find_clients(m, ex, &ex->dest, ts);
	kw_place_from_netns(m, &ex->place, netns, ex->netns_cookie);
	if (!ex->place.known && l)
		kw_place_from_cgroup(m, &ex->place, l->cgroup_id ? l->cgroup_id : l->owner.cgroup_id,
				     false);
	kw_ex_add_event(ex, ex->net.overflow_event_id);
	kw_ex_add_event(ex, ex->net.queue_event_id);
	for (uint32_t i = 0; i < ex->net.nr_clients; i++)
		kw_ex_add_event(ex, ex->net.clients[i].event_id);
	if (l)
		kw_ex_add_event(ex, l->event_id);
	/* full: as the kernel counts it, or a queue at its backlog when read
	 * (and the backlog is known: /proc/net/tcp gives the queue alone) */
	backlog_known = kw_ex_queue_backlog(&ex->net, &backlog);
	full = ex->net.overflow_known ||
	       (ex->net.queue_known && q->queued && backlog_known && q->queued >= backlog) ||
	       (ex->net.queue_known && q->counters_read && ex->net.overflows_before_known &&
		q->listen_overflows > ex->net.overflows_before);
	kw_explain_render(ex);
	return full;
}

void kw_explain_connect_timeout(const struct kw_model *m, struct kw_explanation *ex,
				const struct kw_ev_connect_timeout *e)
{
	static struct kw_explanation aq;	/* big: not on the stack */
	const struct kw_listener *l;
	struct kw_timeout_rec *c = &ex->net.conn;

	ex->cause = KW_CAUSE_CONNECT_TIMEOUT;
	ex->netns = e->hdr.netns_ino;
	ex->netns_cookie = e->hdr.netns_cookie;
	ex->dest = e->remote;
	ex->client = e->local;
	ex->ts_ns = e->hdr.ts_boot_ns;
	ex->client_known = !!(e->hdr.flags & KW_F_TASK);
	ex->client_task = e->hdr.task;
	c->client_known = ex->client_known;
	c->client = e->hdr.task;
	c->netns = e->hdr.netns_ino;
	c->netns_cookie = e->hdr.netns_cookie;
	c->local = e->local;
	c->dest = e->remote;
	c->error = e->error;
	c->syn_retransmits = e->syn_retransmits;
	c->waited_ns = e->waited_ns;
	c->ts_ns = e->hdr.ts_boot_ns;
	if (ex->client_known)
		kw_place_from_cgroup(m, &ex->place, e->hdr.task.cgroup_id, false);
	if (!ex->place.known)
		kw_place_from_netns(m, &ex->place, ex->netns, ex->netns_cookie);

	l = kw_explain_server_of(m, ex->netns, &e->remote);
	ex->net.listener_here = l != NULL;
	memset(&aq, 0, sizeof(aq));
	if (l && kw_explain_accept_queue(m, &aq, l, l->netns, &l->local, ex->ts_ns)) {
		ex->net.server_cause = KW_CAUSE_ACCEPT_QUEUE_FULL;
		ex->net.listener_known = true;
		ex->net.listener = aq.net.listener;
		ex->net.queue_known = aq.net.queue_known;
		ex->net.queue = aq.net.queue;
		ex->net.queue_event_id = aq.net.queue_event_id;
		ex->net.overflow_known = aq.net.overflow_known;
		ex->net.overflow = aq.net.overflow;
		ex->net.overflow_event_id = aq.net.overflow_event_id;
		ex->net.overflows_before_known = aq.net.overflows_before_known;
		ex->net.overflows_before = aq.net.overflows_before;
		kw_ex_add_event(ex, aq.net.queue_event_id);
		kw_ex_add_event(ex, aq.net.overflow_event_id);
	} else {
		if (l) {
			ex->net.listener_known = true;
			ex->net.listener = *l;
		}
		/* its SYNs dropped by a packet filter here, none answered */
		for (uint32_t i = 0; i < m->syns.n; i++) {
			const struct kw_syn_rec *s = KW_RING_AT(&m->syns, i);

			if (!same_endpoint(&s->ev.local, &e->remote) ||
			    s->ev.icmp_type != KW_ICMP_NONE ||
			    !within(s->ev.hdr.ts_boot_ns, ex->ts_ns, e->waited_ns + KW_QUEUE_READ_SKEW_NS) ||
			    (e->local.port && s->ev.remote.port != e->local.port))
				continue;
			ex->net.server_cause = KW_CAUSE_FIREWALL_DROP;
			ex->net.syn = s->ev;
			ex->net.syn_event_id = s->event_id;
			ex->net.syns_dropped++;
		}
		kw_ex_add_event(ex, ex->net.syn_event_id);
	}
	if (l)
		kw_ex_add_event(ex, l->event_id);
	kw_explain_render(ex);
}

void kw_explain_firewall(const struct kw_model *m, struct kw_explanation *ex,
			 const struct kw_ev_syn_filtered *syn, uint64_t syn_id, uint8_t mode,
			 bool inferred)
{
	const struct kw_listener *l;

	if (mode == KW_FW_UNKNOWN && syn->icmp_type != KW_ICMP_NONE)
		mode = KW_FW_ICMP;
	ex->cause = mode == KW_FW_DROP ? KW_CAUSE_FIREWALL_DROP : KW_CAUSE_FIREWALL_REJECT;
	ex->netns = syn->hdr.netns_ino;
	ex->netns_cookie = syn->hdr.netns_cookie;
	ex->dest = syn->local;
	ex->client = syn->remote;
	ex->ts_ns = syn->hdr.ts_boot_ns;
	ex->net.syn = *syn;
	ex->net.syn_event_id = syn_id;
	ex->net.fw_mode = mode;
	ex->net.fw_mode_inferred = inferred;
	ex->net.syns_dropped = 0;
	for (uint32_t i = 0; i < m->syns.n; i++) {
		const struct kw_syn_rec *s = KW_RING_AT(&m->syns, i);

		ex->net.syns_dropped += s->ev.hdr.netns_ino == syn->hdr.netns_ino &&
					same_endpoint(&s->ev.local, &syn->local) &&
					same_endpoint(&s->ev.remote, &syn->remote);
	}
	if (!ex->net.syns_dropped)
		ex->net.syns_dropped = 1;
	l = kw_model_listener_for(m, ex->netns, &syn->local);
	if (l) {
		ex->net.listener_known = true;
		ex->net.listener = *l;
	}
	kw_place_from_netns(m, &ex->place, ex->netns, ex->netns_cookie);
	kw_ex_add_event(ex, syn_id);
	if (l)
		kw_ex_add_event(ex, l->event_id);
	kw_explain_render(ex);
}

void kw_explain_idle_reset(const struct kw_model *m, struct kw_explanation *ex,
			   const struct kw_ev_idle_reset *e)
{
	bool wrote_after_fin = (e->known & KW_IDLE_SEND) && (e->known & KW_IDLE_FIN) &&
			       e->last_send_ago_ns < e->fin_ago_ns;

	if (!wrote_after_fin || !e->bytes_received) {
		/* the peer reset a connection it had closed: not a reuse */
		struct kw_ev_conn c = { .hdr = e->hdr, .local = e->local, .remote = e->remote,
					.state = e->state, .source = KW_SRC_RECV_RESET };

		c.hdr.type = KW_EV_RESET_RECV;
		kw_explain_reset(m, ex, &c, NULL);
		return;
	}
	ex->cause = KW_CAUSE_KEEPALIVE_RACE;
	ex->netns = e->hdr.netns_ino;
	ex->netns_cookie = e->hdr.netns_cookie;
	ex->dest = e->remote;
	ex->client = e->local;
	ex->ts_ns = e->hdr.ts_boot_ns;
	ex->tcp_state = e->state;
	ex->net.idle = *e;
	if (e->hdr.flags & KW_F_TASK) {
		ex->client_known = true;
		ex->client_task = e->hdr.task;
		kw_place_from_cgroup(m, &ex->place, e->hdr.task.cgroup_id, false);
	}
	if (!ex->place.known)
		kw_place_from_netns(m, &ex->place, ex->netns, ex->netns_cookie);
	kw_explain_render(ex);
}
