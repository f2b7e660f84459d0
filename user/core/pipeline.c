// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>
#include "util/textfmt.h"
#include "util/zero.h"
#include "core/pipeline.h"
#include "core/pipeline_net.h"

#define ECONNREFUSED_ 111

void kw_pipeline_init(struct kw_pipeline *p, const struct kw_pipeline_cfg *cfg,
		      const struct kw_sinks *sinks)
{
	kw_zero(p, sizeof(*p) - sizeof(p->model));	/* util/zero.h */
	p->cfg = *cfg;
	if (!p->cfg.summary_every_ns)
		p->cfg.summary_every_ns = 5ULL * 1000000000ULL;
	p->sinks = *sinks;
	kw_model_init(&p->model, &cfg->model);
}

static bool same_endpoint(const struct kw_addr *a, const struct kw_addr *b)
{
	return a->port == b->port && kw_addr_same_ip(a, b);
}

static bool is_refusal_cause(uint8_t c)
{
	return c >= KW_CAUSE_WRONG_ADDRESS && c <= KW_CAUSE_REMOTE;
}

/* ---- dedup ---- */

static struct kw_dedup *bucket_of(struct kw_pipeline *p, const struct kw_addr *dest)
{
	uint32_t h = 2166136261u;
	const uint8_t *a = dest->addr;

	for (int i = 0; i < 16; i++)
		h = (h ^ a[i]) * 16777619u;
	h = (h ^ dest->port) * 16777619u;
	return &p->dedup[(h % KW_DEDUP_BUCKETS) * KW_DEDUP_WAYS];
}

static struct kw_dedup *dedup_find(struct kw_pipeline *p, uint8_t cause, uint32_t netns,
				   const struct kw_addr *dest)
{
	struct kw_dedup *b = bucket_of(p, dest);

	for (uint32_t i = 0; i < KW_DEDUP_WAYS; i++) {
		struct kw_dedup *d = &b[i];

		if (d->used && d->cause == cause && d->netns == netns &&
		    same_endpoint(&d->dest, dest) && kw_model_recent(&p->model, d->last_ns))
			return d;
	}
	return NULL;
}

/* the refusal explanation of a destination that stood at ts: the latest
 * one explained at or before ts, in any namespace when netns is 0 (a
 * client does not know the server's namespace).  A refusal after the
 * story changed (a listener came or went) is never counted into the
 * story before it. */
static struct kw_dedup *dedup_refusal(struct kw_pipeline *p, uint32_t netns,
				      const struct kw_addr *dest, uint64_t ts)
{
	struct kw_dedup *best = NULL, *b = bucket_of(p, dest);

	for (uint32_t i = 0; i < KW_DEDUP_WAYS; i++) {
		struct kw_dedup *d = &b[i];

		if (d->used && is_refusal_cause(d->cause) && (!netns || d->netns == netns) &&
		    same_endpoint(&d->dest, dest) && kw_model_recent(&p->model, d->last_ns) &&
		    d->first_ns <= ts && (!best || d->first_ns > best->first_ns))
			best = d;
	}
	return best;
}

/* Did a listener start or stop on the destination's port (in its
 * namespace) after d was explained, up to ts?  Then a refusal now has
 * another story than d's, and is not one more of d's. */
static bool story_changed(const struct kw_pipeline *p, const struct kw_dedup *d, uint64_t ts)
{
	const struct kw_model *m = &p->model;

	for (uint32_t i = 0; i < m->nr_listeners; i++) {
		const struct kw_listener *l = &m->listeners[i];

		if (l->netns == d->netns && l->local.port == d->dest.port &&
		    l->since_ns > d->first_ns && l->since_ns <= ts)
			return true;
	}
	for (uint32_t i = 0; i < m->closed.n; i++) {
		const struct kw_closed_listener *c = KW_RING_AT(&m->closed, i);

		if (c->l.netns == d->netns && c->l.local.port == d->dest.port &&
		    c->closed_ns > d->first_ns && c->closed_ns <= ts)
			return true;
	}
	return false;
}

static void summarise(struct kw_pipeline *p, struct kw_dedup *d, bool final)
{
	struct kw_summary s = {
		.explanation_id = d->explanation_id,
		.cause = d->cause,
		.netns = d->netns,
		.dest = d->dest,
		.count = d->count - d->reported,
		.total = d->count,
		.since_ns = d->last_summary_ns,
		.ts_ns = p->model.now_ns,
		.final = final,
	};

	d->reported = d->count;
	d->last_summary_ns = p->model.now_ns;
	if (p->sinks.summary)
		p->sinks.summary(p->sinks.ctx, &s);
}

