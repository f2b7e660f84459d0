// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The host model (see model.h): how each event changes it. */
#include <string.h>
#include "core/model.h"

/* ECONNREFUSED, as the kernel's sk_err holds it (core reads no libc errno) */
#define ECONNREFUSED_ERRNO 111
/* the wait status of a process killed by SIGKILL (9), as wait(2) gives it */
#define SIGKILL_STATUS 9
#include "core/exit_status.h"

/* Only the counts are reset: a table's slots past its count are never
 * read, and not touching them keeps the untouched part of this 1+ MiB
 * structure out of resident memory. */
void kw_model_init(struct kw_model *m, const struct kw_model_cfg *cfg)
{
	m->cfg = *cfg;
	m->now_ns = 0;
	kw_lx_reset(m);
	m->listeners_evicted = 0;
	m->snapshot_taken = false;
	m->resync_ns = m->resync_lost = 0;
	m->closed.head = m->closed.n = 0;
	m->binds.head = m->binds.n = 0;
	m->deaths.head = m->deaths.n = 0;
	m->kills.head = m->kills.n = 0;
	m->refused.head = m->refused.n = 0;
	m->ooms.head = m->ooms.n = 0;
	m->memcg_procs.head = m->memcg_procs.n = 0;
	m->holders.head = m->holders.n = 0;
	m->host_mem.head = m->host_mem.n = 0;
	m->cgroups.head = m->cgroups.n = 0;
	m->netns.head = m->netns.n = 0;
	m->nr_unix = 0;
	m->unix_paths.head = m->unix_paths.n = 0;
	m->port_usage.head = m->port_usage.n = 0;
	m->fd_usage.head = m->fd_usage.n = 0;
	m->timeouts.head = m->timeouts.n = 0;
	m->overflows.head = m->overflows.n = 0;
	m->queues.head = m->queues.n = 0;
	m->syns.head = m->syns.n = 0;
	memset(m->cg_heads, 0, sizeof(m->cg_heads));
	memset(m->netns_heads, 0, sizeof(m->netns_heads));
	if (!m->cfg.recent_ns)
		m->cfg.recent_ns = KW_DEFAULT_RECENT_NS;
}

bool kw_model_recent(const struct kw_model *m, uint64_t ts_ns)
{
	return ts_ns + m->cfg.recent_ns >= m->now_ns;
}

/* ---- addresses ---- */

static const uint8_t v4mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

bool kw_addr_is_wildcard(const struct kw_addr *a)
{
	static const uint8_t zero[16];

	return !memcmp(a->addr, zero, a->family == 10 ? 16 : 4);
}

bool kw_addr_is_loopback(const struct kw_addr *a)
{
	static const uint8_t lo6[16] = { [15] = 1 };

	if (a->family == 2)
		return a->addr[0] == 127;
	return !memcmp(a->addr, lo6, 16) ||
	       (!memcmp(a->addr, v4mapped_prefix, 12) && a->addr[12] == 127);
}

bool kw_addr_same_ip(const struct kw_addr *a, const struct kw_addr *b)
{
	return a->family == b->family && !memcmp(a->addr, b->addr, a->family == 10 ? 16 : 4);
}

/* An IPv4 destination as seen by an IPv6 socket: ::ffff:a.b.c.d */
static bool v4mapped_equal(const struct kw_addr *v6, const struct kw_addr *v4)
{
	return !memcmp(v6->addr, v4mapped_prefix, 12) && !memcmp(v6->addr + 12, v4->addr, 4);
}

bool kw_listener_accepts(const struct kw_listener *l, const struct kw_addr *dest)
{
	if (l->local.port != dest->port)
		return false;
	if (l->local.family == dest->family)
		return kw_addr_is_wildcard(&l->local) || kw_addr_same_ip(&l->local, dest);
	/* a dual-stack IPv6 listener takes IPv4 connections */
	if (l->local.family == 10 && dest->family == 2 && !l->v6only)
		return kw_addr_is_wildcard(&l->local) || v4mapped_equal(&l->local, dest);
	return false;
}

