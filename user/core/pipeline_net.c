// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The pipeline's part for connections that get no answer, are refused by
 * a packet filter, or are reset as they are reused (pipeline_net.h).
 *
 * A connect_timeout is told with its server side: the accept_queue_full
 * explanation of the listener it reached (made once per listener, the
 * timeouts after it counted into it) or the firewall_drop of its SYNs,
 * linked by id.  A filtered SYN waits (struct kw_fw_pending) for what tells
 * the filter's mode.  A reset sent by a closed connection waits a few ms
 * for its client's reset_after_close, so a keep-alive race is one story.
 */
#include <string.h>
#include "core/pipeline_net.h"

#define TCP_FIN_WAIT2 5
#define TCP_TIME_WAIT 6

static bool same_endpoint(const struct kw_addr *a, const struct kw_addr *b)
{
	return a->port == b->port && kw_addr_same_ip(a, b);
}

/* ---- packet filters ---- */

static struct kw_fw_pending *fw_find(struct kw_pipeline *p, const struct kw_addr *dest,
				     uint16_t client_port)
{
	for (uint32_t i = 0; i < KW_FW_PENDING; i++) {
		struct kw_fw_pending *w = &p->fw[i];

		if (w->used && same_endpoint(&w->ex.dest, dest) &&
		    (!client_port || w->ex.client.port == client_port))
			return w;
	}
	return NULL;
}

/* the recent firewall explanation of dest in netns, either cause */
static struct kw_dedup *fw_dedup(struct kw_pipeline *p, uint32_t netns, const struct kw_addr *dest)
{
	struct kw_dedup *d = kw_pl_dedup_find(p, KW_CAUSE_FIREWALL_REJECT, netns, dest);

	return d ? d : kw_pl_dedup_find(p, KW_CAUSE_FIREWALL_DROP, netns, dest);
}

/* The waiting explanation w, told in mode (with what it knows of its
 * client), or counted into one told already.  The id it got, or the
 * one it was counted into. */
static uint64_t fw_emit(struct kw_pipeline *p, struct kw_fw_pending *w, uint8_t mode,
			bool inferred)
{
	struct kw_explanation *ex = &w->ex;
	struct kw_dedup *d;
	bool client_known = ex->client_known;
	struct kw_task client = ex->client_task;
	struct kw_ev_syn_filtered syn = ex->net.syn;
	uint64_t events[KW_EX_EVENTS], count = ex->count, syn_id = ex->net.syn_event_id, id;
	uint32_t nr = ex->nr_events;

	w->used = false;
	memcpy(events, ex->events, sizeof(events));
	memset(ex, 0, sizeof(*ex));
	kw_explain_firewall(&p->model, ex, &syn, syn_id, mode, inferred);
	for (uint32_t i = 0; i < nr; i++)
		kw_ex_add_event(ex, events[i]);
	ex->client_known = client_known;
	ex->client_task = client;
	if (client_known)
		kw_place_from_cgroup(&p->model, &ex->client_place, client.cgroup_id, false);
	kw_explain_render(ex);
	d = fw_dedup(p, ex->netns, &ex->dest);
	if (d) {
		d->count += count ? count : 1;
		d->last_ns = ex->ts_ns;
		return d->explanation_id;
	}
	kw_pl_explain_or_count(p, ex, true);
	id = ex->id;
	d = fw_dedup(p, ex->netns, &ex->dest);
	if (d && count > 1)	/* SYNs it stood for while it waited */
		d->count += count - 1;
	return id;
}

