// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Causes (see explain.h).  Each kw_explain_* decides the cause from the
 * model, copies the facts, and renders the sentence and the fix. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/escape.h"
#include "core/explain.h"
#include "core/exit_status.h"
#include "util/textfmt.h"
#include "core/names.h"

const char *kw_cause_name(enum kw_cause c)
{
	static const char *const names[KW_CAUSE_MAX] = {
		[KW_CAUSE_WRONG_ADDRESS] = "wrong_address",
		[KW_CAUSE_WRONG_FAMILY] = "wrong_family",
		[KW_CAUSE_LISTENER_EXITED] = "listener_exited",
		[KW_CAUSE_CRASH_LOOP] = "crash_loop",
		[KW_CAUSE_BIND_FAILED] = "bind_failed",
		[KW_CAUSE_WRONG_PORT] = "wrong_port",
		[KW_CAUSE_WRONG_NETNS] = "wrong_netns",
		[KW_CAUSE_NO_LISTENER] = "no_listener",
		[KW_CAUSE_REMOTE] = "remote",
		[KW_CAUSE_RESET_SENT] = "reset_sent",
		[KW_CAUSE_PEER_RESET] = "peer_reset",
		[KW_CAUSE_MEMCG_LIMIT] = "memcg_limit",
		[KW_CAUSE_GLOBAL_OOM] = "global",
		[KW_CAUSE_USERSPACE_KILLER] = "userspace_killer",
		[KW_CAUSE_RUNTIME_STOP] = "runtime_stop",
		[KW_CAUSE_UNIX_MISSING] = "unix_missing",
		[KW_CAUSE_UNIX_NO_LISTENER] = "unix_no_listener",
		[KW_CAUSE_UNIX_BACKLOG_FULL] = "unix_backlog_full",
		[KW_CAUSE_UNIX_PERMISSION] = "unix_permission",
		[KW_CAUSE_PORTS_EXHAUSTED] = "ports_exhausted",
		[KW_CAUSE_FD_LIMIT] = "fd_limit",
		[KW_CAUSE_ACCEPT_QUEUE_FULL] = "accept_queue_full",
		[KW_CAUSE_CONNECT_TIMEOUT] = "connect_timeout",
		[KW_CAUSE_FIREWALL_REJECT] = "firewall_reject",
		[KW_CAUSE_FIREWALL_DROP] = "firewall_drop",
		[KW_CAUSE_KEEPALIVE_RACE] = "keepalive_race",
	};
	return c < KW_CAUSE_MAX ? names[c] : NULL;
}

bool kw_cause_refused_here(uint8_t cause)
{
	return cause >= KW_CAUSE_WRONG_ADDRESS && cause <= KW_CAUSE_NO_LISTENER;
}

void kw_ex_add_event(struct kw_explanation *ex, uint64_t id)
{
	for (uint32_t i = 0; i < ex->nr_events; i++)
		if (ex->events[i] == id)
			return;
	if (id && ex->nr_events < KW_EX_EVENTS)
		ex->events[ex->nr_events++] = id;
}

/* ---- places ---- */

void kw_place_from_cgroup(const struct kw_model *m, struct kw_place *p, uint64_t id, bool v1)
{
	const struct kw_ev_cgroup *c = kw_model_cgroup(m, id, v1);

	memset(p, 0, sizeof(*p));
	p->cgroup_id = id;
	if (!c)
		return;
	p->known = true;
	p->runtime = c->runtime;
	memcpy(p->id, c->container_id, sizeof(p->id));
	memcpy(p->name, c->name, sizeof(p->name));
	memcpy(p->pod, c->pod, sizeof(p->pod));
	memcpy(p->k8s_namespace, c->k8s_namespace, sizeof(p->k8s_namespace));
	memcpy(p->path, c->path, sizeof(p->path));
}

void kw_place_from_netns(const struct kw_model *m, struct kw_place *p, uint32_t netns,
			 uint64_t cookie)
{
	kw_place_from_cgroup(m, p, kw_model_netns_cgroup(m, netns, cookie), false);
}