/* ---- lookups ---- */

/* The rings of cgroups and namespaces are indexed by key: a ring slot
 * taken over leaves the chain of the key it held. */
static uint32_t *cg_head(const struct kw_model *m, uint64_t id)
{
	return (uint32_t *)&m->cg_heads[kw_ix_hash64(id) % KW_M_CGROUPS];
}

static uint32_t *netns_head(const struct kw_model *m, uint32_t ino)
{
	return (uint32_t *)&m->netns_heads[kw_ix_hash(ino) % KW_M_NETNS];
}

const struct kw_ev_cgroup *kw_model_cgroup(const struct kw_model *m, uint64_t id, bool v1)
{
	uint32_t s;

	KW_IX_FOR(s, id ? *cg_head(m, id) : 0, m->cg_link) {
		const struct kw_ev_cgroup *c = &m->cgroups.v[s];

		if (c->cgroup_id == id && c->v1_memory == v1)
			return c;
	}
	return NULL;
}

static struct kw_ev_cgroup *push_cgroup(struct kw_model *m, uint64_t id)
{
	uint32_t s = m->cgroups.head;

	if (m->cgroups.n == KW_M_CGROUPS)
		kw_ix_del(cg_head(m, m->cgroups.v[s].cgroup_id), m->cg_link, s);
	(void)KW_RING_PUSH(&m->cgroups);
	kw_ix_add(cg_head(m, id), m->cg_link, s);
	return &m->cgroups.v[s];
}

/* two cookies of one namespace: equal, or one of them unknown (inode
 * numbers are handed to the next namespace at once; cookies are not) */
static bool cookies_match(uint64_t a, uint64_t b)
{
	return !a || !b || a == b;
}

/* the record of the namespace with inode ino (there is one per inode: a
 * reused inode's record is taken over), NULL if none */
static struct kw_netns_rec *netns_rec(const struct kw_model *m, uint32_t ino)
{
	uint32_t s;

	KW_IX_FOR(s, ino ? *netns_head(m, ino) : 0, m->netns_link) {
		const struct kw_netns_rec *r = &m->netns.v[s];

		if (r->ino == ino)
			return (struct kw_netns_rec *)r;
	}
	return NULL;
}

static struct kw_netns_rec *push_netns(struct kw_model *m, uint32_t ino)
{
	uint32_t s = m->netns.head;

	if (m->netns.n == KW_M_NETNS)
		kw_ix_del(netns_head(m, m->netns.v[s].ino), m->netns_link, s);
	(void)KW_RING_PUSH(&m->netns);
	kw_ix_add(netns_head(m, ino), m->netns_link, s);
	return &m->netns.v[s];
}

uint64_t kw_model_netns_cgroup(const struct kw_model *m, uint32_t netns, uint64_t cookie)
{
	const struct kw_netns_rec *r = netns_rec(m, netns);

	/* another cookie: a namespace gone before this one had its inode */
	if (!r || !cookies_match(r->cookie, cookie))
		return 0;
	return r->listener_cgroup_id ? r->listener_cgroup_id : r->cgroup_id;
}

const struct kw_oom_rec *kw_model_oom_of(const struct kw_model *m, uint32_t tgid,
					 uint64_t before_ns)
{
	for (uint32_t i = 0; i < m->ooms.n; i++) {
		const struct kw_oom_rec *o = KW_RING_AT(&m->ooms, i);

		if (o->ev.victim.tgid == tgid && o->ev.hdr.ts_boot_ns <= before_ns &&
		    kw_model_recent(m, o->ev.hdr.ts_boot_ns))
			return o;
	}
	return NULL;
}