static void on_syn_filtered(struct kw_pipeline *p, const struct kw_ev_syn_filtered *s, uint64_t id)
{
	struct kw_fw_pending *w = fw_find(p, &s->local, s->remote.port), *slot = NULL;
	struct kw_dedup *d;

	if (s->retransmit) {
		/* the client got no answer and tried again */
		if (w) {
			kw_ex_add_event(&w->ex, id);
			fw_emit(p, w, w->ex.net.syn.icmp_type != KW_ICMP_NONE ||
				s->icmp_type != KW_ICMP_NONE ? KW_FW_ICMP : KW_FW_DROP, false);
			return;
		}
		if ((d = fw_dedup(p, s->hdr.netns_ino, &s->local))) {
			d->count++;
			d->last_ns = s->hdr.ts_boot_ns;
			return;
		}
	} else if (w) {
		w->ex.count++;
		return;
	} else if ((d = fw_dedup(p, s->hdr.netns_ino, &s->local))) {
		d->count++;
		d->last_ns = s->hdr.ts_boot_ns;
		return;
	}
	for (uint32_t i = 0; i < KW_FW_PENDING && !slot; i++)
		if (!p->fw[i].used)
			slot = &p->fw[i];
	if (!slot) {		/* full: the one due first goes now */
		slot = &p->fw[0];
		for (uint32_t i = 1; i < KW_FW_PENDING; i++)
			if (p->fw[i].deadline_ns < slot->deadline_ns)
				slot = &p->fw[i];
		fw_emit(p, slot, KW_FW_UNKNOWN, false);
	}
	memset(&slot->ex, 0, sizeof(slot->ex));
	kw_explain_firewall(&p->model, &slot->ex, s, id,
			    s->retransmit && s->icmp_type == KW_ICMP_NONE ? KW_FW_DROP : KW_FW_UNKNOWN,
			    false);
	slot->ex.count = 1;
	if (s->retransmit) {
		fw_emit(p, slot, slot->ex.net.fw_mode, false);
		return;
	}
	slot->used = true;
	/* an ICMP error was seen: only the client's name is awaited */
	slot->deadline_ns = s->hdr.ts_boot_ns +
			    (s->icmp_type != KW_ICMP_NONE ? KW_CLIENT_WAIT_NS : KW_FW_RETRY_WAIT_NS);
}

bool kw_pl_net_refused(struct kw_pipeline *p, const struct kw_ev_conn *c, uint64_t id)
{
	struct kw_fw_pending *w = fw_find(p, &c->remote, c->local.port);
	struct kw_dedup *d;

	if (w) {
		w->ex.client_known = !!(c->hdr.flags & KW_F_TASK);
		w->ex.client_task = c->hdr.task;
		kw_ex_add_event(&w->ex, id);
		fw_emit(p, w, c->reset_received ? KW_FW_TCP_RESET : KW_FW_ICMP, false);
		return true;
	}
	/* its SYN was filtered, and that is told already */
	for (uint32_t i = 0; i < p->model.syns.n; i++) {
		const struct kw_syn_rec *s = KW_RING_AT(&p->model.syns, i);

		if (!same_endpoint(&s->ev.local, &c->remote) || s->ev.remote.port != c->local.port ||
		    !kw_model_recent(&p->model, s->ev.hdr.ts_boot_ns))
			continue;
		d = fw_dedup(p, s->ev.hdr.netns_ino, &s->ev.local);
		if (d) {
			d->count++;
			d->last_ns = c->hdr.ts_boot_ns;
			return true;
		}
	}
	return false;
}

void kw_pl_net_sock_error(struct kw_pipeline *p, const struct kw_ev_conn *c, uint64_t id)
{
	struct kw_fw_pending *w;

	if (c->state != 2 /* SYN_SENT */ || !(c->hdr.flags & KW_F_TASK))
		return;
	w = fw_find(p, &c->remote, c->local.port);
	if (!w)
		return;
	w->ex.client_known = true;
	w->ex.client_task = c->hdr.task;
	kw_ex_add_event(&w->ex, id);
}