void kw_explain_refresh_place(const struct kw_model *m, struct kw_explanation *ex)
{
	/* the process that died is this refusal's own client: no upstream */
	if (ex->upstream_known && ex->client_known &&
	    ex->upstream_victim.tgid == ex->client_task.tgid &&
	    ex->cause == KW_CAUSE_NO_LISTENER) {
		ex->upstream_known = false;
	}
	if (ex->client_known)
		kw_place_from_cgroup(m, &ex->client_place, ex->client_task.cgroup_id, false);
	if (ex->place.known)
		return;
	kw_place_from_netns(m, &ex->place, ex->netns, ex->netns_cookie);
	/* a namespace where only the client was seen is the client's */
	if (!ex->place.known && ex->client_known && ex->client_task.netns_ino == ex->netns)
		ex->place = ex->client_place;
}

/* The programs that send a container's processes their stop signals:
 * runc/crun/youki (docker, containerd, CRI-O, podman), the shims and
 * monitors that call them, and the runtimes themselves. */
static bool is_runtime(const struct kw_task *t)
{
	static const char *const names[] = { "runc", "crun", "youki", "runsc", "containerd-shim",
					     "containerd", "dockerd", "conmon", "crio", "podman" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strncmp(t->comm, names[i], sizeof(t->comm)))
			return true;
	return false;
}

/* the newest recent signal sig to tgid, sent by another process, at or
 * before ts; NULL if none */
static const struct kw_kill *signal_to(const struct kw_model *m, uint32_t tgid, uint32_t sig,
				       uint64_t ts)
{
	for (uint32_t i = 0; i < m->kills.n; i++) {
		const struct kw_kill *k = KW_RING_AT(&m->kills, i);

		if (k->target.tgid == tgid && k->sig == sig && !k->from_kernel && k->ts_ns <= ts &&
		    kw_model_recent(m, k->ts_ns))
			return k;
	}
	return NULL;
}

/* The listener went away because its container was being stopped: a
 * SIGTERM from the runtime to its owner (or to the process that closed
 * it) shortly before the close (docker stop, a pod deleted). */
#define KW_STOP_BEFORE_CLOSE_NS (120ULL * 1000000000ULL)

static void find_runtime_stop(const struct kw_model *m, struct kw_explanation *ex,
			      const struct kw_closed_listener *c)
{
	const uint32_t who[2] = { c->l.owner_known ? c->l.owner.tgid : 0, c->closer.tgid };

	for (int i = 0; i < 2; i++) {
		const struct kw_kill *k = who[i] ? signal_to(m, who[i], 15, c->closed_ns) : NULL;

		/* a worker stopped by its master, which the runtime stopped */
		if (k && !is_runtime(&k->sender))
			k = signal_to(m, k->sender.tgid, 15, k->ts_ns);
		if (k && is_runtime(&k->sender) && c->closed_ns - k->ts_ns <= KW_STOP_BEFORE_CLOSE_NS) {
			ex->stop_known = true;
			ex->stop = *k;
			kw_ex_add_event(ex, k->event_id);
			return;
		}
	}
}

/* The upstream link: the process that died (tgid, at ts, with status) had a
 * connect refused just before; explain that refusal too, one level deeper
 * each time (db not up -> backend exits -> nginx refused), at most
 * KW_UPSTREAM_DEPTH levels. */
#define KW_UPSTREAM_DEPTH 3
static int g_upstream_depth;

static void find_upstream(const struct kw_model *m, struct kw_explanation *ex,
			  const struct kw_task *who, uint32_t status, uint64_t ts)
{
	static struct kw_explanation scratch[KW_UPSTREAM_DEPTH];
	const struct kw_refused_conn *r = kw_model_refused_before(m, who->tgid, ts);
	struct kw_explanation *up;

	if (!r || g_upstream_depth >= KW_UPSTREAM_DEPTH)
		return;
	up = &scratch[g_upstream_depth++];
	memset(up, 0, sizeof(*up));
	kw_explain_refusal(m, up, r->netns, r->netns_cookie, &r->dest, r->ts_ns);
	g_upstream_depth--;
	ex->upstream_known = true;
	ex->upstream = *r;
	ex->upstream_victim = *who;
	ex->upstream_victim_status = status;
	ex->upstream_victim_ns = ts;
	ex->upstream_cause = up->cause;
	snprintf(ex->upstream_text, sizeof(ex->upstream_text), "%s", up->text);
	kw_ex_add_event(ex, r->event_id);
}