const struct kw_refused_conn *kw_model_refused_before(const struct kw_model *m, uint32_t tgid,
						      uint64_t ts)
{
	for (uint32_t i = 0; i < m->refused.n && tgid; i++) {
		const struct kw_refused_conn *r = KW_RING_AT(&m->refused, i);

		if (r->client.tgid == tgid && r->ts_ns <= ts && ts - r->ts_ns <= KW_CLOSE_EXIT_WINDOW_NS)
			return r;
	}
	return NULL;
}

const struct kw_ev_sock_holders *kw_model_holders(const struct kw_model *m, uint32_t netns,
						  uint16_t port, uint64_t ts, uint32_t trigger)
{
	for (uint32_t i = 0; i < m->holders.n; i++) {
		const struct kw_ev_sock_holders *h = KW_RING_AT(&m->holders, i);

		if (h->hdr.netns_ino == netns && h->local.port == port && h->hdr.ts_boot_ns <= ts &&
		    h->trigger == trigger &&
		    kw_model_recent(m, h->hdr.ts_boot_ns))
			return h;
	}
	return NULL;
}

/* ---- updates ---- */

/* Remember that a task lives in a namespace, to name a namespace's
 * container when an event has no process (a reset without a socket). */
static void note_netns_as(struct kw_model *m, uint32_t netns, uint64_t cookie, uint64_t cgroup_id,
			  uint64_t ts, bool listener)
{
	struct kw_netns_rec *r;

	if (!netns || !cgroup_id)
		return;
	r = netns_rec(m, netns);
	if (r && !cookies_match(r->cookie, cookie)) {
		/* a new namespace with a reused inode: forget the old one's */
		memset(r, 0, sizeof(*r));
		r->ino = netns;
	}
	if (!r) {
		r = push_netns(m, netns);
		memset(r, 0, sizeof(*r));
		r->ino = netns;
	}
	if (cookie)
		r->cookie = cookie;
	r->cgroup_id = cgroup_id;
	if (listener)
		r->listener_cgroup_id = cgroup_id;
	r->last_ns = ts;
}

/* A process seen at an event: its namespace's cookie is the event's when
 * the event happened in that namespace. */
static void note_task(struct kw_model *m, const struct kw_task *t, const struct kw_hdr *h)
{
	uint64_t cookie = (h->flags & KW_F_NETNS) && h->netns_ino == t->netns_ino ?
			  h->netns_cookie : 0;

	note_netns_as(m, t->netns_ino, cookie, t->cgroup_id, h->ts_boot_ns, false);
}

/* whose a listener is: its socket's cgroup, else its opener's */
static uint64_t listener_cgroup(const struct kw_listener *l)
{
	return l->cgroup_id ? l->cgroup_id : l->owner.cgroup_id;
}

static void on_listen(struct kw_model *m, const struct kw_ev_listen *e, uint64_t id)
{
	struct kw_listener *l = kw_lx_find(m, e->hdr.netns_ino, &e->local);

	if (l) {
		kw_lx_touch(m, l);
		memset(l, 0, sizeof(*l));
		l->netns = e->hdr.netns_ino;
		l->local = e->local;
	} else {
		l = kw_lx_insert(m, e->hdr.netns_ino, &e->local);
	}
	l->netns_cookie = e->hdr.netns_cookie;
	l->v6only = e->v6only;
	l->backlog = e->backlog;
	l->owner_known = !!(e->hdr.flags & KW_F_TASK);
	l->owner = e->hdr.task;
	l->cgroup_id = e->hdr.cgroup_id;
	l->snapshot = !!(e->hdr.flags & KW_F_SNAPSHOT);
	l->since_ns = e->hdr.ts_boot_ns;
	l->event_id = id;
	if (l->snapshot)
		m->snapshot_taken = true;
	if (l->owner_known)
		note_task(m, &l->owner, &e->hdr);
	/* a listener says whose namespace this is */
	note_netns_as(m, l->netns, l->netns_cookie, listener_cgroup(l), e->hdr.ts_boot_ns, true);
}