void kw_pl_net_flush(struct kw_pipeline *p, bool force)
{
	for (uint32_t i = 0; i < KW_FW_PENDING; i++) {
		struct kw_fw_pending *w = &p->fw[i];
		bool icmp;

		if (!w->used || (!force && p->flush_ns < w->deadline_ns))
			continue;
		icmp = w->ex.net.syn.icmp_type != KW_ICMP_NONE;
		/* no retry within the time a dropped SYN is retried: answered */
		fw_emit(p, w, icmp ? KW_FW_ICMP : force ? KW_FW_UNKNOWN : KW_FW_TCP_RESET, !icmp);
	}
	for (uint32_t i = 0; i < KW_HELD_RESETS; i++) {
		struct kw_held_reset *h = &p->held[i];

		if (h->used && (force || p->flush_ns >= h->ev.hdr.ts_boot_ns + KW_CLIENT_WAIT_NS)) {
			h->used = false;
			kw_pl_explain_reset(p, &h->ev, h->id);
		}
	}
}

bool kw_pl_net_pending(const struct kw_pipeline *p)
{
	for (uint32_t i = 0; i < KW_FW_PENDING; i++)
		if (p->fw[i].used && p->fw[i].deadline_ns <= p->fw[i].ex.ts_ns + KW_CLIENT_WAIT_NS)
			return true;
	for (uint32_t i = 0; i < KW_HELD_RESETS; i++)
		if (p->held[i].used)
			return true;
	return false;
}

/* ---- timeouts ---- */

/* The accept_queue_full explanation of the listener l at ts: the recent
 * one, counted, or a new one.  Its id. */
static uint64_t accept_queue_story(struct kw_pipeline *p, const struct kw_listener *l,
				   const struct kw_addr *local, uint32_t netns, uint64_t ts,
				   uint64_t id)
{
	struct kw_explanation *aq = &p->scratch2;
	struct kw_dedup *d = kw_pl_dedup_find(p, KW_CAUSE_ACCEPT_QUEUE_FULL, netns,
					      l ? &l->local : local);

	if (d) {
		d->count++;
		d->last_ns = ts;
		return d->explanation_id;
	}
	memset(aq, 0, sizeof(*aq));
	kw_ex_add_event(aq, id);
	kw_explain_accept_queue(&p->model, aq, l, netns, local, ts);
	kw_pl_explain_or_count(p, aq, true);
	return aq->id;
}

static void on_connect_timeout(struct kw_pipeline *p, const struct kw_ev_connect_timeout *e,
			       uint64_t id)
{
	struct kw_explanation *ex = &p->scratch;
	struct kw_fw_pending *w = fw_find(p, &e->remote, e->local.port);
	const struct kw_listener *l;

	/* its filtered SYN, still waiting: it was dropped, and this is who */
	if (w) {
		w->ex.client_known = !!(e->hdr.flags & KW_F_TASK);
		w->ex.client_task = e->hdr.task;
		fw_emit(p, w, w->ex.net.syn.icmp_type != KW_ICMP_NONE ? KW_FW_ICMP : KW_FW_DROP,
			false);
	}
	memset(ex, 0, sizeof(*ex));
	kw_ex_add_event(ex, id);
	kw_explain_connect_timeout(&p->model, ex, e);
	if (ex->net.server_cause == KW_CAUSE_ACCEPT_QUEUE_FULL) {
		l = kw_explain_server_of(&p->model, e->hdr.netns_ino, &e->remote);
		ex->net.server_explanation = accept_queue_story(p, l, l ? &l->local : &e->remote,
								l ? l->netns : e->hdr.netns_ino,
								e->hdr.ts_boot_ns, id);
		/* accept_queue_story used the scratch explanation's twin */
	} else if (ex->net.server_cause == KW_CAUSE_FIREWALL_DROP) {
		struct kw_dedup *d = fw_dedup(p, ex->net.syn.hdr.netns_ino, &ex->net.syn.local);

		ex->net.server_explanation = d ? d->explanation_id : 0;
	}
	kw_explain_render(ex);
	kw_pl_explain_or_count(p, ex, false);
}

