// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "host/cgroups.h"
#include "host/enrich.h"
#include "core/explain.h"
#include "host/atfail.h"
#include "host/hostmem.h"
#include "host/listenq.h"
#include "host/memcg_top.h"
#include "host/procfs.h"
#include "host/sockdiag.h"
#include "util/zero.h"
#include "host/sockholders.h"

void kw_enrich_init(struct kw_enrich *e, struct kw_cgroups *cg)
{
	kw_zero(e, sizeof(*e));		/* util/zero.h */
	e->cg = cg;
	kw_cgroup_mounts_load(KW_PROC_ROOT, &e->mounts);	/* none: ids stay 0 */
}

static bool seen(struct kw_enrich *e, uint64_t id, bool v1)
{
	for (uint32_t i = 0; i < e->nr_seen; i++)
		if (e->seen[i].id == id && e->seen[i].v1 == v1)
			return true;
	if (e->nr_seen == KW_ENRICH_SEEN)	/* forget all: they will be re-sent */
		e->nr_seen = 0;
	e->seen[e->nr_seen].id = id;
	e->seen[e->nr_seen].v1 = v1;
	e->nr_seen++;
	return false;
}

static void stamp(struct kw_hdr *h, const struct kw_hdr *cause)
{
	h->ts_boot_ns = cause->ts_boot_ns;
	h->ts_mono_ns = cause->ts_mono_ns;
	h->cpu = cause->cpu;
}

static void describe(struct kw_enrich *e, uint64_t id, bool v1, const struct kw_hdr *cause,
		     kw_feed_fn feed, void *ctx)
{
	struct kw_event rec;

	if (!e->cg || !id || seen(e, id, v1))
		return;
	kw_cgroups_resolve(e->cg, id, v1, &rec.cgroup);	/* unresolved: id only */
	stamp(&rec.hdr, cause);
	feed(ctx, &rec);
}

void kw_enrich_cgroup(struct kw_enrich *e, uint64_t id, bool v1, const struct kw_hdr *when,
		      kw_feed_fn feed, void *ctx)
{
	describe(e, id, v1, when, feed, ctx);
}

static void describe_task(struct kw_enrich *e, const struct kw_task *t, const struct kw_hdr *cause,
			  kw_feed_fn feed, void *ctx)
{
	describe(e, t->cgroup_id, false, cause, feed, ctx);
	if (t->memcg_hier)
		describe(e, t->memcg_id, true, cause, feed, ctx);
}

/* A host-wide OOM: how much memory the host has and had left, and which
 * top-level cgroups hold it, read now (the cgroups described first, so
 * the record's ids have names in the stream). */
static void on_global_oom(struct kw_enrich *e, const struct kw_ev_oom *o, kw_feed_fn feed,
			  void *ctx)
{
	struct kw_event rec;
	bool v1 = o->memcg_v1;

	kw_host_mem_read(KW_PROC_ROOT, e->cg ? kw_cgroups_mount(e->cg, v1) : NULL, v1,
			 &rec.host_mem);
	rec.host_mem.victim_pid = o->victim.tgid;
	for (uint32_t i = 0; i < rec.host_mem.nr_cgroups; i++)
		describe(e, rec.host_mem.cgroups[i].cgroup_id, rec.host_mem.cgroups_v1, &o->hdr,
			 feed, ctx);
	stamp(&rec.hdr, &o->hdr);
	feed(ctx, &rec);
}

static void on_oom(struct kw_enrich *e, const struct kw_ev_oom *o, kw_feed_fn feed, void *ctx)
{
	struct kw_event rec;
	uint64_t memcg;

	describe_task(e, &o->victim, &o->hdr, feed, ctx);
	for (int i = 0; i < o->nr_levels && i < KW_OOM_MAX_LEVELS; i++)
		describe(e, o->levels[i].cgroup_id, o->memcg_v1, &o->hdr, feed, ctx);
	if (o->limit_level == KW_OOM_GLOBAL)
		on_global_oom(e, o, feed, ctx);
	/* the limiting memcg's biggest processes; the whole host's for a
	 * global OOM (the root is the last level) */
	if (!e->cg || !o->nr_levels)
		return;
	memcg = o->limit_level < o->nr_levels ? o->levels[o->limit_level].cgroup_id
					      : o->levels[o->nr_levels - 1].cgroup_id;
	if (kw_memcg_top_procs(e->cg, KW_PROC_ROOT, memcg, o->memcg_v1, &rec.memcg_procs) == 0) {
		stamp(&rec.hdr, &o->hdr);
		feed(ctx, &rec);
	}
}