const struct kw_death *kw_model_death_of(const struct kw_model *m, uint32_t tgid, uint64_t ts)
{
	for (uint32_t i = 0; i < m->deaths.n; i++) {
		const struct kw_death *d = KW_RING_AT(&m->deaths, i);

		if (d->task.tgid == tgid && d->ts_ns <= ts && kw_model_recent(m, d->ts_ns))
			return d;
	}
	return NULL;
}

/* Another process closed a listener whose creator is already dead: the
 * creator's death (its exit, or at least its OOM kill when the exit was
 * not seen) is why the socket was left to others. */
static void note_creator_death(const struct kw_model *m, struct kw_closed_listener *c)
{
	const struct kw_death *d = kw_model_death_of(m, c->l.owner.tgid, c->closed_ns);
	const struct kw_oom_rec *oom = kw_model_oom_of(m, c->l.owner.tgid, c->closed_ns);

	if (d) {
		c->creator_death = *d;
	} else if (oom) {
		memset(&c->creator_death, 0, sizeof(c->creator_death));
		c->creator_death.task = c->l.owner;
		c->creator_death.wait_status = SIGKILL_STATUS;
		c->creator_death.ts_ns = oom->ev.hdr.ts_boot_ns;
		c->creator_death.oom_event_id = oom->event_id;
	} else {
		return;
	}
	c->creator_died = true;
	if (c->creator_death.oom_event_id)
		c->oom_event_id = c->creator_death.oom_event_id;
}

static void link_closer_exit(struct kw_closed_listener *c, const struct kw_death *d)
{
	c->closer_exited = true;
	c->closer_wait_status = d->wait_status;
	c->closer_exit_ns = d->ts_ns;
	c->closer_exit_event_id = d->event_id;
}

/* Events of two CPUs may arrive out of order: the closer's exit can be in
 * the model before its close is. */
static void note_exit_seen_first(const struct kw_model *m, struct kw_closed_listener *c)
{
	for (uint32_t i = 0; i < m->deaths.n; i++) {
		const struct kw_death *d = KW_RING_AT(&m->deaths, i);

		if (d->task.tgid == c->closer.tgid && d->ts_ns >= c->closed_ns &&
		    d->ts_ns - c->closed_ns <= KW_CLOSE_EXIT_WINDOW_NS) {
			link_closer_exit(c, d);
			return;
		}
	}
}

static void learn_netns_cookie(struct kw_model *m, uint32_t netns, uint64_t cookie)
{
	struct kw_netns_rec *r = netns_rec(m, netns);

	if (r && !r->cookie)
		r->cookie = cookie;
}

/* A namespace's container is the one whose processes listen there now:
 * after a close, the newest listener left says it; with none left, the
 * processes seen there do. */
static void relearn_netns_listener(struct kw_model *m, const struct kw_listener *gone)
{
	struct kw_netns_rec *r = netns_rec(m, gone->netns);
	const struct kw_listener *newest = NULL;
	uint32_t s;

	if (!r || !cookies_match(r->cookie, gone->netns_cookie))
		return;
	/* newest first: the latest listened on */
	KW_LX_FOR_NETNS(m, s, gone->netns) {
		if (cookies_match(m->listeners[s].netns_cookie, gone->netns_cookie)) {
			newest = &m->listeners[s];
			break;
		}
	}
	r->listener_cgroup_id = newest ? listener_cgroup(newest) : 0;
}