/* A crash loop: the listener on this port in this place (its container,
 * else its namespace) went away at least KW_LOOP_MIN times within
 * KW_LOOP_WINDOW_NS, coming back in between.  The cycles, oldest first,
 * and the time nothing listened. */
#define KW_LOOP_MIN 3
#define KW_LOOP_WINDOW_NS (60ULL * 1000000000ULL)

static bool same_place(const struct kw_model *m, const struct kw_closed_listener *a,
		       const struct kw_closed_listener *b)
{
	struct kw_place pa, pb;

	kw_place_from_cgroup(m, &pa, a->l.cgroup_id, false);
	kw_place_from_cgroup(m, &pb, b->l.cgroup_id, false);
	if (pa.known && pb.known && pa.runtime != KW_RT_HOST && pb.runtime != KW_RT_HOST)
		return !strcmp(pa.id, pb.id);	/* a container: a restart may get a new netns */
	return a->l.netns == b->l.netns &&
	       !strncmp(a->l.owner.comm, b->l.owner.comm, sizeof(a->l.owner.comm));
}

static bool find_crash_loop(const struct kw_model *m, struct kw_explanation *ex,
			    const struct kw_closed_listener *last, uint64_t ts)
{
	const struct kw_closed_listener *seen[KW_EX_CYCLES];
	uint32_t n = 0;

	for (uint32_t i = 0; i < m->closed.n && n < KW_EX_CYCLES; i++) {
		const struct kw_closed_listener *c = KW_RING_AT(&m->closed, i);

		if (c->closed_ns > ts || c->closed_ns + KW_LOOP_WINDOW_NS < ts ||
		    c->l.local.port != last->l.local.port || !same_place(m, c, last))
			continue;
		seen[n++] = c;		/* newest first */
	}
	if (n < KW_LOOP_MIN)
		return false;
	ex->nr_cycles = n;
	ex->loop_down_ns = 0;
	for (uint32_t k = 0; k < n; k++) {
		const struct kw_closed_listener *c = seen[n - 1 - k];	/* oldest first */
		uint64_t back = k + 1 < n ? seen[n - 2 - k]->l.since_ns : ts;

		ex->cycles[k] = *c;
		if (back > c->closed_ns)
			ex->loop_down_ns += back - c->closed_ns;
		kw_ex_add_event(ex, c->event_id);
	}
	ex->loop_window_ns = ts - ex->cycles[0].closed_ns;
	return true;
}

/* ---- refusals ---- */

static bool same_netns_port(const struct kw_listener *l, uint32_t netns, uint16_t port)
{
	return l->netns == netns && l->local.port == port;
}

/* the most recent closed listener that would have taken this connection */
static const struct kw_closed_listener *find_closed(const struct kw_model *m, uint32_t netns,
						    const struct kw_addr *dest, uint64_t ts)
{
	for (uint32_t i = 0; i < m->closed.n; i++) {
		const struct kw_closed_listener *c = KW_RING_AT(&m->closed, i);

		if (c->l.netns == netns && c->closed_ns <= ts && kw_model_recent(m, c->closed_ns) &&
		    kw_listener_accepts(&c->l, dest))
			return c;
	}
	return NULL;
}

/* A recent failed bind whose address would have taken dest: a server that
 * could not start there (a bind of 127.0.0.1:P says nothing of 127.0.0.2:P). */