/* Was this port read (in table, of KW_ENRICH_HOLDER_PORTS entries) less
 * than KW_HOLDERS_EVERY_NS ago?  If not, remember that it is read now. */
#define read_lately(e, table, next, netns, port, ts) \
	read_lately_in((e)->table, &(e)->next, netns, port, ts)

static bool read_lately_in(struct kw_port_read *r, uint32_t *next, uint32_t netns, uint16_t port,
			   uint64_t ts)
{
	for (uint32_t i = 0; i < KW_ENRICH_HOLDER_PORTS; i++) {
		if (r[i].netns == netns && r[i].port == port) {
			if (ts < r[i].ts_ns + KW_HOLDERS_EVERY_NS)
				return true;
			r[i].ts_ns = ts;
			return false;
		}
	}
	r[*next].netns = netns;
	r[*next].port = port;
	r[*next].ts_ns = ts;
	*next = (*next + 1) % KW_ENRICH_HOLDER_PORTS;
	return false;
}

static bool holders_read_lately(struct kw_enrich *e, uint32_t netns, uint16_t port, uint64_t ts)
{
	return read_lately(e, holder_reads, next_holder_read, netns, port, ts);
}

/* A full accept queue (the listener's own event) or a connect that timed
 * out (the client's): the listener's queue, holders and its namespace's
 * counters, now, while the queue is still what it was. */
static void on_listen_queue(struct kw_enrich *e, const struct kw_hdr *h, uint32_t pid,
			    const struct kw_addr *want, kw_feed_fn feed, void *ctx)
{
	struct kw_event rec;
	int err;

	if (e->holders_off || read_lately(e, queue_reads, next_queue_read, h->netns_ino,
					  want->port, h->ts_boot_ns))
		return;
	err = kw_listen_queue_read(KW_PROC_ROOT, &e->mounts, pid,
				   pid ? 0 : h->netns_ino, want, true, &rec.listen_queue);
	if (err == -EPERM || err == -EACCES) {
		e->holders_off = true;	/* no privilege: every read would fail */
		return;
	}
	if (err && err != -ESRCH)
		return;
	/* not found is a fact too: nothing on this host takes it */
	rec.hdr.type = KW_EV_LISTEN_QUEUE;
	rec.hdr.size = sizeof(rec.listen_queue);
	rec.hdr.flags = 0;
	rec.hdr.netns_cookie = 0;
	if (rec.listen_queue.hdr.netns_ino)
		rec.hdr.flags |= KW_F_NETNS;
	if (rec.hdr.netns_ino == h->netns_ino)
		rec.hdr.netns_cookie = h->netns_cookie;
	stamp(&rec.hdr, h);
	for (uint32_t i = 0; i < rec.listen_queue.nr; i++)
		describe_task(e, &rec.listen_queue.holders[i], h, feed, ctx);
	feed(ctx, &rec);
}

/* Read who holds the listener on local's port in netns now (not
 * skip_tgid) into a record triggered by cause. */
static void read_holders(struct kw_enrich *e, const struct kw_hdr *cause, uint32_t hint,
			 uint32_t skip_tgid, const struct kw_addr *local, uint32_t trigger,
			 kw_feed_fn feed, void *ctx)
{
	struct kw_event rec;
	int err;

	/* a server retrying its bind is read once per interval; a death is
	 * once per listener anyway */
	if (e->holders_off ||
	    (trigger == KW_HOLDERS_AT_BIND &&
	     holders_read_lately(e, cause->netns_ino, local->port, cause->ts_boot_ns)))
		return;
	err = kw_sock_holders(KW_PROC_ROOT, &e->mounts, cause->netns_ino, hint, skip_tgid, local,
			      &rec.sock_holders);
	if (err == -EPERM || err == -EACCES) {
		e->holders_off = true;	/* no privilege: every read would fail */
		return;
	}
	if (err)
		return;		/* nothing listens any more, or nobody is left */
	rec.hdr.type = KW_EV_SOCK_HOLDERS;
	rec.hdr.size = sizeof(rec.sock_holders);
	rec.hdr.flags = cause->flags & KW_F_NETNS;
	rec.hdr.netns_ino = cause->netns_ino;
	rec.hdr.netns_cookie = cause->netns_cookie;
	rec.sock_holders.trigger = trigger;
	stamp(&rec.hdr, cause);
	for (uint32_t i = 0; i < rec.sock_holders.nr; i++)
		describe_task(e, &rec.sock_holders.holders[i], cause, feed, ctx);
	feed(ctx, &rec);
}