static void on_listen_close(struct kw_model *m, const struct kw_ev_listen *e, uint64_t id)
{
	struct kw_listener *l = kw_lx_find(m, e->hdr.netns_ino, &e->local);
	struct kw_closed_listener *c = KW_RING_PUSH(&m->closed);
	const struct kw_oom_rec *oom;

	memset(c, 0, sizeof(*c));
	if (l) {
		c->l = *l;
		kw_lx_remove(m, l);
		/* a listener found at start without its namespace's cookie:
		 * the kernel's close tells it, so a later namespace given the
		 * same inode is not taken for this one */
		if (!c->l.netns_cookie && (e->hdr.flags & KW_F_NETNS) && e->hdr.netns_cookie) {
			c->l.netns_cookie = e->hdr.netns_cookie;
			learn_netns_cookie(m, c->l.netns, c->l.netns_cookie);
		}
		relearn_netns_listener(m, &c->l);
	} else {			/* listening since before kwhy */
		c->l.netns = e->hdr.netns_ino;
		c->l.local = e->local;
		c->l.v6only = e->v6only;
		c->l.backlog = e->backlog;
	}
	if (e->owner_known) {
		c->l.owner = e->hdr.task;
		c->l.owner_known = 1;
	}
	c->closed_ns = e->hdr.ts_boot_ns;
	c->how = e->how;
	c->wait_status = e->closer_exit_code;
	c->closer = e->closer;
	c->event_id = id;
	/* the closer is the owner dying: was it the OOM killer's victim? */
	if (e->how == KW_CLOSE_KILLED) {
		oom = kw_model_oom_of(m, e->closer.tgid, e->hdr.ts_boot_ns);
		if (!oom && c->l.owner_known)
			oom = kw_model_oom_of(m, c->l.owner.tgid, e->hdr.ts_boot_ns);
		if (oom)
			c->oom_event_id = oom->event_id;
	}
	if (c->l.owner_known && e->closer.tgid && e->closer.tgid != c->l.owner.tgid)
		note_creator_death(m, c);
	if (e->how == KW_CLOSE_CALL)
		note_exit_seen_first(m, c);
}

static void on_bind(struct kw_model *m, const struct kw_ev_bind *e, uint64_t id)
{
	struct kw_bind_rec *b = KW_RING_PUSH(&m->binds);

	memset(b, 0, sizeof(*b));
	b->netns = e->hdr.netns_ino;
	b->addr = e->addr;
	b->err = e->ret < 0 ? -e->ret : 0;
	b->bound_port = e->bound_port;
	b->task = e->hdr.task;
	b->ts_ns = e->hdr.ts_boot_ns;
	b->event_id = id;
	note_task(m, &e->hdr.task, &e->hdr);
}

/* A process that closed listeners while alive and exits soon after: the
 * exit belongs to those closes (close, then exit(3)). */
static void note_closer_exit(struct kw_model *m, const struct kw_death *d)
{
	for (uint32_t i = 0; i < m->closed.n; i++) {
		struct kw_closed_listener *c = KW_RING_AT(&m->closed, i);

		if (c->closed_ns + KW_CLOSE_EXIT_WINDOW_NS < d->ts_ns)
			continue;
		if (c->how != KW_CLOSE_CALL || c->closer.tgid != d->task.tgid ||
		    c->closer_exited || c->closed_ns > d->ts_ns)
			continue;
		link_closer_exit(c, d);
	}
}

static void on_exit(struct kw_model *m, const struct kw_ev_exit *e, uint64_t id)
{
	struct kw_death *d = KW_RING_PUSH(&m->deaths);
	const struct kw_oom_rec *oom = kw_model_oom_of(m, e->hdr.task.tgid, e->hdr.ts_boot_ns);

	memset(d, 0, sizeof(*d));
	d->task = e->hdr.task;
	d->wait_status = e->exit_code;
	d->ts_ns = e->hdr.ts_boot_ns;
	d->event_id = id;
	d->oom_event_id = (oom && kw_exit_status(e->exit_code).sig == 9) ? oom->event_id : 0;
	note_closer_exit(m, d);
	note_task(m, &e->hdr.task, &e->hdr);	/* with its namespace's cookie */
}