static struct kw_dedup *dedup_insert(struct kw_pipeline *p, const struct kw_explanation *ex,
				     bool server_side)
{
	struct kw_dedup *slot = NULL, *b = bucket_of(p, &ex->dest);

	for (uint32_t i = 0; i < KW_DEDUP_WAYS && !slot; i++)
		if (!b[i].used)
			slot = &b[i];
	if (!slot) {		/* full: the least recently seen goes, summarised */
		slot = &b[0];
		for (uint32_t i = 1; i < KW_DEDUP_WAYS; i++)
			if (b[i].last_ns < slot->last_ns)
				slot = &b[i];
		if (slot->count > slot->reported)
			summarise(p, slot, true);
	}
	memset(slot, 0, sizeof(*slot));
	slot->used = true;
	slot->server_side = server_side;
	slot->cause = ex->cause;
	slot->netns = ex->netns;
	slot->dest = ex->dest;
	slot->explanation_id = ex->id;
	slot->count = 1;
	slot->reported = 1;	/* the explanation itself reports the first */
	slot->first_ns = slot->last_ns = slot->last_summary_ns = ex->ts_ns;
	return slot;
}

static void emit_explanation(struct kw_pipeline *p, struct kw_explanation *ex)
{
	ex->id = ++p->next_explanation_id;
	ex->count = 1;
	if (p->sinks.explanation)
		p->sinks.explanation(p->sinks.ctx, ex);
}

/*
 * Pending refusals go out in the order they came, once their client is
 * known or KW_CLIENT_WAIT_NS has passed (the client's event can land in a
 * later delivery batch); all of them when forced.  Flush points and their
 * times are part of the recorded stream, so replay decides the same.
 */
static void flush_pending(struct kw_pipeline *p, bool force)
{
	uint32_t n = p->nr_pending, kept = 0, i;

	for (i = 0; i < n; i++) {
		struct kw_explanation *ex = &p->pending[i];
		uint64_t extra;
		struct kw_dedup *d;

		if (!force && !ex->client_known && p->flush_ns < ex->ts_ns + KW_CLIENT_WAIT_NS)
			break;		/* this one, and the later ones, wait */
		extra = ex->count - 1;
		kw_explain_refresh_place(&p->model, ex);
		kw_explain_render(ex);	/* the client may have been added */
		emit_explanation(p, ex);
		d = dedup_insert(p, ex, true);
		d->count += extra;
	}
	for (; i < n; i++) {
		if (kept != i)
			p->pending[kept] = p->pending[i];
		kept++;
	}
	p->nr_pending = kept;
}

/* ---- triggers ---- */

static struct kw_explanation *new_explanation(struct kw_pipeline *p)
{
	memset(&p->scratch, 0, sizeof(p->scratch));
	return &p->scratch;
}

/* explain now unless an identical (cause, netns, destination) is recent */
static void explain_or_count(struct kw_pipeline *p, struct kw_explanation *ex, bool server_side)
{
	struct kw_dedup *d = dedup_find(p, ex->cause, ex->netns, &ex->dest);

	if (d) {
		d->count++;
		d->last_ns = ex->ts_ns;
		return;
	}
	emit_explanation(p, ex);
	dedup_insert(p, ex, server_side);
}

static void on_refused_server(struct kw_pipeline *p, const struct kw_ev_conn *c, uint64_t id)
{
	struct kw_explanation *ex;
	struct kw_dedup *d;

	ex = new_explanation(p);
	kw_ex_add_event(ex, id);	/* the trigger first, then what it rests on */
	kw_explain_refusal(&p->model, ex, c->hdr.netns_ino, c->hdr.netns_cookie, &c->local,
			   c->hdr.ts_boot_ns);
	ex->client = c->remote;
	d = dedup_find(p, ex->cause, ex->netns, &ex->dest);
	if (d) {
		d->count++;
		d->last_ns = ex->ts_ns;
		return;
	}
	for (uint32_t i = 0; i < p->nr_pending; i++) {	/* the same refusal, twice */
		struct kw_explanation *q = &p->pending[i];

		if (q->cause == ex->cause && q->netns == ex->netns && same_endpoint(&q->dest, &ex->dest)) {
			q->count++;
			return;
		}
	}
	if (p->nr_pending == KW_PENDING_MAX)
		flush_pending(p, true);
	p->pending[p->nr_pending] = *ex;
	p->pending[p->nr_pending].count = 1;
	p->nr_pending++;
}