/* EADDRINUSE: who holds the port now, while they still do */
static void on_bind(struct kw_enrich *e, const struct kw_ev_bind *b, kw_feed_fn feed, void *ctx)
{
	if (b->ret != -EADDRINUSE || !(b->hdr.flags & KW_F_TASK))
		return;
	read_holders(e, &b->hdr, b->hdr.task.tgid, 0, &b->addr, KW_HOLDERS_AT_BIND, feed, ctx);
}

static bool same_listener(const struct kw_enrich *e, uint32_t i, uint32_t netns,
			  const struct kw_addr *local)
{
	return e->listeners[i].owner && e->listeners[i].netns == netns &&
	       !memcmp(&e->listeners[i].local, local, sizeof(*local));
}

static void on_listen(struct kw_enrich *e, const struct kw_ev_listen *l)
{
	uint32_t slot = KW_ENRICH_LISTENERS;

	if (!(l->hdr.flags & KW_F_TASK))
		return;
	for (uint32_t i = 0; i < KW_ENRICH_LISTENERS; i++) {
		if (same_listener(e, i, l->hdr.netns_ino, &l->local)) {
			slot = i;
			break;
		}
		if (!e->listeners[i].owner && slot == KW_ENRICH_LISTENERS)
			slot = i;
	}
	if (slot == KW_ENRICH_LISTENERS) {	/* all taken: forget the oldest slot */
		slot = e->next_listener;
		e->next_listener = (e->next_listener + 1) % KW_ENRICH_LISTENERS;
	}
	e->listeners[slot].owner = l->hdr.task.tgid;
	e->listeners[slot].netns = l->hdr.netns_ino;
	e->listeners[slot].local = l->local;
}

static void on_listen_close(struct kw_enrich *e, const struct kw_ev_listen *l)
{
	for (uint32_t i = 0; i < KW_ENRICH_LISTENERS; i++)
		if (same_listener(e, i, l->hdr.netns_ino, &l->local))
			e->listeners[i].owner = 0;
	/* closed: nobody held it after its opener, nothing to read */
	for (uint32_t i = 0; i < KW_ENRICH_DEFERRED && e->nr_deferred; i++) {
		if (e->deferred[i].due_ns && e->deferred[i].cause.netns_ino == l->hdr.netns_ino &&
		    !memcmp(&e->deferred[i].local, &l->local, sizeof(l->local))) {
			e->deferred[i].due_ns = 0;
			e->nr_deferred--;
		}
	}
}

static void read_deferred(struct kw_enrich *e, uint32_t i, uint64_t now_boot_ns,
			  uint64_t now_mono_ns, kw_feed_fn feed, void *ctx)
{
	struct kw_hdr cause = e->deferred[i].cause;

	e->deferred[i].due_ns = 0;
	e->nr_deferred--;
	/* what is read is what holds it now: stamped with the read's time */
	if (now_boot_ns != UINT64_MAX && now_boot_ns > cause.ts_boot_ns) {
		cause.ts_boot_ns = now_boot_ns;
		cause.ts_mono_ns = now_mono_ns;
	}
	read_holders(e, &cause, 0, e->deferred[i].tgid, &e->deferred[i].local,
		     KW_HOLDERS_AT_CREATOR_EXIT, feed, ctx);
}

/* Read the holders of local after the death of its opener tgid, once it
 * is clear the listener outlived it; with no free slot, the read that is
 * due first is made now. */