static const struct kw_bind_rec *find_bind_failure(const struct kw_model *m, uint32_t netns,
						    const struct kw_addr *dest, uint64_t ts)
{
	for (uint32_t i = 0; i < m->binds.n; i++) {
		const struct kw_bind_rec *b = KW_RING_AT(&m->binds, i);
		struct kw_listener would = { .local = b->addr };

		if (b->err && b->netns == netns && b->addr.port == dest->port && b->ts_ns <= ts &&
		    kw_model_recent(m, b->ts_ns) && kw_listener_accepts(&would, dest))
			return b;
	}
	return NULL;
}

/* bind_failed with EADDRINUSE: who holds the port now (read when the bind
 * failed) and whether the process that opened the socket is among them */
static void find_holders(const struct kw_model *m, struct kw_explanation *ex)
{
	const struct kw_ev_sock_holders *h;
	const struct kw_death *d;

	if (ex->bind.err != EADDRINUSE)
		return;		/* holders are read for EADDRINUSE only */
	h = kw_model_holders(m, ex->bind.netns, ex->bind.addr.port, ex->bind.ts_ns,
			     KW_HOLDERS_AT_BIND);
	if (!h || !h->nr)
		return;
	ex->holders_known = true;
	ex->holders = *h;
	if (!ex->holder_known)
		return;
	for (uint32_t i = 0; i < h->nr; i++)
		if (h->holders[i].tgid == ex->holder.tgid)
			return;
	d = kw_model_death_of(m, ex->holder.tgid, ex->bind.ts_ns);
	ex->opener_gone = true;
	if (d)
		ex->opener_death = *d;
}

/* listener_exited after its creator died: who held it then, read at the
 * death (the workers that kept it open) */
static void find_heirs(const struct kw_model *m, struct kw_explanation *ex)
{
	const struct kw_closed_listener *c = &ex->closed;
	const struct kw_ev_sock_holders *h;

	if (!c->creator_died)
		return;
	h = kw_model_holders(m, c->l.netns, c->l.local.port, c->closed_ns,
			     KW_HOLDERS_AT_CREATOR_EXIT);
	if (!h || h->hdr.ts_boot_ns < c->creator_death.ts_ns || !h->total)
		return;
	ex->heirs_known = true;
	ex->heirs = *h;
}

/* who holds a port in a namespace: a listener, else a successful bind */
static void find_holder(const struct kw_model *m, struct kw_explanation *ex, uint32_t netns,
			uint16_t port, uint32_t not_tgid)
{
	const struct kw_listener *first = NULL;
	uint32_t s;

	/* the first in the table's order */
	KW_LX_FOR_NP(m, s, netns, port) {
		const struct kw_listener *l = &m->listeners[s];

		if (same_netns_port(l, netns, port) && l->owner_known && (!first || l < first))
			first = l;
	}
	if (first) {
		ex->holder_known = true;
		ex->holder = first->owner;
		ex->holder_addr = first->local;
		return;
	}
	for (uint32_t i = 0; i < m->binds.n; i++) {
		const struct kw_bind_rec *b = KW_RING_AT(&m->binds, i);
		uint16_t p = b->bound_port ? b->bound_port : b->addr.port;

		if (!b->err && b->netns == netns && p == port && b->task.tgid != not_tgid) {
			ex->holder_known = true;
			ex->holder = b->task;
			ex->holder_addr = b->addr;
			return;
		}
	}
}

static void add_listener(struct kw_explanation *ex, const struct kw_listener *l)
{
	if (ex->nr_listeners < KW_EX_LISTENERS)
		ex->listeners[ex->nr_listeners++] = *l;
}

static bool ip_accepts(const struct kw_listener *l, const struct kw_addr *dest)
{
	struct kw_listener any = *l;

	any.local.port = dest->port;	/* ignore the port */
	return kw_listener_accepts(&any, dest);
}

/* A listener this far from the dialled port is no plausible mistake: the
 * refusal is then "no_listener", not "wrong_port". */
#define KW_WRONG_PORT_SPAN 100

/* l goes into best[] (KW_EX_LISTENERS, NULL-terminated) if it comes
 * before one there: by distance d from port (0 for all: the table's
 * order), then by the table's order */