static void on_refused_client(struct kw_pipeline *p, const struct kw_ev_conn *c, uint64_t id)
{
	struct kw_explanation *ex;
	struct kw_dedup *d;

	/* refused by a packet filter on this host */
	if (kw_pl_net_refused(p, c, id))
		return;
	/* the server side of this very refusal is waiting for its client */
	for (uint32_t i = 0; i < p->nr_pending; i++) {
		struct kw_explanation *q = &p->pending[i];

		if (same_endpoint(&q->dest, &c->remote) && q->client.port == c->local.port &&
		    !q->client_known) {
			q->client_known = !!(c->hdr.flags & KW_F_TASK);
			q->client_task = c->hdr.task;
			kw_ex_add_event(q, id);
			return;
		}
	}
	/* another client of a refusal the server side already counts */
	for (uint32_t i = 0; i < p->nr_pending; i++)
		if (same_endpoint(&p->pending[i].dest, &c->remote))
			return;
	/* already explained from the server side, recently */
	d = dedup_refusal(p, 0, &c->remote, c->hdr.ts_boot_ns);
	if (d && !story_changed(p, d, c->hdr.ts_boot_ns)) {
		if (!d->server_side) {
			d->count++;
			d->last_ns = c->hdr.ts_boot_ns;
		}
		return;
	}
	ex = new_explanation(p);
	if (kw_addr_is_loopback(&c->remote)) {
		/* local, but no reset was traced (kernel without no-socket
		 * resets): explain in the client's namespace */
		kw_explain_refusal(&p->model, ex, c->hdr.netns_ino, c->hdr.netns_cookie,
				   &c->remote, c->hdr.ts_boot_ns);
		ex->client = c->local;
		ex->client_known = !!(c->hdr.flags & KW_F_TASK);
		ex->client_task = c->hdr.task;
		kw_explain_render(ex);
	} else {
		kw_explain_remote(&p->model, ex, c);
	}
	kw_ex_add_event(ex, id);
	explain_or_count(p, ex, false);
}

/* After a resync, the refusals still waiting for their client were
 * explained with what may have been ghosts: explain them again from the
 * listeners as re-read, keeping what is known of their clients. */
static void reexplain_pending(struct kw_pipeline *p)
{
	for (uint32_t i = 0; i < p->nr_pending; i++) {
		struct kw_explanation *ex = &p->pending[i];
		struct kw_explanation old = *ex;

		if (!kw_cause_refused_here(old.cause))
			continue;
		memset(ex, 0, sizeof(*ex));
		kw_explain_refusal(&p->model, ex, old.netns, old.netns_cookie, &old.dest,
				   old.ts_ns);
		ex->count = old.count;
		ex->client = old.client;
		ex->client_known = old.client_known;
		ex->client_task = old.client_task;
		for (uint32_t k = 0; k < old.nr_events; k++)
			kw_ex_add_event(ex, old.events[k]);
		ex->resynced = true;
		ex->resync_lost = p->model.resync_lost;
		kw_explain_render(ex);
	}
}

/* The moment whose story a REPEAT's occurrences share: its key's first,
 * sent event (a listener change starts a new key in the kernel).  The
 * kernel notes first_ns a moment before that event's own time stamp. */
#define KW_REPEAT_SLACK_NS 1000000ULL

static uint64_t repeat_story_ts(const struct kw_ev_repeat *r)
{
	return r->first_ns ? r->first_ns + KW_REPEAT_SLACK_NS : r->last_ns;
}

static void on_repeat(struct kw_pipeline *p, const struct kw_ev_repeat *r)
{
	struct kw_dedup *d = NULL;

	if (kw_pl_net_repeat(p, r))
		return;
	if (r->key.type == KW_EV_RESET_SENT) {
		d = dedup_refusal(p, r->key.netns_ino, &r->key.dest, repeat_story_ts(r));
		if (d && !d->server_side)
			d = NULL;
	} else if (r->key.type == KW_EV_CONNECT_FAIL && r->key.code == ECONNREFUSED_) {
		d = dedup_refusal(p, 0, &r->key.dest, repeat_story_ts(r));
		if (d && d->server_side)
			d = NULL;	/* counted by the server side's repeats */
	}
	if (!d)
		return;
	d->count += r->count;
	if (r->last_ns > d->last_ns)
		d->last_ns = r->last_ns;
}

static const char *reason_name(const struct kw_pipeline *p, const struct kw_ev_conn *c)
{
	return kw_reset_reason_name(c, p->cfg.rst_reasons, p->cfg.drop_reasons);
}