static void defer_holders(struct kw_enrich *e, const struct kw_hdr *cause, uint32_t tgid,
			  const struct kw_addr *local, kw_feed_fn feed, void *ctx)
{
	uint32_t slot = 0;

	if (e->nr_deferred == KW_ENRICH_DEFERRED) {
		for (uint32_t i = 1; i < KW_ENRICH_DEFERRED; i++)
			if (e->deferred[i].due_ns < e->deferred[slot].due_ns)
				slot = i;
		read_deferred(e, slot, UINT64_MAX, 0, feed, ctx);
	}
	while (slot < KW_ENRICH_DEFERRED && e->deferred[slot].due_ns)
		slot++;
	if (slot == KW_ENRICH_DEFERRED)
		return;
	e->deferred[slot].due_ns = cause->ts_boot_ns + KW_HOLDERS_DEFER_NS;
	e->deferred[slot].tgid = tgid;
	e->deferred[slot].local = *local;
	e->deferred[slot].cause = *cause;
	e->nr_deferred++;
}

bool kw_enrich_pending(const struct kw_enrich *e)
{
	return e->nr_deferred > 0;
}

void kw_enrich_tick(struct kw_enrich *e, uint64_t now_boot_ns, uint64_t now_mono_ns,
		    kw_feed_fn feed, void *ctx)
{
	for (uint32_t i = 0; i < KW_ENRICH_DEFERRED && e->nr_deferred; i++)
		if (e->deferred[i].due_ns && e->deferred[i].due_ns <= now_boot_ns)
			read_deferred(e, i, now_boot_ns, now_mono_ns, feed, ctx);
}

/* The process that opened listeners died with them still open: the
 * processes that inherited them hold them now, and are named before they
 * go too (a prefork master OOM-killed, its workers draining): at once
 * when it forked while holding them, else only if a listener outlives it
 * by KW_HOLDERS_DEFER_NS (one passed to another process). */
static void on_exit(struct kw_enrich *e, const struct kw_ev_exit *x, kw_feed_fn feed, void *ctx)
{
	uint32_t tgid = x->hdr.task.tgid;

	if (!x->group_dead || !x->nr_listeners || !(x->hdr.flags & KW_F_TASK))
		return;
	for (uint32_t i = 0; i < KW_ENRICH_LISTENERS; i++) {
		struct kw_hdr cause = x->hdr;

		if (e->listeners[i].owner != tgid)
			continue;
		e->listeners[i].owner = 0;
		if (cause.netns_ino != e->listeners[i].netns) {
			cause.netns_ino = e->listeners[i].netns;
			cause.netns_cookie = 0;	/* not known for that one */
		}
		if (x->listeners_forked)	/* its children have them: now */
			read_holders(e, &cause, 0, tgid, &e->listeners[i].local,
				     KW_HOLDERS_AT_CREATOR_EXIT, feed, ctx);
		else	/* only a passed fd would keep one open */
			defer_holders(e, &cause, tgid, &e->listeners[i].local, feed, ctx);
	}
}

/* Were the reads for this failure (type, namespace, key) made less than
 * KW_HOLDERS_EVERY_NS ago?  If not, remember that they are made now. */
static bool failure_read_lately(struct kw_enrich *e, uint16_t type, uint32_t netns, uint64_t key,
				uint64_t ts)
{
	for (uint32_t i = 0; i < KW_ENRICH_FAIL_KEYS; i++) {
		if (e->fail_reads[i].type == type && e->fail_reads[i].netns == netns &&
		    e->fail_reads[i].key == key) {
			if (ts < e->fail_reads[i].ts_ns + KW_HOLDERS_EVERY_NS)
				return true;
			e->fail_reads[i].ts_ns = ts;
			return false;
		}
	}
	e->fail_reads[e->next_fail_read].type = type;
	e->fail_reads[e->next_fail_read].netns = netns;
	e->fail_reads[e->next_fail_read].key = key;
	e->fail_reads[e->next_fail_read].ts_ns = ts;
	e->next_fail_read = (e->next_fail_read + 1) % KW_ENRICH_FAIL_KEYS;
	return false;
}