static void keep_best(const struct kw_listener **best, const struct kw_listener *l,
		      uint16_t port)
{
	unsigned int d = abs((int)l->local.port - (int)port);

	for (int k = 0; k < KW_EX_LISTENERS; k++) {
		unsigned int dk = best[k] ? (unsigned int)abs((int)best[k]->local.port - (int)port) : 0;

		if (!best[k] || d < dk || (d == dk && l < best[k])) {
			memmove(&best[k + 1], &best[k], (KW_EX_LISTENERS - 1 - k) * sizeof(best[0]));
			best[k] = l;
			return;
		}
	}
}

/* Listeners of other ports that would take this address, nearest first:
 * the ports within KW_WRONG_PORT_SPAN, each looked up. */
static void nearest_ports(const struct kw_model *m, struct kw_explanation *ex, uint32_t netns,
			  const struct kw_addr *dest, uint64_t ts)
{
	const struct kw_listener *best[KW_EX_LISTENERS + 1] = {};
	int lo = dest->port > KW_WRONG_PORT_SPAN ? dest->port - KW_WRONG_PORT_SPAN : 0;
	int hi = dest->port + KW_WRONG_PORT_SPAN < 65535 ? dest->port + KW_WRONG_PORT_SPAN : 65535;
	uint32_t s;

	if (!kw_lx_netns_count(m, netns))
		return;
	for (int port = lo; port <= hi; port++) {
		KW_LX_FOR_NP(m, s, netns, port) {
			const struct kw_listener *l = &m->listeners[s];

			/* one that would have taken it is a ghost (its close
			 * was lost): the kernel refused, so it is not there */
			if (l->netns != netns || l->local.port != port || l->since_ns > ts ||
			    !ip_accepts(l, dest) || kw_listener_accepts(l, dest))
				continue;
			keep_best(best, l, dest->port);
		}
	}
	for (int k = 0; k < KW_EX_LISTENERS && best[k]; k++)
		add_listener(ex, best[k]);
}

/* the OOM kill event id was a host-wide one (false when it is gone from
 * the model, or 0) */
static bool oom_was_global(const struct kw_model *m, uint64_t id)
{
	for (uint32_t i = 0; id && i < m->ooms.n; i++) {
		const struct kw_oom_rec *o = KW_RING_AT(&m->ooms, i);

		if (o->event_id == id)
			return o->ev.limit_level == KW_OOM_GLOBAL;
	}
	return false;
}