static void on_signal(struct kw_model *m, const struct kw_ev_signal *e, uint64_t id)
{
	struct kw_kill *k = KW_RING_PUSH(&m->kills);

	k->sender = e->hdr.task;
	k->target = e->target;
	k->sig = e->sig;
	k->from_kernel = e->from_kernel;
	k->ts_ns = e->hdr.ts_boot_ns;
	k->event_id = id;
	note_task(m, &e->target, &e->hdr);
}

static void on_cgroup(struct kw_model *m, const struct kw_ev_cgroup *e)
{
	struct kw_ev_cgroup *c = (struct kw_ev_cgroup *)kw_model_cgroup(m, e->cgroup_id,
									  e->v1_memory);

	if (!c)
		c = push_cgroup(m, e->cgroup_id);
	*c = *e;
}

/* Events were lost: every listener is read again between BEGIN and END
 * (snapshot listen events); the ones not read again are ghosts whose
 * close was lost, and go. */
static void on_resync(struct kw_model *m, const struct kw_ev_resync *r)
{
	if (r->phase == KW_RESYNC_BEGIN) {
		for (uint32_t i = 0; i < m->nr_listeners; i++)
			m->listeners[i].stale = 1;
		return;
	}
	for (uint32_t i = 0; i < m->nr_listeners;) {
		if (m->listeners[i].stale)
			kw_lx_remove(m, &m->listeners[i]);
		else
			i++;
	}
	m->resync_ns = r->hdr.ts_boot_ns;
	m->resync_lost = r->lost;
}

/* ---- UNIX listeners ---- */

/* a read made for a failure counts for it up to this long after it */
#define KW_READ_SKEW_NS 1000000000ULL

bool kw_unix_path_eq(const char *a, uint16_t alen, const char *b, uint16_t blen)
{
	return alen == blen && alen <= KW_UNIX_PATH_LEN && !memcmp(a, b, alen);
}

const struct kw_unix_path_rec *kw_model_unix_path(const struct kw_model *m, uint32_t pid,
						  const char *path, uint16_t len, uint64_t ts)
{
	for (uint32_t i = 0; i < m->unix_paths.n; i++) {
		const struct kw_unix_path_rec *r = KW_RING_AT(&m->unix_paths, i);
		uint64_t t = r->ev.hdr.ts_boot_ns;

		if (r->ev.client_pid == pid && t <= ts && ts - t <= KW_READ_SKEW_NS &&
		    kw_unix_path_eq(r->ev.path, r->ev.path_len, path, len))
			return r;
	}
	/* read for another client of that path lately (the reads are made
	 * once per path and interval) */
	for (uint32_t i = 0; i < m->unix_paths.n; i++) {
		const struct kw_unix_path_rec *r = KW_RING_AT(&m->unix_paths, i);
		uint64_t t = r->ev.hdr.ts_boot_ns;

		if (t <= ts && ts - t <= KW_READ_SKEW_NS &&
		    kw_unix_path_eq(r->ev.path, r->ev.path_len, path, len))
			return r;
	}
	return NULL;
}

static struct kw_unix_listener *unix_slot(struct kw_model *m, uint32_t netns, uint64_t ino)
{
	struct kw_unix_listener *victim;

	for (uint32_t i = 0; i < m->nr_unix; i++)
		if (m->unix_l[i].ino == ino && m->unix_l[i].netns == netns)
			return &m->unix_l[i];
	if (m->nr_unix < KW_M_UNIX) {
		victim = &m->unix_l[m->nr_unix++];
	} else {
		/* full: the one gone longest ago goes, else the one seen longest ago */
		victim = &m->unix_l[0];
		for (uint32_t i = 1; i < m->nr_unix; i++) {
			const struct kw_unix_listener *u = &m->unix_l[i];

			if ((u->gone_ns != 0) != (victim->gone_ns != 0) ? u->gone_ns != 0 :
			    u->seen_ns < victim->seen_ns)
				victim = &m->unix_l[i];
		}
	}
	memset(victim, 0, sizeof(*victim));
	victim->netns = netns;
	victim->ino = ino;
	return victim;
}