static void on_accept_queue(struct kw_pipeline *p, const struct kw_ev_accept_queue *e, uint64_t id)
{
	const struct kw_listener *l = kw_model_listener_for(&p->model, e->hdr.netns_ino, &e->local);

	accept_queue_story(p, l, &e->local, e->hdr.netns_ino, e->hdr.ts_boot_ns, id);
}

/* ---- keep-alive ---- */

bool kw_pl_net_hold_reset(struct kw_pipeline *p, const struct kw_ev_conn *c, uint64_t id)
{
	struct kw_held_reset *slot = NULL;

	if (c->state != TCP_TIME_WAIT && c->state != TCP_FIN_WAIT2)
		return false;
	for (uint32_t i = 0; i < KW_HELD_RESETS && !slot; i++)
		if (!p->held[i].used)
			slot = &p->held[i];
	if (!slot)
		return false;
	slot->used = true;
	slot->ev = *c;
	slot->id = id;
	return true;
}

static void on_idle_reset(struct kw_pipeline *p, const struct kw_ev_idle_reset *e, uint64_t id)
{
	struct kw_explanation *ex = &p->scratch;

	memset(ex, 0, sizeof(*ex));
	kw_ex_add_event(ex, id);
	kw_explain_idle_reset(&p->model, ex, e);
	/* this host's server sent that reset: one story, told here */
	for (uint32_t i = 0; i < KW_HELD_RESETS; i++) {
		struct kw_held_reset *h = &p->held[i];

		if (!h->used || !same_endpoint(&h->ev.local, &e->remote) ||
		    !same_endpoint(&h->ev.remote, &e->local))
			continue;
		h->used = false;
		if (ex->cause != KW_CAUSE_KEEPALIVE_RACE) {
			kw_pl_explain_reset(p, &h->ev, h->id);
			break;
		}
		ex->net.server_reset_known = true;
		ex->net.server_reset_event_id = h->id;
		kw_ex_add_event(ex, h->id);
		kw_explain_render(ex);
		break;
	}
	kw_pl_explain_or_count(p, ex, true);
}

void kw_pl_net_event(struct kw_pipeline *p, const struct kw_event *ev, uint64_t id)
{
	switch (ev->hdr.type) {
	case KW_EV_ACCEPT_QUEUE:
		on_accept_queue(p, &ev->accept_queue, id);
		break;
	case KW_EV_CONNECT_TIMEOUT:
		on_connect_timeout(p, &ev->connect_timeout, id);
		break;
	case KW_EV_SYN_FILTERED:
		on_syn_filtered(p, &ev->syn_filtered, id);
		break;
	case KW_EV_IDLE_RESET:
		on_idle_reset(p, &ev->idle_reset, id);
		break;
	default:
		break;
	}
}

/* repeats counted in the kernel go to the story of their key */
bool kw_pl_net_repeat(struct kw_pipeline *p, const struct kw_ev_repeat *r)
{
	struct kw_dedup *d = NULL;

	switch (r->key.type) {
	case KW_EV_CONNECT_TIMEOUT:
		d = kw_pl_dedup_find(p, KW_CAUSE_CONNECT_TIMEOUT, r->key.netns_ino, &r->key.dest);
		break;
	case KW_EV_ACCEPT_QUEUE:
		d = kw_pl_dedup_find(p, KW_CAUSE_ACCEPT_QUEUE_FULL, r->key.netns_ino, &r->key.dest);
		break;
	case KW_EV_SYN_FILTERED:
		d = fw_dedup(p, r->key.netns_ino, &r->key.dest);
		break;
	case KW_EV_IDLE_RESET:
		d = kw_pl_dedup_find(p, KW_CAUSE_KEEPALIVE_RACE, r->key.netns_ino, &r->key.dest);
		break;
	default:
		return false;
	}
	if (d) {
		d->count += r->count;
		if (r->last_ns > d->last_ns)
			d->last_ns = r->last_ns;
	}
	return true;
}