void kw_explain_refusal(const struct kw_model *m, struct kw_explanation *ex, uint32_t netns,
			uint64_t netns_cookie, const struct kw_addr *dest, uint64_t ts)
{
	const struct kw_closed_listener *closed;
	const struct kw_bind_rec *bind;
	const struct kw_listener *same_family[KW_EX_LISTENERS + 1] = {};
	const struct kw_listener *other_family[KW_EX_LISTENERS + 1] = {};
	const struct kw_listener *other_netns = NULL;
	uint32_t s;

	ex->netns = netns;
	ex->netns_cookie = netns_cookie;
	ex->dest = *dest;
	ex->ts_ns = ts;
	/* the listeners this rests on were re-read after lost events */
	ex->resynced = m->resync_ns && m->resync_ns <= ts && kw_model_recent(m, m->resync_ns);
	ex->resync_lost = m->resync_lost;
	kw_place_from_netns(m, &ex->place, netns, netns_cookie);

	bind = find_bind_failure(m, netns, dest, ts);
	closed = find_closed(m, netns, dest, ts);
	/* the newer of the two is nearer the refusal: a listener that went
	 * away after the failed bind is what this refusal met */
	if (bind && closed && closed->closed_ns > bind->ts_ns) {
		ex->bind_meanwhile = true;	/* told with the closed listener */
		ex->bind = *bind;
		/* the one that held the port then is the closed listener's */
		if (closed->l.owner_known) {
			ex->holder_known = true;
			ex->holder = closed->l.owner;
			ex->holder_addr = closed->l.local;
		}
		find_holders(m, ex);
		kw_ex_add_event(ex, bind->event_id);
		bind = NULL;
	}
	if (bind) {
		ex->cause = KW_CAUSE_BIND_FAILED;
		ex->bind = *bind;
		ex->delay_ns = ts - bind->ts_ns;
		find_holder(m, ex, netns, dest->port, bind->task.tgid);
		find_holders(m, ex);
		kw_ex_add_event(ex, bind->event_id);
		goto out;
	}
	if (closed) {
		ex->cause = KW_CAUSE_LISTENER_EXITED;
		ex->closed = *closed;
		ex->delay_ns = ts - closed->closed_ns;
		if (find_crash_loop(m, ex, closed, ts))
			ex->cause = KW_CAUSE_CRASH_LOOP;
		kw_ex_add_event(ex, closed->oom_event_id);
		ex->closed_oom_global = oom_was_global(m, closed->oom_event_id);
		if (closed->creator_died)
			kw_ex_add_event(ex, closed->creator_death.event_id);
		find_heirs(m, ex);
		kw_ex_add_event(ex, closed->event_id);
		if (closed->closer_exited)
			kw_ex_add_event(ex, closed->closer_exit_event_id);
		find_runtime_stop(m, ex, closed);
		if (closed->creator_died)
			find_upstream(m, ex, &closed->creator_death.task,
				      closed->creator_death.wait_status, closed->creator_death.ts_ns);
		else if (closed->how == KW_CLOSE_EXIT || closed->how == KW_CLOSE_KILLED)
			find_upstream(m, ex, &closed->closer, closed->wait_status, closed->closed_ns);
		else if (closed->closer_exited)
			find_upstream(m, ex, &closed->closer, closed->closer_wait_status,
				      closed->closer_exit_ns);
		goto out;
	}
	/* listeners of this port and namespace on other addresses: of the
	 * destination's family (or taking it), else of the other one */
	KW_LX_FOR_NP(m, s, netns, dest->port) {
		const struct kw_listener *l = &m->listeners[s];

		if (!same_netns_port(l, netns, dest->port) || l->since_ns > ts ||
		    kw_listener_accepts(l, dest))
			continue;
		if (l->local.family == dest->family ||
		    (l->local.family == 10 && dest->family == 2 && !l->v6only))
			keep_best(same_family, l, 0);
		else
			keep_best(other_family, l, 0);
	}
	if (same_family[0] || other_family[0]) {
		const struct kw_listener **which = same_family[0] ? same_family : other_family;

		ex->cause = same_family[0] ? KW_CAUSE_WRONG_ADDRESS : KW_CAUSE_WRONG_FAMILY;
		for (int k = 0; k < KW_EX_LISTENERS && which[k]; k++)
			add_listener(ex, which[k]);
		goto out;
	}
	/* the port listened on in another namespace: the first in the
	 * table's order */
	KW_LX_FOR_PORT(m, s, dest->port) {
		const struct kw_listener *l = &m->listeners[s];

		if (l->netns != netns && l->local.port == dest->port && l->since_ns <= ts &&
		    (!other_netns || l < other_netns))
			other_netns = l;
	}
	if (other_netns) {
		const struct kw_listener *l = other_netns;

		ex->cause = KW_CAUSE_WRONG_NETNS;
		add_listener(ex, l);
		kw_place_from_netns(m, &ex->other_place, l->netns, l->netns_cookie);
		if (!ex->other_place.known)
			kw_place_from_cgroup(m, &ex->other_place, l->cgroup_id, false);
		goto out;
	}
	nearest_ports(m, ex, netns, dest, ts);
	if (ex->nr_listeners) {
		ex->cause = KW_CAUSE_WRONG_PORT;
		goto out;
	}
	ex->cause = KW_CAUSE_NO_LISTENER;
	ex->listeners_checked = kw_lx_netns_count(m, netns);
	KW_LX_FOR_NP(m, s, netns, dest->port)
		ex->ghosts += m->listeners[s].netns == netns &&
			      kw_listener_accepts(&m->listeners[s], dest);
	ex->snapshot_taken = m->snapshot_taken;
	/* a process of this namespace that died after its own connect was
	 * refused (a backend that gives up when its database refuses, before
	 * it ever listened) */
	for (uint32_t i = 0; i < m->deaths.n; i++) {
		const struct kw_death *d = KW_RING_AT(&m->deaths, i);

		const struct kw_refused_conn *r;

		/* a server that gave up: failed (not exit 0), and refused
		 * elsewhere than here (else it is this refusal's own client) */
		if (d->task.netns_ino != netns || d->ts_ns > ts || !kw_model_recent(m, d->ts_ns) ||
		    !d->wait_status)
			continue;
		r = kw_model_refused_before(m, d->task.tgid, d->ts_ns);
		if (r && !(r->dest.port == dest->port && kw_addr_same_ip(&r->dest, dest))) {
			find_upstream(m, ex, &d->task, d->wait_status, d->ts_ns);
			kw_ex_add_event(ex, d->event_id);
			break;
		}
	}
out:
	for (uint32_t i = 0; i < ex->nr_listeners; i++)
		kw_ex_add_event(ex, ex->listeners[i].event_id);
	kw_explain_render(ex);
}