static void on_unix_listen(struct kw_model *m, const struct kw_ev_unix_listen *e, uint64_t id)
{
	struct kw_unix_listener *u = unix_slot(m, e->hdr.netns_ino, e->ino);

	uint64_t ts = e->hdr.ts_boot_ns;

	/* records come out of time order: a snapshot stamped when its scan
	 * began can follow the live listen(2) it found */
	if (!u->event_id || ts < u->since_ns) {
		if (!u->event_id)
			u->event_id = id;
		u->since_ns = ts;
		u->source = e->source;
	}
	memcpy(u->path, e->path, sizeof(u->path));
	u->path_len = e->path_len;
	u->backlog = e->backlog;
	if (e->source != KW_UL_LISTEN) {
		u->queued = e->queued;
		u->queued_known = 1;
	}
	if (e->hdr.flags & KW_F_TASK) {
		u->owner = e->hdr.task;
		u->owner_known = 1;
		note_task(m, &e->hdr.task, &e->hdr);
	}
	if (ts > u->seen_ns)
		u->seen_ns = ts;
	if (u->gone_ns && ts >= u->gone_ns)
		u->gone_ns = 0;
}

/* the path record of a failed UNIX connect: the listeners of its
 * namespace that the re-read before it did not find are gone */
static void on_unix_path(struct kw_model *m, const struct kw_ev_unix_path *e, uint64_t id)
{
	struct kw_unix_path_rec *r = KW_RING_PUSH(&m->unix_paths);

	r->ev = *e;
	r->event_id = id;
	if (!e->reread)
		return;
	for (uint32_t i = 0; i < m->nr_unix; i++) {
		struct kw_unix_listener *u = &m->unix_l[i];

		if (u->netns == e->hdr.netns_ino && !u->gone_ns && u->seen_ns < e->hdr.ts_boot_ns)
			u->gone_ns = e->hdr.ts_boot_ns;
	}
}

const struct kw_listener *kw_model_listener_for(const struct kw_model *m, uint32_t netns,
						const struct kw_addr *dest)
{
	for (uint32_t i = 0; i < m->nr_listeners; i++)
		if (m->listeners[i].netns == netns && kw_listener_accepts(&m->listeners[i], dest))
			return &m->listeners[i];
	return NULL;
}

static void on_connect_timeout(struct kw_model *m, const struct kw_ev_connect_timeout *e,
			       uint64_t id)
{
	struct kw_timeout_rec *t = KW_RING_PUSH(&m->timeouts);

	memset(t, 0, sizeof(*t));
	t->client_known = !!(e->hdr.flags & KW_F_TASK);
	t->client = e->hdr.task;
	t->netns = e->hdr.netns_ino;
	t->netns_cookie = e->hdr.netns_cookie;
	t->local = e->local;
	t->dest = e->remote;
	t->error = e->error;
	t->syn_retransmits = e->syn_retransmits;
	t->waited_ns = e->waited_ns;
	t->ts_ns = e->hdr.ts_boot_ns;
	t->event_id = id;
	if (t->client_known)
		note_task(m, &e->hdr.task, &e->hdr);
}