void kw_pipeline_event(struct kw_pipeline *p, const struct kw_event *ev)
{
	uint64_t id = ++p->next_event_id;
	struct kw_explanation *ex;

	if (p->sinks.event)
		p->sinks.event(p->sinks.ctx, ev, id);
	kw_model_apply(&p->model, ev, id);

	switch (ev->hdr.type) {
	case KW_EV_RESET_SENT:
		if (!ev->conn.state) {
			/* a refusal answers a SYN; a reset for a late segment of a
			 * connection this end has already forgotten (its ACK, FIN)
			 * refuses nothing */
			if (!ev->conn.tcp_flags || (ev->conn.tcp_flags & KW_TCP_SYN))
				on_refused_server(p, &ev->conn, id);
		} else if (!kw_pl_net_hold_reset(p, &ev->conn, id)) {
			kw_pl_explain_reset(p, &ev->conn, id);
		}
		break;
	case KW_EV_RESET_RECV:
		ex = new_explanation(p);
		kw_explain_reset(&p->model, ex, &ev->conn, NULL);
		kw_ex_add_event(ex, id);
		explain_or_count(p, ex, true);
		break;
	case KW_EV_CONNECT_FAIL:
		if (ev->conn.error == ECONNREFUSED_)
			on_refused_client(p, &ev->conn, id);
		break;
	case KW_EV_SOCK_ERROR:
		kw_pl_net_sock_error(p, &ev->conn, id);
		break;
	case KW_EV_ACCEPT_QUEUE:
	case KW_EV_CONNECT_TIMEOUT:
	case KW_EV_SYN_FILTERED:
	case KW_EV_IDLE_RESET:
		kw_pl_net_event(p, ev, id);
		break;
	case KW_EV_OOM_KILL:
		ex = new_explanation(p);
		kw_explain_oom(&p->model, ex, &ev->oom);
		kw_ex_add_event(ex, id);
		emit_explanation(p, ex);
		break;
	case KW_EV_PROC_EXIT:
		ex = new_explanation(p);
		if (kw_explain_kill(&p->model, ex, &ev->exit)) {
			kw_ex_add_event(ex, id);
			emit_explanation(p, ex);
		}
		break;
	case KW_EV_UNIX_CONNECT_FAIL:
		ex = new_explanation(p);
		kw_ex_add_event(ex, id);
		if (kw_explain_unix(&p->model, ex, &ev->unix_conn))
			explain_or_count(p, ex, false);
		break;
	case KW_EV_CONNECT_NOADDR:
		ex = new_explanation(p);
		kw_ex_add_event(ex, id);
		kw_explain_no_port(&p->model, ex, &ev->conn);
		explain_or_count(p, ex, false);
		break;
	case KW_EV_ACCEPT_FAIL:
		ex = new_explanation(p);
		kw_ex_add_event(ex, id);
		kw_explain_fd_limit(&p->model, ex, &ev->accept_fail);
		explain_or_count(p, ex, false);
		break;
	case KW_EV_REPEAT:
		on_repeat(p, &ev->repeat);
		break;
	case KW_EV_RESYNC:
		if (ev->resync.phase == KW_RESYNC_END)
			reexplain_pending(p);
		break;
	default:
		break;
	}
}

bool kw_pipeline_pending(const struct kw_pipeline *p)
{
	return p->nr_pending > 0 || kw_pl_net_pending(p);
}

void kw_pipeline_flush(struct kw_pipeline *p)
{
	kw_pipeline_flush_at(p, 0);
}

void kw_pipeline_flush_at(struct kw_pipeline *p, uint64_t now_ns)
{
	/* never before the events already seen */
	p->flush_ns = now_ns > p->model.now_ns ? now_ns : p->model.now_ns;
	flush_pending(p, false);
	kw_pl_net_flush(p, false);
	for (uint32_t i = 0; i < KW_DEDUP_MAX; i++) {
		struct kw_dedup *d = &p->dedup[i];

		if (d->used && d->count > d->reported &&
		    p->model.now_ns >= d->last_summary_ns + p->cfg.summary_every_ns)
			summarise(p, d, false);
	}
}

void kw_pipeline_finish(struct kw_pipeline *p)
{
	flush_pending(p, true);
	kw_pl_net_flush(p, true);
	kw_pipeline_flush(p);
	for (uint32_t i = 0; i < KW_DEDUP_MAX; i++) {
		struct kw_dedup *d = &p->dedup[i];

		if (d->used && d->count > d->reported)
			summarise(p, d, true);
	}
}

/* ---- for pipeline_net.c ---- */

struct kw_dedup *kw_pl_dedup_find(struct kw_pipeline *p, uint8_t cause, uint32_t netns,
				  const struct kw_addr *dest)
{
	return dedup_find(p, cause, netns, dest);
}

void kw_pl_explain_or_count(struct kw_pipeline *p, struct kw_explanation *ex, bool server_side)
{
	explain_or_count(p, ex, server_side);
}

/* a reset of an existing connection, sent by this host */
void kw_pl_explain_reset(struct kw_pipeline *p, const struct kw_ev_conn *c, uint64_t id)
{
	struct kw_explanation *ex = new_explanation(p);

	kw_explain_reset(&p->model, ex, c, reason_name(p, c));
	kw_ex_add_event(ex, id);
	explain_or_count(p, ex, true);
}