void kw_explain_remote(const struct kw_model *m, struct kw_explanation *ex,
		       const struct kw_ev_conn *c)
{
	ex->cause = KW_CAUSE_REMOTE;
	ex->netns = c->hdr.netns_ino;
	ex->netns_cookie = c->hdr.netns_cookie;
	ex->dest = c->remote;
	ex->client = c->local;
	ex->ts_ns = c->hdr.ts_boot_ns;
	if (c->hdr.flags & KW_F_TASK) {
		ex->client_known = true;
		ex->client_task = c->hdr.task;
		kw_place_from_cgroup(m, &ex->place, c->hdr.task.cgroup_id, false);
	}
	if (!ex->place.known)
		kw_place_from_netns(m, &ex->place, ex->netns, ex->netns_cookie);
	kw_explain_render(ex);
}

void kw_explain_reset(const struct kw_model *m, struct kw_explanation *ex,
		      const struct kw_ev_conn *c, const char *reason_name)
{
	ex->cause = c->hdr.type == KW_EV_RESET_RECV ? KW_CAUSE_PEER_RESET : KW_CAUSE_RESET_SENT;
	ex->netns = c->hdr.netns_ino;
	ex->netns_cookie = c->hdr.netns_cookie;
	ex->dest = c->remote;
	ex->client = c->local;
	ex->ts_ns = c->hdr.ts_boot_ns;
	ex->tcp_state = c->state;
	ex->reason = c->reason;
	if (reason_name)
		snprintf(ex->reason_name, sizeof(ex->reason_name), "%s", reason_name);
	if (c->hdr.flags & KW_F_TASK) {
		ex->client_known = true;
		ex->client_task = c->hdr.task;
	}
	kw_place_from_netns(m, &ex->place, ex->netns, ex->netns_cookie);
	kw_explain_render(ex);
}

/* ---- deaths ---- */

/* A host_memory record is read for one global OOM kill, with its victim,
 * and stamped with that kill's time. */
#define KW_HOST_MEM_SKEW_NS 1000000000ULL

/* The host's memory read when this global OOM kill was seen, and the
 * names of its biggest cgroups; nothing when it was not recorded. */
static void find_host_mem(const struct kw_model *m, struct kw_explanation *ex,
			  const struct kw_ev_oom *oom)
{
	for (uint32_t i = 0; i < m->host_mem.n; i++) {
		const struct kw_ev_host_mem *h = KW_RING_AT(&m->host_mem, i);
		uint64_t t = h->hdr.ts_boot_ns, k = oom->hdr.ts_boot_ns;

		if (h->victim_pid != oom->victim.tgid ||
		    (t > k ? t - k : k - t) > KW_HOST_MEM_SKEW_NS)
			continue;
		ex->host_mem_known = true;
		ex->host_mem = *h;
		for (uint32_t c = 0; c < h->nr_cgroups && c < KW_EX_CGROUPS; c++)
			kw_place_from_cgroup(m, &ex->cgroup_places[c], h->cgroups[c].cgroup_id,
					     h->cgroups_v1);
		return;
	}
}