void kw_model_apply(struct kw_model *m, const struct kw_event *ev, uint64_t id)
{
	const struct kw_hdr *h = &ev->hdr;

	if (h->ts_boot_ns > m->now_ns && h->type != KW_EV_REPEAT)
		m->now_ns = h->ts_boot_ns;
	switch (h->type) {
	case KW_EV_LISTEN:
		on_listen(m, &ev->listen, id);
		break;
	case KW_EV_LISTEN_CLOSE:
		on_listen_close(m, &ev->listen, id);
		break;
	case KW_EV_BIND:
		on_bind(m, &ev->bind, id);
		break;
	case KW_EV_PROC_EXIT:
		on_exit(m, &ev->exit, id);
		break;
	case KW_EV_SIGNAL:
		on_signal(m, &ev->signal, id);
		break;
	case KW_EV_OOM_KILL: {
		struct kw_oom_rec *o = KW_RING_PUSH(&m->ooms);

		o->ev = ev->oom;
		o->event_id = id;
		note_task(m, &ev->oom.victim, h);
		break;
	}
	case KW_EV_MEMCG_PROCS:
		*KW_RING_PUSH(&m->memcg_procs) = ev->memcg_procs;
		break;
	case KW_EV_SOCK_HOLDERS:
		*KW_RING_PUSH(&m->holders) = ev->sock_holders;
		for (uint32_t i = 0; i < ev->sock_holders.nr; i++)
			note_task(m, &ev->sock_holders.holders[i], h);
		break;
	case KW_EV_HOST_MEM:
		*KW_RING_PUSH(&m->host_mem) = ev->host_mem;
		break;
	case KW_EV_CGROUP:
		on_cgroup(m, &ev->cgroup);
		break;
	case KW_EV_RESYNC:
		on_resync(m, &ev->resync);
		break;
	case KW_EV_CONNECT_TIMEOUT:
		on_connect_timeout(m, &ev->connect_timeout, id);
		break;
	case KW_EV_ACCEPT_QUEUE: {
		struct kw_overflow_rec *o = KW_RING_PUSH(&m->overflows);

		o->ev = ev->accept_queue;
		o->event_id = id;
		break;
	}
	case KW_EV_LISTEN_QUEUE: {
		struct kw_queue_rec *q = KW_RING_PUSH(&m->queues);

		q->ev = ev->listen_queue;
		q->event_id = id;
		for (uint32_t i = 0; i < ev->listen_queue.nr && i < KW_HOLDERS_MAX; i++)
			note_task(m, &ev->listen_queue.holders[i], h);
		break;
	}
	case KW_EV_SYN_FILTERED: {
		struct kw_syn_rec *r = KW_RING_PUSH(&m->syns);

		r->ev = ev->syn_filtered;
		r->event_id = id;
		break;
	}
	case KW_EV_UNIX_LISTEN:
		on_unix_listen(m, &ev->unix_listen, id);
		break;
	case KW_EV_UNIX_PATH:
		on_unix_path(m, &ev->unix_path, id);
		break;
	case KW_EV_PORT_USAGE: {
		struct kw_port_usage_rec *r = KW_RING_PUSH(&m->port_usage);

		r->ev = ev->port_usage;
		r->event_id = id;
		break;
	}
	case KW_EV_FD_USAGE: {
		struct kw_fd_usage_rec *r = KW_RING_PUSH(&m->fd_usage);

		r->ev = ev->fd_usage;
		r->event_id = id;
		break;
	}
	case KW_EV_UNIX_CONNECT_FAIL:
	case KW_EV_CONNECT_NOADDR:
	case KW_EV_ACCEPT_FAIL:
	case KW_EV_IDLE_RESET:
		if (h->flags & KW_F_TASK)
			note_task(m, &h->task, h);
		break;
	case KW_EV_CONNECT_FAIL:
		if ((h->flags & KW_F_TASK) && ev->conn.error == ECONNREFUSED_ERRNO) {
			struct kw_refused_conn *r = KW_RING_PUSH(&m->refused);

			r->client = h->task;
			r->dest = ev->conn.remote;
			r->netns = h->netns_ino;
			r->netns_cookie = h->netns_cookie;
			r->ts_ns = h->ts_boot_ns;
			r->event_id = id;
		}
		/* fall through */
	case KW_EV_RESET_RECV:
	case KW_EV_SOCK_ERROR:
		if (h->flags & KW_F_TASK)
			note_task(m, &h->task, h);
		break;
	default:
		break;
	}
}