static uint64_t fnv(const void *p, size_t n, uint64_t h)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ ((const uint8_t *)p)[i]) * 1099511628211ULL;
	return h;
}

/* the feed of the reads at a failure, which also describes the cgroups
 * of the tasks they name */
struct fail_feed {
	struct kw_enrich *e;
	kw_feed_fn feed;
	void *ctx;
};

static void feed_read(void *ctx, const struct kw_event *ev)
{
	struct fail_feed *f = ctx;

	f->feed(f->ctx, ev);
}

static void on_failure(struct kw_enrich *e, const struct kw_event *ev, kw_feed_fn feed, void *ctx)
{
	const struct kw_hdr *h = &ev->hdr;
	struct fail_feed ff = { .e = e, .feed = feed, .ctx = ctx };
	uint64_t key;

	if (!(h->flags & KW_F_TASK) || !h->task.tgid)
		return;		/* no process to read about */
	switch (h->type) {
	case KW_EV_UNIX_CONNECT_FAIL:
		if (kw_unix_path_benign(ev->unix_conn.path, ev->unix_conn.path_len))
			break;
		/* per client and errno too: a permission failure's credentials
		 * are its client's own */
		key = fnv(ev->unix_conn.path, ev->unix_conn.path_len, 14695981039346656037ULL) ^
		      ((uint64_t)h->task.tgid << 20) ^ (uint64_t)(-ev->unix_conn.ret);
		if (!failure_read_lately(e, h->type, h->netns_ino, key, h->ts_boot_ns))
			kw_atfail_unix(KW_PROC_ROOT, &ev->unix_conn, feed_read, &ff);
		break;
	case KW_EV_CONNECT_NOADDR:
		key = fnv(&ev->conn.remote, sizeof(ev->conn.remote), 14695981039346656037ULL);
		if (!failure_read_lately(e, h->type, h->netns_ino, key, h->ts_boot_ns))
			kw_atfail_ports(KW_PROC_ROOT, &ev->conn, feed_read, &ff);
		break;
	case KW_EV_ACCEPT_FAIL:
		if (!failure_read_lately(e, h->type, h->netns_ino, h->task.tgid, h->ts_boot_ns))
			kw_atfail_fds(KW_PROC_ROOT, &ev->accept_fail, feed_read, &ff);
		break;
	default:
		break;
	}
}

void kw_enrich_event(struct kw_enrich *e, const struct kw_event *ev, kw_feed_fn feed, void *ctx)
{
	const struct kw_hdr *h = &ev->hdr;

	if (h->flags & KW_F_CGROUP)
		describe(e, h->cgroup_id, false, h, feed, ctx);
	if (h->flags & KW_F_TASK)
		describe_task(e, &h->task, h, feed, ctx);
	switch (h->type) {
	case KW_EV_OOM_KILL:
		on_oom(e, &ev->oom, feed, ctx);
		break;
	case KW_EV_SIGNAL:
		describe_task(e, &ev->signal.target, h, feed, ctx);
		break;
	case KW_EV_LISTEN:
		on_listen(e, &ev->listen);
		break;
	case KW_EV_LISTEN_CLOSE:
		describe_task(e, &ev->listen.closer, h, feed, ctx);
		on_listen_close(e, &ev->listen);
		break;
	case KW_EV_PROC_EXIT:
		on_exit(e, &ev->exit, feed, ctx);
		break;
	case KW_EV_BIND:
		on_bind(e, &ev->bind, feed, ctx);
		break;
	case KW_EV_UNIX_CONNECT_FAIL:
	case KW_EV_CONNECT_NOADDR:
	case KW_EV_ACCEPT_FAIL:
		on_failure(e, ev, feed, ctx);
		break;
	case KW_EV_ACCEPT_QUEUE:
		on_listen_queue(e, h, (h->flags & KW_F_TASK) ? h->task.tgid : 0,
				&ev->accept_queue.local, feed, ctx);
		break;
	case KW_EV_CONNECT_TIMEOUT:
		if (h->flags & KW_F_TASK)
			on_listen_queue(e, h, h->task.tgid, &ev->connect_timeout.remote, feed, ctx);
		break;
	default:
		break;
	}
	feed(ctx, ev);
}