void kw_explain_oom(const struct kw_model *m, struct kw_explanation *ex,
		    const struct kw_ev_oom *oom)
{
	const struct kw_oom_level *lv = NULL;

	ex->oom = *oom;
	ex->victim = oom->victim;
	ex->ts_ns = oom->hdr.ts_boot_ns;
	kw_place_from_cgroup(m, &ex->place, oom->victim.cgroup_id, false);
	if (oom->limit_level != KW_OOM_GLOBAL && oom->limit_level < oom->nr_levels) {
		ex->cause = KW_CAUSE_MEMCG_LIMIT;
		lv = &oom->levels[oom->limit_level];
		kw_place_from_cgroup(m, &ex->limit_place, lv->cgroup_id, oom->memcg_v1);
	} else {
		ex->cause = KW_CAUSE_GLOBAL_OOM;
	}
	if (!lv)
		find_host_mem(m, ex, oom);
	/* the biggest processes read when the kill was seen */
	for (uint32_t i = 0; i < m->memcg_procs.n; i++) {
		const struct kw_ev_memcg_procs *p = KW_RING_AT(&m->memcg_procs, i);
		uint64_t want = lv ? lv->cgroup_id : (oom->nr_levels ? oom->levels[oom->nr_levels - 1].cgroup_id : 0);

		if (p->cgroup_id == want && p->hdr.ts_boot_ns + 1000000000ULL >= oom->hdr.ts_boot_ns) {
			ex->procs_known = true;
			ex->procs = *p;
			break;
		}
	}
	for (uint32_t i = 0; i < m->ooms.n; i++) {
		const struct kw_oom_rec *o = KW_RING_AT(&m->ooms, i);

		if (!kw_model_recent(m, o->ev.hdr.ts_boot_ns))
			continue;
		if (lv ? (o->ev.limit_level < o->ev.nr_levels &&
			  o->ev.levels[o->ev.limit_level].cgroup_id == lv->cgroup_id)
		       : o->ev.limit_level == KW_OOM_GLOBAL)
			ex->ooms_in_window++;
	}
	kw_explain_render(ex);
}

bool kw_explain_kill(const struct kw_model *m, struct kw_explanation *ex,
		     const struct kw_ev_exit *e)
{
	struct kw_exit_status st = kw_exit_status(e->exit_code);
	const struct kw_kill *k, *term = NULL;

	if (!st.signaled || (st.sig != 9 && st.sig != 15))
		return false;
	if (st.sig == 9 && kw_model_oom_of(m, e->hdr.task.tgid, e->hdr.ts_boot_ns))
		return false;
	k = signal_to(m, e->hdr.task.tgid, st.sig, e->hdr.ts_boot_ns);
	if (!k || (st.sig == 15 && !is_runtime(&k->sender)))
		return false;	/* a SIGTERM death is a story only when a runtime sent it */
	if (is_runtime(&k->sender)) {
		ex->cause = KW_CAUSE_RUNTIME_STOP;
		if (st.sig == 9)
			term = signal_to(m, e->hdr.task.tgid, 15, k->ts_ns);
		if (term && is_runtime(&term->sender)) {
			ex->term_known = true;
			ex->term = *term;
			kw_ex_add_event(ex, term->event_id);
		}
	} else {
		ex->cause = KW_CAUSE_USERSPACE_KILLER;
	}
	ex->kill = *k;
	ex->victim = e->hdr.task;
	ex->ts_ns = e->hdr.ts_boot_ns;
	kw_place_from_cgroup(m, &ex->place, e->hdr.task.cgroup_id, false);
	kw_place_from_cgroup(m, &ex->other_place, k->sender.cgroup_id, false);
	kw_ex_add_event(ex, k->event_id);
	kw_explain_render(ex);
	return true;
}
