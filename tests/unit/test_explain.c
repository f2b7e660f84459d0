// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The model and the explainer, fed synthetic event sequences through the
 * pipeline exactly as watch (and replay) feed real ones: every cause, the
 * OOM -> listener gone -> refused chain, aggregation of repeats into one
 * explanation, and the bounds of the tables.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "output/explanation.h"
#include "output/sinks.h"
#include "core/pipeline.h"
#include "util/jsonq.h"
#include "suites.h"
#include "testutil.h"

#define NS_A 4026531001u	/* the server's network namespace */
#define NS_B 4026531002u	/* another container's */
#define SEC 1000000000ULL

struct capture {
	struct kw_explanation ex[16];	/* the first 16 */
	uint32_t n;
	struct kw_summary sum[16];
	uint32_t nsum;
	uint64_t events;
	uint64_t n_total;		/* explanations, all */
	uint64_t sum_total;		/* repeats summarised, all */
};

static void cap_event(void *ctx, const struct kw_event *ev, uint64_t id)
{
	struct capture *c = ctx;

	(void)ev;
	ck_assert_uint_eq(id, c->events + 1);	/* ids are 1, 2, 3, ... */
	c->events = id;
}

static void cap_expl(void *ctx, const struct kw_explanation *ex)
{
	struct capture *c = ctx;

	c->n_total++;
	if (c->n < 16)
		c->ex[c->n++] = *ex;
}

static void cap_sum(void *ctx, const struct kw_summary *s)
{
	struct capture *c = ctx;

	c->sum_total += s->count;
	if (c->nsum < 16)
		c->sum[c->nsum++] = *s;
}

static struct kw_pipeline *new_pipeline(struct capture *c)
{
	static struct kw_pipeline p;	/* big: not on the stack */
	struct kw_pipeline_cfg cfg = { .model.recent_ns = 60 * SEC };
	struct kw_sinks sinks = { .event = cap_event, .explanation = cap_expl,
				  .summary = cap_sum, .ctx = c };

	memset(c, 0, sizeof(*c));
	kw_pipeline_init(&p, &cfg, &sinks);
	return &p;
}

static struct kw_addr ep(const char *ip, uint16_t port)
{
	struct kw_addr a = { .port = port };

	if (strchr(ip, ':')) {
		a.family = 10;
		ck_assert_int_eq(inet_pton(AF_INET6, ip, a.addr), 1);
	} else {
		a.family = 2;
		ck_assert_int_eq(inet_pton(AF_INET, ip, a.addr), 1);
	}
	return a;
}

static struct kw_task task(uint32_t pid, const char *comm, uint32_t netns, uint64_t cg)
{
	struct kw_task t = { .pid = pid, .tgid = pid, .netns_ino = netns, .cgroup_id = cg };

	strncpy(t.comm, comm, sizeof(t.comm) - 1);
	return t;
}

/* the cookie of the namespaces events happen in (0: unknown, as in traces
 * of kernels without one); a test of inode reuse sets it */
static uint64_t g_cookie;

static void hdr(struct kw_hdr *h, uint16_t type, uint64_t ts, uint32_t netns)
{
	h->type = type;
	h->size = kw_event_size(type);
	h->ts_boot_ns = ts;
	h->netns_ino = netns;
	h->netns_cookie = g_cookie;
	h->flags |= KW_F_NETNS;
}

static void listen_ev(struct kw_pipeline *p, uint64_t ts, uint32_t netns, struct kw_addr local,
		      struct kw_task owner, bool v6only)
{
	struct kw_event ev = {};

	hdr(&ev.hdr, KW_EV_LISTEN, ts, netns);
	ev.hdr.flags |= KW_F_TASK | KW_F_CGROUP;
	ev.hdr.task = owner;
	ev.hdr.cgroup_id = owner.cgroup_id;
	ev.listen.local = local;
	ev.listen.v6only = v6only;
	kw_pipeline_event(p, &ev);
}

static void close_ev(struct kw_pipeline *p, uint64_t ts, uint32_t netns, struct kw_addr local,
		     struct kw_task owner, uint8_t how, uint32_t status)
{
	struct kw_event ev = {};

	hdr(&ev.hdr, KW_EV_LISTEN_CLOSE, ts, netns);
	ev.hdr.flags |= KW_F_TASK | KW_F_OWNER;
	ev.hdr.task = owner;
	ev.listen.owner_known = 1;
	ev.listen.local = local;
	ev.listen.how = how;
	ev.listen.closer = owner;
	ev.listen.closer_exit_code = status;
	kw_pipeline_event(p, &ev);
}

/* the server side of a refusal: a reset for a port with no socket */
static void refused(struct kw_pipeline *p, uint64_t ts, uint32_t netns, struct kw_addr dialled,
		    struct kw_addr client)
{
	struct kw_event ev = {};

	hdr(&ev.hdr, KW_EV_RESET_SENT, ts, netns);
	ev.conn.local = dialled;
	ev.conn.remote = client;
	ev.conn.reason = 1;
	ev.conn.has_reason = 1;
	ev.conn.source = KW_SRC_SEND_RESET;
	kw_pipeline_event(p, &ev);
}

/* the client side: connect() failed */
static void connect_failed(struct kw_pipeline *p, uint64_t ts, uint32_t netns,
			   struct kw_addr local, struct kw_addr remote, struct kw_task *owner)
{
	struct kw_event ev = {};

	hdr(&ev.hdr, KW_EV_CONNECT_FAIL, ts, netns);
	if (owner) {
		ev.hdr.flags |= KW_F_TASK | KW_F_OWNER;
		ev.hdr.task = *owner;
	}
	ev.conn.local = local;
	ev.conn.remote = remote;
	ev.conn.state = 2;
	ev.conn.error = 111;
	ev.conn.reset_received = 1;
	kw_pipeline_event(p, &ev);
}

static void cgroup_ev(struct kw_pipeline *p, uint64_t ts, uint64_t id, uint8_t rt, const char *name,
		      const char *path, bool v1)
{
	struct kw_event ev = {};

	hdr(&ev.hdr, KW_EV_CGROUP, ts, 0);
	ev.hdr.flags = 0;
	ev.cgroup.cgroup_id = id;
	ev.cgroup.runtime = rt;
	ev.cgroup.resolved = 1;
	ev.cgroup.v1_memory = v1;
	strncpy(ev.cgroup.name, name, sizeof(ev.cgroup.name) - 1);
	strncpy(ev.cgroup.container_id, name, sizeof(ev.cgroup.container_id) - 1);
	strncpy(ev.cgroup.path, path, sizeof(ev.cgroup.path) - 1);
	kw_pipeline_event(p, &ev);
}

/* a refusal of 10.0.0.5:8001 in NS_A by curl, flushed: one explanation */
static const struct kw_explanation *refuse_once(struct kw_pipeline *p, struct capture *c,
						uint64_t ts, const char *ip, uint16_t port)
{
	struct kw_task curl = task(900, "curl", NS_A, 77);
	struct kw_addr dst = ep(ip, port), cli = ep(strchr(ip, ':') ? "::1" : "10.0.0.9", 40000);

	refused(p, ts, NS_A, dst, cli);
	connect_failed(p, ts + 1000, NS_A, cli, dst, &curl);
	kw_pipeline_flush(p);
	ck_assert_uint_ge(c->n, 1);
	return &c->ex[c->n - 1];
}

START_TEST(wrong_address_names_the_listener)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	const struct kw_explanation *ex;

	cgroup_ev(p, 1, 55, KW_RT_DOCKER, "backend", "/docker/abc", false);
	listen_ev(p, 10, NS_A, ep("127.0.0.1", 8001), task(41, "gunicorn", NS_A, 55), false);
	ex = refuse_once(p, &c, 5 * SEC, "10.0.0.5", 8001);
	ck_assert_str_eq(kw_cause_name(ex->cause), "wrong_address");
	ck_assert_uint_eq(ex->nr_listeners, 1);
	ck_assert_uint_eq(ex->listeners[0].owner.tgid, 41);
	tu_assert_contains(ex->text, "nothing listens on 10.0.0.5:8001");
	tu_assert_contains(ex->text, "container backend");
	tu_assert_contains(ex->text, "gunicorn pid 41 listens on 127.0.0.1:8001 only");
	tu_assert_contains(ex->text, "curl pid 900");	/* the client, from connect_failed */
	ck_assert(ex->client_known);
	ck_assert_uint_eq(ex->nr_events, 3);	/* reset, listen, connect_failed */
}
END_TEST

START_TEST(wrong_family_ipv4_only_listener)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	const struct kw_explanation *ex;

	listen_ev(p, 10, NS_A, ep("0.0.0.0", 8080), task(7, "node", NS_A, 1), false);
	ex = refuse_once(p, &c, 2 * SEC, "::1", 8080);
	ck_assert_str_eq(kw_cause_name(ex->cause), "wrong_family");
	tu_assert_contains(ex->text, "IPv4 only, and the client used IPv6");
	tu_assert_contains(ex->fix, "[::]");
}
END_TEST

START_TEST(wrong_family_v6only_listener)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	const struct kw_explanation *ex;

	listen_ev(p, 10, NS_A, ep("::", 8080), task(7, "node", NS_A, 1), true);
	ex = refuse_once(p, &c, 2 * SEC, "10.0.0.5", 8080);
	ck_assert_str_eq(kw_cause_name(ex->cause), "wrong_family");
	tu_assert_contains(ex->text, "IPV6_V6ONLY");
}
END_TEST

START_TEST(dual_stack_listener_is_not_a_mismatch)
{
	struct kw_listener l = { .local = ep("::", 80) };
	struct kw_addr v4 = ep("10.0.0.5", 80);

	ck_assert(kw_listener_accepts(&l, &v4));
	l.v6only = 1;
	ck_assert(!kw_listener_accepts(&l, &v4));
}
END_TEST

START_TEST(listener_exited_with_code_and_delay)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task gun = task(41, "gunicorn", NS_A, 1);
	const struct kw_explanation *ex;

	listen_ev(p, 1 * SEC, NS_A, ep("0.0.0.0", 8001), gun, false);
	close_ev(p, 10 * SEC, NS_A, ep("0.0.0.0", 8001), gun, KW_CLOSE_EXIT, 3 << 8);
	ex = refuse_once(p, &c, 12 * SEC + 300000000ULL, "10.0.0.5", 8001);
	ck_assert_str_eq(kw_cause_name(ex->cause), "listener_exited");
	ck_assert_uint_eq(ex->delay_ns, 2300000000ULL);
	tu_assert_contains(ex->text, "gunicorn pid 41 listened on 0.0.0.0:8001");
	tu_assert_contains(ex->text, "exited with code 3");
	tu_assert_contains(ex->text, "2.3 s before this refusal");
}
END_TEST

START_TEST(oom_listener_refused_chain)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task gun = task(41, "gunicorn", NS_A, 55);
	struct kw_event oom = {}, ex_ev = {};
	const struct kw_explanation *ex;
	uint64_t oom_event_id;

	cgroup_ev(p, 1, 555, KW_RT_DOCKER, "backend", "/docker/abc", true);
	listen_ev(p, 1 * SEC, NS_A, ep("0.0.0.0", 8001), gun, false);
	hdr(&oom.hdr, KW_EV_OOM_KILL, 20 * SEC, NS_A);
	oom.hdr.flags |= KW_F_TASK;
	oom.hdr.task = gun;
	oom.oom.victim = gun;
	oom.oom.anon_rss_kb = 250 * 1024;
	oom.oom.memcg_v1 = 1;
	oom.oom.nr_levels = 2;
	oom.oom.limit_level = 0;
	oom.oom.levels[0] = (struct kw_oom_level){ 555, 256ULL << 20, 256ULL << 20 };
	oom.oom.levels[1] = (struct kw_oom_level){ 1, 1ULL << 30, ~0ULL };
	kw_pipeline_event(p, &oom);
	oom_event_id = c.events;
	ck_assert_uint_eq(c.n, 1);
	ck_assert_str_eq(kw_cause_name(c.ex[0].cause), "memcg_limit");
	tu_assert_contains(c.ex[0].text, "memory cgroup /docker/abc reached its limit");

	hdr(&ex_ev.hdr, KW_EV_PROC_EXIT, 20 * SEC + 1000, NS_A);
	ex_ev.hdr.flags |= KW_F_TASK;
	ex_ev.hdr.task = gun;
	ex_ev.exit.exit_code = 9;
	kw_pipeline_event(p, &ex_ev);
	ck_assert_uint_eq(c.n, 1);	/* an OOM death is not a userspace kill */
	close_ev(p, 20 * SEC + 2000, NS_A, ep("0.0.0.0", 8001), gun, KW_CLOSE_KILLED, 9);

	ex = refuse_once(p, &c, 22 * SEC, "10.0.0.5", 8001);
	ck_assert_str_eq(kw_cause_name(ex->cause), "listener_exited");
	ck_assert_uint_eq(ex->closed.oom_event_id, oom_event_id);
	tu_assert_contains(ex->text, "until it was OOM-killed");
	/* the explanation cites the OOM kill among its events */
	ck_assert_uint_eq(ex->events[1], oom_event_id);
}
END_TEST

/* ---- stories of real servers: a socket outlives its creator; close, then exit ---- */

/* LISTEN -> CLOSE by closer (not the creator) */
static void close_by_ev(struct kw_pipeline *p, uint64_t ts, uint32_t netns, struct kw_addr local,
			struct kw_task owner, struct kw_task closer, uint8_t how, uint32_t status)
{
	struct kw_event ev = {};

	hdr(&ev.hdr, KW_EV_LISTEN_CLOSE, ts, netns);
	ev.hdr.flags |= KW_F_TASK | KW_F_OWNER;
	ev.hdr.task = owner;
	ev.listen.owner_known = 1;
	ev.listen.local = local;
	ev.listen.how = how;
	ev.listen.closer = closer;
	ev.listen.closer_exit_code = status;
	kw_pipeline_event(p, &ev);
}

/* an exit; returns its event id */
static uint64_t exit_ev(struct kw_pipeline *p, struct capture *c, uint64_t ts, struct kw_task t,
			uint32_t status, uint32_t why)
{
	struct kw_event ev = {};

	hdr(&ev.hdr, KW_EV_PROC_EXIT, ts, t.netns_ino);
	ev.hdr.flags |= KW_F_TASK;
	ev.hdr.task = t;
	ev.exit.exit_code = status;
	ev.exit.why = why;
	ev.exit.group_dead = 1;
	kw_pipeline_event(p, &ev);
	return c->events;
}

/* an OOM kill of victim in a memcg at its limit; returns its event id */
static uint64_t oom_ev(struct kw_pipeline *p, struct capture *c, uint64_t ts, struct kw_task victim)
{
	struct kw_event ev = {};

	hdr(&ev.hdr, KW_EV_OOM_KILL, ts, victim.netns_ino);
	ev.hdr.flags |= KW_F_TASK;
	ev.hdr.task = victim;
	ev.oom.victim = victim;
	ev.oom.anon_rss_kb = 100 * 1024;
	ev.oom.nr_levels = 1;
	ev.oom.limit_level = 0;
	ev.oom.levels[0] = (struct kw_oom_level){ 55, 64ULL << 20, 64ULL << 20 };
	kw_pipeline_event(p, &ev);
	return c->events;
}

/* who held the listener on local's port, as read from /proc at ts when
 * trigger called for it */
static void holders_at(struct kw_pipeline *p, uint64_t ts, uint32_t netns, struct kw_addr local,
		       const struct kw_task *holders, uint32_t n, uint32_t trigger)
{
	struct kw_event h = {};

	hdr(&h.hdr, KW_EV_SOCK_HOLDERS, ts, netns);
	h.sock_holders.local = local;
	h.sock_holders.sock_ino = 777;
	h.sock_holders.trigger = trigger;
	h.sock_holders.total = n;
	for (uint32_t i = 0; i < n && i < KW_HOLDERS_MAX; i++)
		h.sock_holders.holders[h.sock_holders.nr++] = holders[i];
	kw_pipeline_event(p, &h);
}

/* ... read at a failed bind */
static void holders_ev(struct kw_pipeline *p, uint64_t ts, uint32_t netns, struct kw_addr local,
		       const struct kw_task *holders, uint32_t n)
{
	holders_at(p, ts, netns, local, holders, n, KW_HOLDERS_AT_BIND);
}

static bool has_event(const struct kw_explanation *ex, uint64_t id)
{
	for (uint32_t i = 0; i < ex->nr_events; i++)
		if (ex->events[i] == id)
			return true;
	return false;
}

/* gunicorn --preload: the master (41) opens the socket, is OOM-killed;
 * its worker (57) keeps the inherited socket until it notices, closes it
 * and exits 0 */
START_TEST(prefork_master_oom_killed_workers_keep_the_socket)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task master = task(41, "gunicorn", NS_A, 55), worker = task(57, "gunicorn", NS_A, 55);
	const struct kw_explanation *ex;
	uint64_t oom_id, exit_id, wexit_id, close_id;

	listen_ev(p, 1 * SEC, NS_A, ep("0.0.0.0", 8000), master, false);
	oom_id = oom_ev(p, &c, 20 * SEC, master);
	exit_id = exit_ev(p, &c, 20 * SEC + 1000000, master, 9, KW_EXIT_LISTENER | KW_EXIT_SIGNALED);
	close_by_ev(p, 21 * SEC + 500000000ULL, NS_A, ep("0.0.0.0", 8000), master, worker,
		    KW_CLOSE_CALL, 0);
	close_id = c.events;
	wexit_id = exit_ev(p, &c, 21 * SEC + 505000000ULL, worker, 0, KW_EXIT_CLOSED_LISTENER);
	ex = refuse_once(p, &c, 22 * SEC, "127.0.0.1", 8000);
	ck_assert_str_eq(kw_cause_name(ex->cause), "listener_exited");
	ck_assert(ex->closed.creator_died);
	ck_assert_uint_eq(ex->closed.creator_death.task.tgid, 41);
	ck_assert_uint_eq(ex->closed.creator_death.oom_event_id, oom_id);
	ck_assert_uint_eq(ex->closed.oom_event_id, oom_id);
	ck_assert_uint_eq(ex->closed.closer.tgid, 57);
	ck_assert(ex->closed.closer_exited);
	ck_assert_uint_eq(ex->closed.closer_exit_event_id, wexit_id);
	ck_assert(has_event(ex, oom_id) && has_event(ex, exit_id) && has_event(ex, close_id) &&
		  has_event(ex, wexit_id));
	tu_assert_contains(ex->text, "gunicorn pid 41, which opened it (0.0.0.0:8000), was "
			   "OOM-killed 1.5 s before it was closed");
	tu_assert_contains(ex->text, "kept it open until gunicorn pid 57 closed it and exited "
			   "with code 0 5 ms later");
	tu_assert_contains(ex->text, "500 ms before this refusal");
	tu_assert_contains(ex->fix, "OOM kill");
}
END_TEST

/* the master's exit was lost (ring full): its OOM kill still tells */
START_TEST(prefork_master_exit_lost_the_oom_kill_still_tells)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task master = task(41, "gunicorn", NS_A, 55), worker = task(57, "gunicorn", NS_A, 55);
	const struct kw_explanation *ex;
	uint64_t oom_id;

	listen_ev(p, 1 * SEC, NS_A, ep("0.0.0.0", 8000), master, false);
	oom_id = oom_ev(p, &c, 20 * SEC, master);
	close_by_ev(p, 21 * SEC, NS_A, ep("0.0.0.0", 8000), master, worker, KW_CLOSE_CALL, 0);
	ex = refuse_once(p, &c, 22 * SEC, "127.0.0.1", 8000);
	ck_assert(ex->closed.creator_died);
	ck_assert_uint_eq(ex->closed.creator_death.event_id, 0);
	ck_assert_uint_eq(ex->closed.creator_death.oom_event_id, oom_id);
	ck_assert(!ex->closed.closer_exited);
	tu_assert_contains(ex->text, "was OOM-killed 1.0 s before it was closed");
	tu_assert_contains(ex->text, "until gunicorn pid 57 closed it, ");
}
END_TEST

/* pid 1 of a pid namespace: the kernel kills the workers with it, the
 * last one closes the socket as it dies */
START_TEST(prefork_master_in_own_pidns_workers_killed_with_it)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task master = task(41, "gunicorn", NS_A, 55), worker = task(57, "gunicorn", NS_A, 55);
	const struct kw_explanation *ex;
	uint64_t oom_id;

	listen_ev(p, 1 * SEC, NS_A, ep("0.0.0.0", 8000), master, false);
	oom_id = oom_ev(p, &c, 20 * SEC, master);
	exit_ev(p, &c, 20 * SEC + 1000000, master, 9, KW_EXIT_LISTENER | KW_EXIT_SIGNALED);
	close_by_ev(p, 20 * SEC + 3000000, NS_A, ep("0.0.0.0", 8000), master, worker,
		    KW_CLOSE_KILLED, 9);
	ex = refuse_once(p, &c, 21 * SEC, "127.0.0.1", 8000);
	ck_assert(ex->closed.creator_died);
	ck_assert_uint_eq(ex->closed.oom_event_id, oom_id);
	tu_assert_contains(ex->text, "was OOM-killed 2 ms before it was closed");
	tu_assert_contains(ex->text, "until gunicorn pid 57 was killed by SIGKILL");
}
END_TEST

/* a creator that exited on its own, workers draining */
START_TEST(creator_exited_workers_closed_later)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task master = task(41, "gunicorn", NS_A, 55), worker = task(57, "gunicorn", NS_A, 55);
	const struct kw_explanation *ex;

	listen_ev(p, 1 * SEC, NS_A, ep("0.0.0.0", 8000), master, false);
	exit_ev(p, &c, 10 * SEC, master, 1 << 8, KW_EXIT_LISTENER);
	close_by_ev(p, 12 * SEC, NS_A, ep("0.0.0.0", 8000), master, worker, KW_CLOSE_EXIT, 0);
	ex = refuse_once(p, &c, 13 * SEC, "127.0.0.1", 8000);
	ck_assert(ex->closed.creator_died);
	ck_assert_uint_eq(ex->closed.oom_event_id, 0);
	tu_assert_contains(ex->text, "gunicorn pid 41, which opened it (0.0.0.0:8000), exited with "
			   "code 1 2.0 s before it was closed");
	tu_assert_contains(ex->text, "until gunicorn pid 57 exited with code 0");
}
END_TEST

/* close(), then sys.exit(3): the exit code is the story */
START_TEST(graceful_close_then_exit_code)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task gun = task(41, "gunicorn", NS_A, 1);
	const struct kw_explanation *ex;
	uint64_t exit_id;

	listen_ev(p, 1 * SEC, NS_A, ep("0.0.0.0", 8000), gun, false);
	close_ev(p, 10 * SEC, NS_A, ep("0.0.0.0", 8000), gun, KW_CLOSE_CALL, 0);
	exit_id = exit_ev(p, &c, 10 * SEC + 3000000, gun, 3 << 8, KW_EXIT_CLOSED_LISTENER);
	ex = refuse_once(p, &c, 10 * SEC + 500000000ULL, "127.0.0.1", 8000);
	ck_assert(!ex->closed.creator_died);
	ck_assert(ex->closed.closer_exited);
	ck_assert_uint_eq(ex->closed.closer_exit_event_id, exit_id);
	ck_assert(has_event(ex, exit_id));
	tu_assert_contains(ex->text, "gunicorn pid 41 listened on 0.0.0.0:8000 until it closed it "
			   "and exited with code 3 3 ms later, 500 ms before this refusal");
	tu_assert_contains(ex->fix, "find out why gunicorn pid 41 exited with code 3");
}
END_TEST

/* the exit (on another CPU) reached the model before the close */
START_TEST(graceful_exit_seen_before_the_close)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task gun = task(41, "gunicorn", NS_A, 1);
	const struct kw_explanation *ex;

	listen_ev(p, 1 * SEC, NS_A, ep("0.0.0.0", 8000), gun, false);
	exit_ev(p, &c, 10 * SEC + 3000000, gun, 3 << 8, KW_EXIT_CLOSED_LISTENER);
	close_ev(p, 10 * SEC, NS_A, ep("0.0.0.0", 8000), gun, KW_CLOSE_CALL, 0);
	ex = refuse_once(p, &c, 11 * SEC, "127.0.0.1", 8000);
	ck_assert(ex->closed.closer_exited);
	tu_assert_contains(ex->text, "until it closed it and exited with code 3 3 ms later");
}
END_TEST

/* an exit long after the close is another story */
START_TEST(exit_long_after_the_close_is_not_linked)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task gun = task(41, "gunicorn", NS_A, 1);
	const struct kw_explanation *ex;

	listen_ev(p, 1 * SEC, NS_A, ep("0.0.0.0", 8000), gun, false);
	close_ev(p, 10 * SEC, NS_A, ep("0.0.0.0", 8000), gun, KW_CLOSE_CALL, 0);
	exit_ev(p, &c, 10 * SEC + KW_CLOSE_EXIT_WINDOW_NS + 1, gun, 3 << 8, 0);
	ex = refuse_once(p, &c, 30 * SEC, "127.0.0.1", 8000);
	ck_assert(!ex->closed.closer_exited);
	tu_assert_contains(ex->text, "until the program closed it");
}
END_TEST

/* the JSON facts of the prefork story, parsed back */
/* the master's death called for a read of who held its socket: its two
 * workers; the story names them, and their count, in text and JSON */
START_TEST(prefork_heirs_read_at_the_masters_death)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task master = task(41, "gunicorn", NS_A, 55);
	struct kw_task workers[2] = { task(57, "gunicorn", NS_A, 55), task(58, "gunicorn", NS_A, 55) };
	const struct kw_explanation *ex;
	struct kw_fmt_ctx ctx = {};
	char out[8192], err[128];
	struct kw_buf b = KW_BUF_INIT(out);
	struct jq_val *v;
	int64_t n;

	listen_ev(p, 1 * SEC, NS_A, ep("0.0.0.0", 8000), master, false);
	oom_ev(p, &c, 20 * SEC, master);
	holders_at(p, 20 * SEC + 1000000, NS_A, ep("0.0.0.0", 8000), workers, 2,
		   KW_HOLDERS_AT_CREATOR_EXIT);
	exit_ev(p, &c, 20 * SEC + 1000000, master, 9, KW_EXIT_LISTENER | KW_EXIT_SIGNALED);
	close_by_ev(p, 21 * SEC, NS_A, ep("0.0.0.0", 8000), master, workers[1], KW_CLOSE_CALL, 0);
	ex = refuse_once(p, &c, 22 * SEC, "127.0.0.1", 8000);
	ck_assert(ex->heirs_known);
	tu_assert_contains(ex->text, "was OOM-killed 999 ms before it was closed; its 2 other "
			   "holders (gunicorn pid 57, gunicorn pid 58) kept it open until gunicorn "
			   "pid 58 closed it");
	kw_format_explanation(&b, true, ex, &ctx);
	v = jq_parse(out, err, sizeof(err));
	ck_assert_msg(v, "%s: %s", err, out);
	ck_assert(jq_int(v, "facts.creator_death.holders_total", &n) && n == 2);
	ck_assert(jq_int(v, "facts.creator_death.holders.1.pid", &n) && n == 58);
	ck_assert_str_eq(jq_str(v, "facts.creator_death.holders.0.comm"), "gunicorn");
	jq_free(v);
}
END_TEST

/* a read at an earlier death of another server on the port, or one from
 * a bind, is not this death's: the story stays without heirs */
START_TEST(heirs_only_from_this_death)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task master = task(41, "gunicorn", NS_A, 55), worker = task(57, "gunicorn", NS_A, 55);
	const struct kw_explanation *ex;

	holders_at(p, 2 * SEC, NS_A, ep("0.0.0.0", 8000), &worker, 1, KW_HOLDERS_AT_CREATOR_EXIT);
	listen_ev(p, 3 * SEC, NS_A, ep("0.0.0.0", 8000), master, false);
	holders_ev(p, 19 * SEC, NS_A, ep("0.0.0.0", 8000), &worker, 1);
	exit_ev(p, &c, 20 * SEC, master, 9, KW_EXIT_LISTENER | KW_EXIT_SIGNALED);
	close_by_ev(p, 21 * SEC, NS_A, ep("0.0.0.0", 8000), master, worker, KW_CLOSE_CALL, 0);
	ex = refuse_once(p, &c, 22 * SEC, "127.0.0.1", 8000);
	ck_assert(ex->closed.creator_died);
	ck_assert(!ex->heirs_known);
	tu_assert_contains(ex->text, "the processes that inherited the socket kept it open until");
}
END_TEST

START_TEST(prefork_story_json_facts)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task master = task(41, "gunicorn", NS_A, 55), worker = task(57, "gunicorn", NS_A, 55);
	const struct kw_explanation *ex;
	struct kw_fmt_ctx ctx = {};
	char out[8192], err[128];
	struct kw_buf b = KW_BUF_INIT(out);
	struct jq_val *v;
	int64_t n;

	listen_ev(p, 1 * SEC, NS_A, ep("0.0.0.0", 8000), master, false);
	oom_ev(p, &c, 20 * SEC, master);
	exit_ev(p, &c, 20 * SEC + 1000000, master, 9, KW_EXIT_LISTENER | KW_EXIT_SIGNALED);
	close_by_ev(p, 21 * SEC, NS_A, ep("0.0.0.0", 8000), master, worker, KW_CLOSE_CALL, 0);
	exit_ev(p, &c, 21 * SEC + 2000000, worker, 0, KW_EXIT_CLOSED_LISTENER);
	ex = refuse_once(p, &c, 22 * SEC, "127.0.0.1", 8000);
	kw_format_explanation(&b, true, ex, &ctx);
	v = jq_parse(out, err, sizeof(err));
	ck_assert_msg(v, "%s: %s", err, out);
	ck_assert_str_eq(jq_str(v, "facts.how"), "closed");
	ck_assert(jq_int(v, "facts.closed_by.pid", &n) && n == 57);
	ck_assert(jq_int(v, "facts.creator_death.pid", &n) && n == 41);
	ck_assert_str_eq(jq_str(v, "facts.creator_death.how"), "oom_killed");
	ck_assert_str_eq(jq_str(v, "facts.creator_death.exit.signal"), "SIGKILL");
	ck_assert(jq_int(v, "facts.creator_death.before_close_ms", &n) && n == 999);
	ck_assert(jq_int(v, "facts.closer_exit.exit.code", &n) && n == 0);
	ck_assert(jq_int(v, "facts.closer_exit.after_close_ms", &n) && n == 2);
	jq_free(v);
}
END_TEST

/* `docker run --network container:web cli`: the client joined the
 * server's namespace; nothing listens there for IPv6, and the place of
 * that is web, not the client's container */
START_TEST(shared_netns_place_is_the_listeners_container)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task curl = task(900, "curl", NS_A, 66);
	struct kw_addr dst = ep("::1", 8000), cli = ep("::1", 40000);
	const struct kw_explanation *ex;
	struct kw_fmt_ctx ctx = {};
	char out[8192], err[128];
	struct kw_buf b = KW_BUF_INIT(out);
	struct jq_val *v;

	cgroup_ev(p, 1, 55, KW_RT_DOCKER, "web", "/docker/aaa", false);
	cgroup_ev(p, 2, 66, KW_RT_DOCKER, "cli", "/docker/bbb", false);
	listen_ev(p, 10, NS_A, ep("0.0.0.0", 8000), task(41, "gunicorn", NS_A, 55), false);
	/* the client was seen in the namespace last */
	connect_failed(p, 3 * SEC, NS_A, ep("::1", 39999), ep("::1", 9), &curl);
	kw_pipeline_flush(p);
	refused(p, 5 * SEC, NS_A, dst, cli);
	connect_failed(p, 5 * SEC + 1000, NS_A, cli, dst, &curl);
	kw_pipeline_flush(p);
	ck_assert_uint_ge(c.n, 1);
	ex = &c.ex[c.n - 1];
	ck_assert_str_eq(kw_cause_name(ex->cause), "wrong_family");
	ck_assert_str_eq(ex->place.name, "web");
	ck_assert_str_eq(ex->client_place.name, "cli");
	tu_assert_contains(ex->text, "nothing listens on [::1]:8000 for IPv6 in container web");
	tu_assert_contains(ex->text, "(client curl pid 900 in container cli)");
	kw_format_explanation(&b, true, ex, &ctx);
	v = jq_parse(out, err, sizeof(err));
	ck_assert_msg(v, "%s: %s", err, out);
	ck_assert_str_eq(jq_str(v, "facts.server_container.name"), "web");
	ck_assert_str_eq(jq_str(v, "facts.client_container.name"), "cli");
	ck_assert_str_eq(jq_str(v, "container.name"), "web");
	jq_free(v);
}
END_TEST

static void bind_fail_ev(struct kw_pipeline *p, uint64_t ts, uint32_t netns, struct kw_task t,
			 struct kw_addr a, int err)
{
	struct kw_event b = {};

	hdr(&b.hdr, KW_EV_BIND, ts, netns);
	b.hdr.flags |= KW_F_TASK;
	b.hdr.task = t;
	b.bind.addr = a;
	b.bind.ret = -err;
	kw_pipeline_event(p, &b);
}

/* The old gunicorn (master 41) drains a slow request in worker 57 after
 * SIGTERM; the new one (90) fails to bind; the worker finishes, closes the
 * socket and exits: refused.  Both halves of the story are told. */
START_TEST(restart_race_names_the_worker_and_the_failed_bind)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task master = task(41, "gunicorn", NS_A, 1), worker = task(57, "gunicorn", NS_A, 1);
	struct kw_task fresh = task(90, "gunicorn", NS_A, 1);
	const struct kw_explanation *ex;

	listen_ev(p, 1 * SEC, NS_A, ep("0.0.0.0", 8000), master, false);
	holders_ev(p, 11 * SEC, NS_A, ep("0.0.0.0", 8000), &worker, 1);
	bind_fail_ev(p, 11 * SEC, NS_A, fresh, ep("0.0.0.0", 8000), 98);
	close_by_ev(p, 19 * SEC, NS_A, ep("0.0.0.0", 8000), master, worker, KW_CLOSE_CALL, 0);
	exit_ev(p, &c, 19 * SEC + 30000000, worker, 0, KW_EXIT_CLOSED_LISTENER);
	ex = refuse_once(p, &c, 19 * SEC + 100000000, "127.0.0.1", 8000);
	ck_assert_str_eq(kw_cause_name(ex->cause), "listener_exited");
	ck_assert(ex->bind_meanwhile);
	ck_assert(ex->holders_known);
	ck_assert(ex->opener_gone);
	ck_assert_uint_eq(ex->holders.holders[0].tgid, 57);
	tu_assert_contains(ex->text, "gunicorn pid 41 listened on 0.0.0.0:8000 until gunicorn pid "
			   "57, which inherited it, closed it and exited with code 0 30 ms later");
	tu_assert_contains(ex->text, "before that, gunicorn pid 90 failed to bind 0.0.0.0:8000 "
			   "with EADDRINUSE 8.1 s before this refusal; the port is held by gunicorn "
			   "pid 57 (0.0.0.0:8000), which inherited it from gunicorn pid 41");
	tu_assert_contains(ex->text, "the old server is still draining");
	tu_assert_contains(ex->fix, "a restart raced the old server");
}
END_TEST

/* the opener is dead and its worker holds the port: the bind fails */
START_TEST(bind_failed_holder_outlived_its_opener)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task master = task(41, "gunicorn", NS_A, 1), worker = task(57, "gunicorn", NS_A, 1);
	struct kw_task w2 = task(58, "gunicorn", NS_A, 1), fresh = task(90, "gunicorn", NS_A, 1);
	struct kw_task both[2] = { worker, w2 };
	const struct kw_explanation *ex;

	listen_ev(p, 1 * SEC, NS_A, ep("127.0.0.1", 8000), master, false);
	exit_ev(p, &c, 9 * SEC, master, 1 << 8, KW_EXIT_LISTENER);
	holders_ev(p, 11 * SEC, NS_A, ep("127.0.0.1", 8000), both, 2);
	bind_fail_ev(p, 11 * SEC, NS_A, fresh, ep("0.0.0.0", 8000), 98);
	ex = refuse_once(p, &c, 12 * SEC, "10.0.0.5", 8000);
	ck_assert_str_eq(kw_cause_name(ex->cause), "bind_failed");
	ck_assert(ex->opener_gone);
	tu_assert_contains(ex->text, "the port is held by gunicorn pid 57 and 1 more "
			   "(127.0.0.1:8000), which inherited it from gunicorn pid 41, which opened it "
			   "and exited with code 1 2.0 s before: the old server is still draining");
}
END_TEST

/* a failed bind of 127.0.0.1:P says nothing of a refusal on 127.0.0.2:P */
START_TEST(failed_bind_of_another_address_is_not_the_cause)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	const struct kw_explanation *ex;

	bind_fail_ev(p, 3 * SEC, NS_A, task(50, "gunicorn", NS_A, 1), ep("127.0.0.1", 8001), 98);
	ex = refuse_once(p, &c, 4 * SEC, "127.0.0.2", 8001);
	ck_assert_str_ne(kw_cause_name(ex->cause), "bind_failed");
}
END_TEST

/* a listener that went away after a failed bind is nearer the refusal */
START_TEST(later_close_outranks_an_earlier_failed_bind)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task gun = task(41, "gunicorn", NS_A, 1);
	const struct kw_explanation *ex;

	listen_ev(p, 1 * SEC, NS_A, ep("0.0.0.0", 8001), gun, false);
	bind_fail_ev(p, 3 * SEC, NS_A, task(50, "gunicorn", NS_A, 1), ep("0.0.0.0", 8001), 98);
	close_ev(p, 5 * SEC, NS_A, ep("0.0.0.0", 8001), gun, KW_CLOSE_KILLED, 9);
	ex = refuse_once(p, &c, 6 * SEC, "127.0.0.1", 8001);
	ck_assert_str_eq(kw_cause_name(ex->cause), "listener_exited");
	ck_assert(ex->bind_meanwhile);
}
END_TEST

/* container a's namespace is gone (its listener closed with it); the
 * kernel gives its inode to container b's: b's refusal is not a's */
START_TEST(reused_netns_inode_is_not_the_old_containers)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task old = task(41, "python3", NS_A, 55), cli = task(900, "python3", NS_A, 66);
	const struct kw_explanation *ex;

	cgroup_ev(p, 1, 55, KW_RT_DOCKER, "a", "/docker/aaa", false);
	cgroup_ev(p, 2, 66, KW_RT_DOCKER, "b", "/docker/bbb", false);
	g_cookie = 7;		/* a's namespace */
	listen_ev(p, 1 * SEC, NS_A, ep("127.0.0.1", 8001), old, false);
	close_ev(p, 5 * SEC, NS_A, ep("127.0.0.1", 8001), old, KW_CLOSE_KILLED, 9);
	g_cookie = 8;		/* b's: the same inode */
	refused(p, 200 * SEC, NS_A, ep("127.0.0.1", 8002), ep("127.0.0.1", 40000));
	connect_failed(p, 200 * SEC + 1000, NS_A, ep("127.0.0.1", 40000), ep("127.0.0.1", 8002),
		       &cli);
	kw_pipeline_flush(p);
	ck_assert_uint_ge(c.n, 1);
	ex = &c.ex[c.n - 1];
	g_cookie = 0;
	ck_assert_str_eq(ex->place.name, "b");
}
END_TEST

/* db not up -> the backend exits -> nginx is refused: one chain */
START_TEST(upstream_chain_through_a_listener_that_exited)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task backend = task(41, "gunicorn", NS_A, 1);
	const struct kw_explanation *ex;

	listen_ev(p, 1 * SEC, NS_A, ep("0.0.0.0", 8000), backend, false);
	connect_failed(p, 10 * SEC, NS_A, ep("127.0.0.1", 40001), ep("127.0.0.1", 5432), &backend);
	kw_pipeline_flush(p);
	close_ev(p, 10 * SEC + 180000000, NS_A, ep("0.0.0.0", 8000), backend, KW_CLOSE_EXIT,
		 1 << 8);
	exit_ev(p, &c, 10 * SEC + 180000000, backend, 1 << 8,
		KW_EXIT_LISTENER | KW_EXIT_AFTER_REFUSAL);
	ex = refuse_once(p, &c, 11 * SEC, "127.0.0.1", 8000);
	ck_assert_str_eq(kw_cause_name(ex->cause), "listener_exited");
	ck_assert(ex->upstream_known);
	ck_assert_str_eq(kw_cause_name(ex->upstream_cause), "no_listener");
	tu_assert_contains(ex->text, "until it exited with code 1");
	tu_assert_contains(ex->text, "gunicorn pid 41 had died 180 ms after its own connect to "
			   "127.0.0.1:5432 was refused (nothing listens on 127.0.0.1:5432");
	tu_assert_contains(ex->fix, "make 127.0.0.1:5432 reachable");
}
END_TEST

/* the backend gave up before it ever listened */
START_TEST(upstream_chain_before_the_backend_listened)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task backend = task(41, "gunicorn", NS_A, 1), nginx = task(50, "nginx", NS_A, 1);
	const struct kw_explanation *ex;

	connect_failed(p, 10 * SEC, NS_A, ep("127.0.0.1", 40001), ep("127.0.0.1", 5432), &backend);
	kw_pipeline_flush(p);
	exit_ev(p, &c, 10 * SEC + 100000000, backend, 1 << 8, KW_EXIT_AFTER_REFUSAL);
	refused(p, 12 * SEC, NS_A, ep("127.0.0.1", 8000), ep("127.0.0.1", 40002));
	connect_failed(p, 12 * SEC + 1000, NS_A, ep("127.0.0.1", 40002), ep("127.0.0.1", 8000),
		       &nginx);
	kw_pipeline_flush(p);
	ex = &c.ex[c.n - 1];
	ck_assert_str_eq(kw_cause_name(ex->cause), "no_listener");
	ck_assert(ex->upstream_known);
	tu_assert_contains(ex->text, "nothing listens on 127.0.0.1:8000; in that namespace, "
			   "gunicorn pid 41 exited "
			   "with code 1 1.9 s before, 100 ms after its own connect to 127.0.0.1:5432 "
			   "was refused");
	tu_assert_contains(ex->text, "(client nginx pid 50)");
}
END_TEST

/* a client that died after its own refusal is no upstream; nor is a
 * process that exited 0 */
START_TEST(no_chain_through_the_client_or_a_clean_exit)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task curl = task(900, "curl", NS_A, 1), job = task(77, "cron", NS_A, 1);
	const struct kw_explanation *ex;

	connect_failed(p, 3 * SEC, NS_A, ep("127.0.0.1", 40005), ep("127.0.0.1", 5432), &job);
	kw_pipeline_flush(p);
	exit_ev(p, &c, 3 * SEC + 1000, job, 0, KW_EXIT_AFTER_REFUSAL);
	connect_failed(p, 4 * SEC, NS_A, ep("127.0.0.1", 40003), ep("127.0.0.1", 9999), &curl);
	kw_pipeline_flush(p);
	exit_ev(p, &c, 4 * SEC + 1000, curl, 7 << 8, KW_EXIT_AFTER_REFUSAL);
	refused(p, 5 * SEC, NS_A, ep("127.0.0.1", 8000), ep("127.0.0.1", 40004));
	connect_failed(p, 5 * SEC + 1000, NS_A, ep("127.0.0.1", 40004), ep("127.0.0.1", 8000), &curl);
	kw_pipeline_flush(p);
	ex = &c.ex[c.n - 1];
	ck_assert_str_eq(kw_cause_name(ex->cause), "no_listener");
	ck_assert(!ex->upstream_known);
	tu_assert_contains(ex->text, "none explains it");
}
END_TEST

/* a server that keeps dying and being restarted: one story */
START_TEST(crash_loop_is_one_story)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	const struct kw_explanation *ex;

	cgroup_ev(p, 1, 55, KW_RT_DOCKER, "backend", "/docker/aaa", false);
	for (uint32_t i = 0; i < 3; i++) {
		struct kw_task t = task(41 + i, "python3", NS_A, 55);
		uint64_t start = (1 + 3 * i) * SEC;

		listen_ev(p, start, NS_A, ep("0.0.0.0", 3000), t, false);
		close_ev(p, start + 2 * SEC, NS_A, ep("0.0.0.0", 3000), t, KW_CLOSE_EXIT, 1 << 8);
	}
	ex = refuse_once(p, &c, 9 * SEC + 500000000, "127.0.0.1", 3000);
	ck_assert_str_eq(kw_cause_name(ex->cause), "crash_loop");
	ck_assert_uint_eq(ex->nr_cycles, 3);
	/* down: 3-4 s, 6-7 s, 9-9.5 s */
	ck_assert_uint_eq(ex->loop_down_ns, 2500000000ULL);
	tu_assert_contains(ex->text, "nothing listens on 127.0.0.1:3000 in container backend: it is "
			   "in a crash loop: its listener went away 3 times in 6.5 s (python3 pid 41 "
			   "exited with code 1, python3 pid 42 exited with code 1, python3 pid 43 "
			   "exited with code 1); nothing listened on :3000 for 2.5 s of that");
	tu_assert_contains(ex->fix, "keeps exiting");
}
END_TEST

/* twice is not yet a loop */
START_TEST(two_exits_are_not_a_crash_loop)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	const struct kw_explanation *ex;

	for (uint32_t i = 0; i < 2; i++) {
		struct kw_task t = task(41 + i, "python3", NS_A, 1);
		uint64_t start = (1 + 3 * i) * SEC;

		listen_ev(p, start, NS_A, ep("0.0.0.0", 3000), t, false);
		close_ev(p, start + 2 * SEC, NS_A, ep("0.0.0.0", 3000), t, KW_CLOSE_EXIT, 1 << 8);
	}
	ex = refuse_once(p, &c, 6 * SEC + 500000000, "127.0.0.1", 3000);
	ck_assert_str_eq(kw_cause_name(ex->cause), "listener_exited");
}
END_TEST

static void resync_ev(struct kw_pipeline *p, uint64_t ts, uint32_t phase, uint32_t n, uint64_t lost)
{
	struct kw_event ev = {};

	hdr(&ev.hdr, KW_EV_RESYNC, ts, 0);
	ev.hdr.flags = 0;
	ev.resync.phase = phase;
	ev.resync.listeners = n;
	ev.resync.lost = lost;
	kw_pipeline_event(p, &ev);
}

/* The close of the listener on :8000 was lost (ring full): without a
 * resync the ghost would be "the nearest listener, :8000 — wrong port?" */
START_TEST(resync_drops_a_ghost_listener)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task gun = task(41, "gunicorn", NS_A, 1), other = task(50, "redis", NS_A, 1);
	struct kw_event snap = {};
	const struct kw_explanation *ex;

	listen_ev(p, 1 * SEC, NS_A, ep("127.0.0.1", 8000), gun, false);
	listen_ev(p, 1 * SEC, NS_A, ep("127.0.0.1", 8010), other, false);
	/* ... the close of :8000 was lost ... */
	resync_ev(p, 5 * SEC, KW_RESYNC_BEGIN, 0, 7);
	hdr(&snap.hdr, KW_EV_LISTEN, 5 * SEC, NS_A);
	snap.hdr.flags |= KW_F_TASK | KW_F_SNAPSHOT;
	snap.hdr.task = other;
	snap.listen.local = ep("127.0.0.1", 8010);
	kw_pipeline_event(p, &snap);
	resync_ev(p, 5 * SEC, KW_RESYNC_END, 1, 7);
	ex = refuse_once(p, &c, 6 * SEC, "127.0.0.1", 8000);
	ck_assert(ex->resynced);
	for (uint32_t i = 0; i < ex->nr_listeners; i++)
		ck_assert_uint_ne(ex->listeners[i].local.port, 8000);
	ck_assert_str_eq(kw_cause_name(ex->cause), "wrong_port");	/* :8010 is near */
	tu_assert_contains(ex->text, "nearest listener: :8010");
	tu_assert_contains(ex->text, "[the listeners were re-read from the kernel after 7 lost "
			   "events]");
}
END_TEST

/* a refusal waiting for its client when the resync ends is explained again */
START_TEST(resync_reexplains_a_pending_refusal)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task gun = task(41, "gunicorn", NS_A, 1), curl = task(900, "curl", NS_A, 1);

	listen_ev(p, 1 * SEC, NS_A, ep("127.0.0.1", 8000), gun, false);
	refused(p, 5 * SEC, NS_A, ep("127.0.0.1", 8000), ep("127.0.0.1", 40000));
	resync_ev(p, 5 * SEC + 1000, KW_RESYNC_BEGIN, 0, 3);
	resync_ev(p, 5 * SEC + 2000, KW_RESYNC_END, 0, 3);
	connect_failed(p, 5 * SEC + 3000, NS_A, ep("127.0.0.1", 40000), ep("127.0.0.1", 8000),
		       &curl);
	kw_pipeline_flush(p);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_str_eq(kw_cause_name(c.ex[0].cause), "no_listener");
	ck_assert(c.ex[0].resynced);
	tu_assert_contains(c.ex[0].text, "(client curl pid 900)");
}
END_TEST

START_TEST(bind_failed_names_the_holder)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_event b = {};
	const struct kw_explanation *ex;

	listen_ev(p, 1 * SEC, NS_A, ep("127.0.0.1", 8001), task(12, "old", NS_A, 1), false);
	hdr(&b.hdr, KW_EV_BIND, 3 * SEC, NS_A);
	b.hdr.flags |= KW_F_TASK;
	b.hdr.task = task(50, "gunicorn", NS_A, 1);
	b.bind.addr = ep("0.0.0.0", 8001);
	b.bind.ret = -98;
	kw_pipeline_event(p, &b);
	ex = refuse_once(p, &c, 4 * SEC, "10.0.0.5", 8001);
	ck_assert_str_eq(kw_cause_name(ex->cause), "bind_failed");
	ck_assert(ex->holder_known);
	ck_assert_uint_eq(ex->holder.tgid, 12);
	tu_assert_contains(ex->text, "failed to bind 0.0.0.0:8001 with EADDRINUSE");
	tu_assert_contains(ex->text, "held by old pid 12");
}
END_TEST

START_TEST(wrong_port_nearest_first)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	const struct kw_explanation *ex;

	listen_ev(p, 1, NS_A, ep("0.0.0.0", 3001), task(41, "gunicorn", NS_A, 1), false);
	listen_ev(p, 2, NS_A, ep("0.0.0.0", 9000), task(42, "other", NS_A, 1), false);
	listen_ev(p, 3, NS_A, ep("0.0.0.0", 2990), task(43, "third", NS_A, 1), false);
	ex = refuse_once(p, &c, 5 * SEC, "127.0.0.1", 3000);
	ck_assert_str_eq(kw_cause_name(ex->cause), "wrong_port");
	ck_assert_uint_eq(ex->nr_listeners, 2);		/* :9000 is too far to be a typo */
	ck_assert_uint_eq(ex->listeners[0].local.port, 3001);
	ck_assert_uint_eq(ex->listeners[1].local.port, 2990);
	tu_assert_contains(ex->text, ":3001 (gunicorn pid 41)");
}
END_TEST

START_TEST(wrong_netns_names_the_other_container)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	const struct kw_explanation *ex;

	cgroup_ev(p, 1, 66, KW_RT_DOCKER, "redis", "/docker/def", false);
	listen_ev(p, 2, NS_B, ep("0.0.0.0", 6379), task(3, "redis-server", NS_B, 66), false);
	ex = refuse_once(p, &c, 5 * SEC, "127.0.0.1", 6379);
	ck_assert_str_eq(kw_cause_name(ex->cause), "wrong_netns");
	tu_assert_contains(ex->text, "in another one (container redis)");
}
END_TEST

START_TEST(no_listener_says_what_was_checked)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	const struct kw_explanation *ex;

	listen_ev(p, 1, NS_A, ep("0.0.0.0", 22), task(5, "sshd", NS_A, 1), false);
	ex = refuse_once(p, &c, 5 * SEC, "127.0.0.1", 9999);
	ck_assert_str_eq(kw_cause_name(ex->cause), "no_listener");
	tu_assert_contains(ex->text, "checked 1 known listener in that network namespace");
}
END_TEST

START_TEST(remote_reset_without_local_server_side)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task curl = task(900, "curl", NS_A, 1);

	connect_failed(p, 5 * SEC, NS_A, ep("10.0.0.9", 40000), ep("192.0.2.10", 443), &curl);
	kw_pipeline_flush(p);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_str_eq(kw_cause_name(c.ex[0].cause), "remote");
	tu_assert_contains(c.ex[0].text, "another host");
}
END_TEST

START_TEST(userspace_killer_is_named)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_event sig = {}, ex = {};

	hdr(&sig.hdr, KW_EV_SIGNAL, 5 * SEC, NS_A);
	sig.hdr.flags |= KW_F_TASK;
	sig.hdr.task = task(900, "kubelet", NS_A, 1);
	sig.signal.target = task(41, "nginx", NS_A, 1);
	sig.signal.sig = 9;
	kw_pipeline_event(p, &sig);
	hdr(&ex.hdr, KW_EV_PROC_EXIT, 5 * SEC + 1000, NS_A);
	ex.hdr.flags |= KW_F_TASK;
	ex.hdr.task = task(41, "nginx", NS_A, 1);
	ex.exit.exit_code = 9;
	kw_pipeline_event(p, &ex);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_str_eq(kw_cause_name(c.ex[0].cause), "userspace_killer");
	tu_assert_contains(c.ex[0].text, "nginx pid 41 was killed with SIGKILL by kubelet pid 900");
}
END_TEST

/* a signal from sender to target */
static uint64_t signal_ev(struct kw_pipeline *p, struct capture *c, uint64_t ts,
			  struct kw_task sender, struct kw_task target, uint32_t sig)
{
	struct kw_event ev = {};

	hdr(&ev.hdr, KW_EV_SIGNAL, ts, sender.netns_ino);
	ev.hdr.flags |= KW_F_TASK;
	ev.hdr.task = sender;
	ev.signal.target = target;
	ev.signal.sig = sig;
	kw_pipeline_event(p, &ev);
	return c->events;
}

/* docker stop of a process that ignores SIGTERM: runc's SIGTERM, the
 * grace period, runc's SIGKILL */
START_TEST(runtime_stop_after_the_grace_period)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task py = task(41, "python3", NS_A, 55);
	const struct kw_explanation *ex;
	uint64_t term_id, kill_id;

	cgroup_ev(p, 1, 55, KW_RT_DOCKER, "web", "/docker/aaa", false);
	term_id = signal_ev(p, &c, 5 * SEC, task(700, "runc", 1, 1), py, 15);
	kill_id = signal_ev(p, &c, 15 * SEC, task(701, "runc", 1, 1), py, 9);
	exit_ev(p, &c, 15 * SEC + 1000, py, 9, KW_EXIT_SIGNALED);
	ck_assert_uint_eq(c.n, 1);
	ex = &c.ex[0];
	ck_assert_str_eq(kw_cause_name(ex->cause), "runtime_stop");
	ck_assert(ex->term_known);
	ck_assert(has_event(ex, term_id) && has_event(ex, kill_id));
	tu_assert_contains(ex->text, "python3 pid 41 in container web was stopped by its container "
			   "runtime (runc pid 701): SIGTERM, still running 10.0 s later (the stop's "
			   "grace period), then SIGKILL");
	tu_assert_contains(ex->fix, "it ignored SIGTERM");
	ck_assert(strstr(ex->fix, "systemd-oomd") == NULL);
}
END_TEST

/* docker kill: runc's SIGKILL alone */
START_TEST(runtime_kill_without_sigterm)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task py = task(41, "python3", NS_A, 55);

	signal_ev(p, &c, 5 * SEC, task(701, "runc", 1, 1), py, 9);
	exit_ev(p, &c, 5 * SEC + 1000, py, 9, KW_EXIT_SIGNALED);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_str_eq(kw_cause_name(c.ex[0].cause), "runtime_stop");
	ck_assert(!c.ex[0].term_known);
	tu_assert_contains(c.ex[0].text, "SIGKILL with no SIGTERM before it");
}
END_TEST

/* docker stop of a process that takes SIGTERM's default action */
START_TEST(runtime_sigterm_ends_it)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task py = task(41, "python3", NS_A, 55);

	signal_ev(p, &c, 5 * SEC, task(700, "runc", 1, 1), py, 15);
	exit_ev(p, &c, 5 * SEC + 1000, py, 15, KW_EXIT_SIGNALED);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_str_eq(kw_cause_name(c.ex[0].cause), "runtime_stop");
	tu_assert_contains(c.ex[0].text, "(runc pid 700): SIGTERM, which ended it");
}
END_TEST

/* SIGTERM from anyone else is not explained; SIGKILL from a shell stays a
 * userspace killer, even after a runtime's SIGTERM */
START_TEST(other_senders_are_not_the_runtime)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task py = task(41, "python3", NS_A, 55), py2 = task(42, "python3", NS_A, 55);

	signal_ev(p, &c, 5 * SEC, task(800, "bash", 1, 1), py, 15);
	exit_ev(p, &c, 5 * SEC + 1000, py, 15, KW_EXIT_SIGNALED);
	ck_assert_uint_eq(c.n, 0);
	signal_ev(p, &c, 6 * SEC, task(700, "runc", 1, 1), py2, 15);
	signal_ev(p, &c, 7 * SEC, task(800, "bash", 1, 1), py2, 9);
	exit_ev(p, &c, 7 * SEC + 1000, py2, 9, KW_EXIT_SIGNALED);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_str_eq(kw_cause_name(c.ex[0].cause), "userspace_killer");
}
END_TEST

/* docker stop of a server whose client shares its namespace: runc's
 * SIGTERM, gunicorn closes and exits 0, then the client is refused */
START_TEST(listener_closed_because_the_runtime_stopped_it)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task gun = task(41, "gunicorn", NS_A, 55);
	const struct kw_explanation *ex;
	uint64_t term_id;

	cgroup_ev(p, 1, 55, KW_RT_DOCKER, "web", "/docker/aaa", false);
	listen_ev(p, 1 * SEC, NS_A, ep("0.0.0.0", 8000), gun, false);
	term_id = signal_ev(p, &c, 10 * SEC, task(700, "runc", 1, 1), gun, 15);
	close_ev(p, 10 * SEC + 40000000, NS_A, ep("0.0.0.0", 8000), gun, KW_CLOSE_CALL, 0);
	exit_ev(p, &c, 10 * SEC + 50000000, gun, 0, KW_EXIT_CLOSED_LISTENER);
	ex = refuse_once(p, &c, 11 * SEC, "127.0.0.1", 8000);
	ck_assert_str_eq(kw_cause_name(ex->cause), "listener_exited");
	ck_assert(ex->stop_known);
	ck_assert(has_event(ex, term_id));
	tu_assert_contains(ex->text, "until it closed it and exited with code 0 10 ms later");
	tu_assert_contains(ex->text, "its container was being stopped: its runtime (runc pid 700) "
			   "sent gunicorn pid 41 SIGTERM 40 ms before the close");
	tu_assert_contains(ex->fix, "stopped on purpose");
}
END_TEST

START_TEST(global_oom)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_event oom = {};

	hdr(&oom.hdr, KW_EV_OOM_KILL, 5 * SEC, NS_A);
	oom.oom.victim = task(41, "java", NS_A, 1);
	oom.oom.limit_level = KW_OOM_GLOBAL;
	oom.oom.nr_levels = 1;
	oom.oom.levels[0] = (struct kw_oom_level){ 1, 8ULL << 30, ~0ULL };
	kw_pipeline_event(p, &oom);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_str_eq(kw_cause_name(c.ex[0].cause), "global");
	tu_assert_contains(c.ex[0].text, "the host ran out of memory");
}
END_TEST

/* ---- a host-wide OOM: the incident kwhy was born from ---- */

#define GUNICORN_ANON_KB 350584ULL	/* the incident's anon-rss */
#define WEB_CG 301			/* a top-level cgroup, a plain directory */
#define DB_CG 302			/* a container's */

/* What enrich reads for a global OOM kill of pid victim: /proc/meminfo
 * (when meminfo) and the biggest top-level cgroups, their cgroup records
 * first, all stamped with the kill's time. */
static void host_mem_ev(struct kw_pipeline *p, uint64_t ts, uint32_t victim, bool meminfo)
{
	struct kw_event ev = {};

	cgroup_ev(p, ts, WEB_CG, KW_RT_HOST, "host", "/web.slice", false);
	cgroup_ev(p, ts, DB_CG, KW_RT_DOCKER, "db", "/docker/0123abcd", false);
	hdr(&ev.hdr, KW_EV_HOST_MEM, ts, 0);
	ev.hdr.flags = 0;
	ev.host_mem.victim_pid = victim;
	if (meminfo) {
		ev.host_mem.has_meminfo = 1;
		ev.host_mem.mem_total_kb = 6081740;	/* 5.8 GiB */
		ev.host_mem.mem_available_kb = 43008;	/* 42.0 MiB */
		ev.host_mem.mem_free_kb = 30000;
	}
	ev.host_mem.cgroups_read = 5;
	ev.host_mem.nr_cgroups = 3;
	ev.host_mem.cgroups[0] = (struct kw_cgroup_mem){ WEB_CG, 4800ULL << 20 };
	ev.host_mem.cgroups[1] = (struct kw_cgroup_mem){ DB_CG, 700ULL << 20 };
	ev.host_mem.cgroups[2] = (struct kw_cgroup_mem){ 999, 12ULL << 20 };	/* no record */
	kw_pipeline_event(p, &ev);
}

/* gunicorn (pid 41) listening on 0.0.0.0:8000 in WEB_CG is the victim of a
 * host-wide OOM kill at 20 s; returns the kill's event id */
static uint64_t global_oom_ev(struct kw_pipeline *p, struct capture *c, struct kw_task gun)
{
	struct kw_event ev = {};

	hdr(&ev.hdr, KW_EV_OOM_KILL, 20 * SEC, NS_A);
	ev.hdr.flags |= KW_F_TASK;
	ev.hdr.task = task(77, "python3", NS_A, WEB_CG);	/* the allocation that failed */
	ev.oom.victim = gun;
	ev.oom.total_vm_kb = 908936;
	ev.oom.anon_rss_kb = GUNICORN_ANON_KB;
	ev.oom.limit_level = KW_OOM_GLOBAL;
	ev.oom.nr_levels = 2;
	ev.oom.levels[0] = (struct kw_oom_level){ WEB_CG, 4800ULL << 20, ~0ULL };
	ev.oom.levels[1] = (struct kw_oom_level){ 1, 5600ULL << 20, ~0ULL };
	kw_pipeline_event(p, &ev);
	return c->events;
}

/* the OOM kill, gunicorn's death with its listener, a refused connect:
 * the refusal's explanation */
static const struct kw_explanation *global_oom_story(struct kw_pipeline *p, struct capture *c,
						     bool host_mem, bool meminfo,
						     uint64_t *oom_id)
{
	struct kw_task gun = task(41, "gunicorn", NS_A, WEB_CG);

	listen_ev(p, 1 * SEC, NS_A, ep("0.0.0.0", 8000), gun, false);
	if (host_mem)
		host_mem_ev(p, 20 * SEC, 41, meminfo);
	*oom_id = global_oom_ev(p, c, gun);
	ck_assert_uint_eq(c->n, 1);
	exit_ev(p, c, 20 * SEC + 1000, gun, 9, KW_EXIT_LISTENER | KW_EXIT_SIGNALED);
	close_ev(p, 20 * SEC + 2000, NS_A, ep("0.0.0.0", 8000), gun, KW_CLOSE_KILLED, 9);
	ck_assert_uint_eq(c->n, 1);	/* an OOM death is not a userspace kill */
	return refuse_once(p, c, 20 * SEC + 2000 + 300000000ULL, "127.0.0.1", 8000);
}

static struct jq_val *explanation_json(const struct kw_explanation *ex, char *line, size_t len)
{
	struct kw_fmt_ctx ctx = { .boot_to_wall_ns = 1700000000LL * 1000000000LL };
	struct kw_buf b = { .p = line, .cap = len };

	kw_buf_reset(&b);
	kw_format_explanation(&b, true, ex, &ctx);
	return tu_parse(line);
}

START_TEST(global_oom_with_host_memory)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	const struct kw_explanation *ex;
	static char line[16384];
	struct jq_val *v;
	uint64_t oom_id;

	ex = global_oom_story(p, &c, true, true, &oom_id);
	ck_assert_str_eq(kw_cause_name(c.ex[0].cause), "global");
	ck_assert_str_eq(c.ex[0].text,
			 "gunicorn pid 41 (RSS 342.4 MiB) was OOM-killed: the host ran out of memory "
			 "(5.8 GiB total, 42.0 MiB available when the kill was seen, no swap); "
			 "biggest cgroups: /web.slice 4.7 GiB, container db 700.0 MiB, cgroup 999 "
			 "12.0 MiB");
	ck_assert_str_eq(c.ex[0].fix,
			 "add memory or swap, or set memory limits on the biggest consumers");
	v = explanation_json(&c.ex[0], line, sizeof(line));
	tu_assert_str(v, "cause", "global");
	tu_assert_int(v, "facts.victim.pid", 41);
	tu_assert_int(v, "facts.victim_rss_kb", GUNICORN_ANON_KB);
	tu_assert_int(v, "facts.host_usage_bytes", 5600LL << 20);
	tu_assert_int(v, "facts.host_memory.total_bytes", 6081740LL * 1024);
	tu_assert_int(v, "facts.host_memory.available_bytes", 43008LL * 1024);
	tu_assert_int(v, "facts.host_memory.swap_total_bytes", 0);
	ck_assert_uint_eq(jq_len(v, "facts.biggest_cgroups"), 3);
	tu_assert_str(v, "facts.biggest_cgroups.0.path", "/web.slice");
	tu_assert_int(v, "facts.biggest_cgroups.0.usage_bytes", 4800LL << 20);
	tu_assert_null(v, "facts.biggest_cgroups.0.container_name");
	tu_assert_str(v, "facts.biggest_cgroups.1.container_name", "db");
	tu_assert_str(v, "facts.biggest_cgroups.1.path", "/docker/0123abcd");
	tu_assert_int(v, "facts.biggest_cgroups.2.cgroup_id", 999);
	tu_assert_null(v, "facts.biggest_cgroups.2.path");
	tu_assert_null(v, "facts.biggest_cgroups.2.container_name");
	jq_free(v);

	/* what broke next: the listener died with it, and says so */
	ck_assert_str_eq(kw_cause_name(ex->cause), "listener_exited");
	ck_assert_uint_eq(ex->closed.oom_event_id, oom_id);
	ck_assert(has_event(ex, oom_id));
	tu_assert_contains(ex->text, "gunicorn pid 41 listened on 0.0.0.0:8000 until it was "
			   "OOM-killed when the host ran out of memory, 300 ms before this refusal");
	tu_assert_contains(ex->fix, "the host ran out of memory");
	tu_assert_not_contains(ex->fix, "raise that memory limit");
}
END_TEST

/* the host_memory record lost (an older recording, a failed read): still
 * global, with what the kill event itself carries */
START_TEST(global_oom_without_host_memory)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	const struct kw_explanation *ex;
	static char line[16384];
	struct jq_val *v;
	uint64_t oom_id;

	ex = global_oom_story(p, &c, false, false, &oom_id);
	ck_assert_str_eq(kw_cause_name(c.ex[0].cause), "global");
	ck_assert_str_eq(c.ex[0].text,
			 "gunicorn pid 41 (RSS 342.4 MiB) was OOM-killed: the host ran out of memory "
			 "(no memory cgroup on its path was at its limit), total in use 5.5 GiB");
	v = explanation_json(&c.ex[0], line, sizeof(line));
	tu_assert_null(v, "facts.host_memory");
	ck_assert_uint_eq(jq_len(v, "facts.biggest_cgroups"), 0);
	tu_assert_int(v, "facts.host_usage_bytes", 5600LL << 20);
	jq_free(v);
	ck_assert_str_eq(kw_cause_name(ex->cause), "listener_exited");
	ck_assert(has_event(ex, oom_id));
	tu_assert_contains(ex->text, "until it was OOM-killed when the host ran out of memory");
}
END_TEST

/* /proc/meminfo unreadable, the cgroups read: those alone are said */
START_TEST(global_oom_cgroups_without_meminfo)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	static char line[16384];
	struct jq_val *v;
	uint64_t oom_id;

	global_oom_story(p, &c, true, false, &oom_id);
	tu_assert_contains(c.ex[0].text, "(no memory cgroup on its path was at its limit), total "
			   "in use 5.5 GiB; biggest cgroups: /web.slice 4.7 GiB");
	tu_assert_not_contains(c.ex[0].text, "available");
	v = explanation_json(&c.ex[0], line, sizeof(line));
	tu_assert_null(v, "facts.host_memory");
	ck_assert_uint_eq(jq_len(v, "facts.biggest_cgroups"), 3);
	jq_free(v);
}
END_TEST

/* a host_memory record read for another victim's kill is not this one's */
START_TEST(global_oom_host_memory_of_another_kill)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task gun = task(41, "gunicorn", NS_A, WEB_CG);

	host_mem_ev(p, 20 * SEC, 42, true);
	global_oom_ev(p, &c, gun);
	ck_assert_uint_eq(c.n, 1);
	ck_assert(!c.ex[0].host_mem_known);
	tu_assert_not_contains(c.ex[0].text, "available");
	tu_assert_not_contains(c.ex[0].text, "biggest cgroups");
}
END_TEST

/* the worst names a host can give: the global explanation's JSON still
 * fits the output line (a longer one would not be printed at all) */
START_TEST(global_oom_hostile_names_fit_a_line)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_fmt_ctx ctx = {};
	struct kw_event ev = {};
	struct kw_output o;
	char *line = o.line;
	struct kw_buf b = { .p = line, .cap = sizeof(o.line) };
	struct jq_val *v;

	for (uint64_t id = 1; id <= KW_HOST_MEM_CGROUPS + 1; id++) {
		struct kw_event cg = {};

		hdr(&cg.hdr, KW_EV_CGROUP, SEC, 0);
		cg.cgroup.cgroup_id = id;
		cg.cgroup.runtime = KW_RT_DOCKER;
		cg.cgroup.resolved = 1;
		memset(cg.cgroup.path, 0xff, sizeof(cg.cgroup.path) - 1);
		memset(cg.cgroup.container_id, 0xff, sizeof(cg.cgroup.container_id) - 1);
		memset(cg.cgroup.name, 0xff, sizeof(cg.cgroup.name) - 1);
		memset(cg.cgroup.pod, 0xff, sizeof(cg.cgroup.pod) - 1);
		memset(cg.cgroup.k8s_namespace, 0xff, sizeof(cg.cgroup.k8s_namespace) - 1);
		kw_pipeline_event(p, &cg);
	}
	hdr(&ev.hdr, KW_EV_MEMCG_PROCS, 5 * SEC, 0);
	ev.hdr.flags = 0;
	ev.memcg_procs.cgroup_id = 1;
	ev.memcg_procs.nr = KW_MEMCG_PROCS_MAX;
	for (int i = 0; i < KW_MEMCG_PROCS_MAX; i++) {
		ev.memcg_procs.procs[i].pid = 4000000000u;
		ev.memcg_procs.procs[i].rss_kb = UINT64_MAX / 2048;
		memset(ev.memcg_procs.procs[i].comm, 0xff, KW_COMM_LEN - 1);
	}
	kw_pipeline_event(p, &ev);
	memset(&ev, 0, sizeof(ev));
	hdr(&ev.hdr, KW_EV_HOST_MEM, 5 * SEC, 0);
	ev.hdr.flags = 0;
	ev.host_mem.victim_pid = 4000000000u;
	ev.host_mem.has_meminfo = 1;
	ev.host_mem.mem_total_kb = ev.host_mem.mem_available_kb = UINT64_MAX / 2048;
	ev.host_mem.nr_cgroups = KW_HOST_MEM_CGROUPS;
	for (int i = 0; i < KW_HOST_MEM_CGROUPS; i++)
		ev.host_mem.cgroups[i] = (struct kw_cgroup_mem){ i + 2, UINT64_MAX - i };
	kw_pipeline_event(p, &ev);
	memset(&ev, 0, sizeof(ev));
	hdr(&ev.hdr, KW_EV_OOM_KILL, 5 * SEC, NS_A);
	ev.oom.victim = task(4000000000u, "", NS_A, 1);
	memset(ev.oom.victim.comm, 0xff, KW_COMM_LEN - 1);
	ev.oom.anon_rss_kb = UINT64_MAX / 4096;
	ev.oom.limit_level = KW_OOM_GLOBAL;
	ev.oom.nr_levels = KW_OOM_MAX_LEVELS;
	kw_pipeline_event(p, &ev);
	ck_assert_uint_eq(c.n, 1);
	ck_assert(c.ex[0].host_mem_known);
	kw_format_explanation(&b, true, &c.ex[0], &ctx);
	kw_buf_putc(&b, '\n');		/* as kw_output_line does */
	ck_assert_msg(!b.truncated, "a global explanation of %zu bytes outgrew the line", b.len);
	line[b.len - 1] = '\0';
	v = tu_parse(line);
	ck_assert_uint_eq(jq_len(v, "facts.biggest_cgroups"), KW_EX_CGROUPS);
	jq_free(v);
}
END_TEST

/* a memcg OOM's listener keeps the memcg wording */
START_TEST(memcg_oom_listener_fix_is_the_limit)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task gun = task(41, "gunicorn", NS_A, 55);
	const struct kw_explanation *ex;

	listen_ev(p, 1 * SEC, NS_A, ep("0.0.0.0", 8000), gun, false);
	oom_ev(p, &c, 20 * SEC, gun);
	close_ev(p, 20 * SEC + 2000, NS_A, ep("0.0.0.0", 8000), gun, KW_CLOSE_KILLED, 9);
	ex = refuse_once(p, &c, 21 * SEC, "127.0.0.1", 8000);
	ck_assert_str_eq(kw_cause_name(ex->cause), "listener_exited");
	tu_assert_contains(ex->text, "until it was OOM-killed, ");
	tu_assert_contains(ex->fix, "raise that memory limit");
}
END_TEST

START_TEST(parent_limit_is_said)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_event oom = {};

	hdr(&oom.hdr, KW_EV_OOM_KILL, 5 * SEC, NS_A);
	oom.oom.victim = task(41, "java", NS_A, 1);
	oom.oom.nr_levels = 3;
	oom.oom.limit_level = 1;
	oom.oom.levels[0] = (struct kw_oom_level){ 10, 100ULL << 20, ~0ULL };
	oom.oom.levels[1] = (struct kw_oom_level){ 11, 512ULL << 20, 512ULL << 20 };
	oom.oom.levels[2] = (struct kw_oom_level){ 1, 1ULL << 30, ~0ULL };
	kw_pipeline_event(p, &oom);
	ck_assert_str_eq(kw_cause_name(c.ex[0].cause), "memcg_limit");
	tu_assert_contains(c.ex[0].text, "1 level above the victim's own");
	tu_assert_contains(c.ex[0].text, "512.0 MiB used of 512.0 MiB");
}
END_TEST

START_TEST(storm_is_one_explanation_with_exact_count)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_event rep = {};

	refuse_once(p, &c, 1 * SEC, "127.0.0.1", 9999);
	/* the kernel counted 18341 more for the server side, 18341 for the
	 * client side: the refusals are the server side's */
	hdr(&rep.hdr, KW_EV_REPEAT, 2 * SEC, NS_A);
	rep.repeat.key.type = KW_EV_RESET_SENT;
	rep.repeat.key.netns_ino = NS_A;
	rep.repeat.key.dest = ep("127.0.0.1", 9999);
	rep.repeat.count = 18341;
	rep.repeat.last_ns = 2 * SEC;
	kw_pipeline_event(p, &rep);
	rep.repeat.key.type = KW_EV_CONNECT_FAIL;
	rep.repeat.key.code = 111;
	kw_pipeline_event(p, &rep);
	/* one more non-aggregated refusal of the same kind, later */
	refused(p, 7 * SEC, NS_A, ep("127.0.0.1", 9999), ep("127.0.0.1", 40001));
	kw_pipeline_flush(p);
	ck_assert_uint_eq(c.n, 1);
	ck_assert_uint_eq(c.nsum, 1);
	ck_assert_uint_eq(c.sum[0].count, 18342);
	ck_assert_uint_eq(c.sum[0].total, 18343);
	ck_assert_uint_eq(c.sum[0].explanation_id, c.ex[0].id);
	kw_pipeline_finish(p);
	ck_assert_uint_eq(c.nsum, 1);	/* nothing new to report */
}
END_TEST

START_TEST(listener_table_is_bounded)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);

	for (uint32_t i = 0; i < KW_M_LISTENERS + 100; i++)
		listen_ev(p, i + 1, NS_A + i / 60000, ep("0.0.0.0", (uint16_t)(1000 + i % 60000)),
			  task(i + 2, "x", NS_A, 1), false);
	ck_assert_uint_eq(p->model.nr_listeners, KW_M_LISTENERS);
	ck_assert_uint_eq(p->model.listeners_evicted, 100);
	/* the oldest went */
	ck_assert_ptr_null(kw_lx_find(&p->model, NS_A, &(struct kw_addr){ 2, 1099, {} }));
	ck_assert_ptr_nonnull(kw_lx_find(&p->model, NS_A, &(struct kw_addr){ 2, 1100, {} }));
	ck_assert_uint_eq(kw_lx_netns_count(&p->model, NS_A), 60000 - 100);
}
END_TEST

/* the indexes of the listener table agree with a walk of the table
 * through listens, closes, listens again and a resync, in 64 namespaces */
static void check_index(const struct kw_model *m)
{
	uint32_t count[64] = {}, s;

	for (uint32_t i = 0; i < m->nr_listeners; i++) {
		const struct kw_listener *l = &m->listeners[i];
		bool in_np = false, in_port = false, in_ns = false;

		count[l->netns - NS_A]++;
		ck_assert_ptr_eq(kw_lx_find(m, l->netns, &l->local), l);
		KW_LX_FOR_NP(m, s, l->netns, l->local.port)
			in_np |= s == i;
		KW_LX_FOR_PORT(m, s, l->local.port)
			in_port |= s == i;
		KW_LX_FOR_NETNS(m, s, l->netns)
			in_ns |= s == i;
		ck_assert(in_np && in_port && in_ns);
	}
	for (uint32_t n = 0; n < 64; n++) {
		uint32_t walked = 0;

		KW_LX_FOR_NETNS(m, s, NS_A + n)
			walked++;
		ck_assert_uint_eq(kw_lx_netns_count(m, NS_A + n), count[n]);
		ck_assert_uint_eq(walked, count[n]);
	}
}

START_TEST(listener_index_matches_the_table)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	uint32_t x = 12345;

	for (uint32_t i = 0; i < 20000; i++) {
		uint32_t netns, port;

		x = x * 1103515245u + 12345u;
		netns = NS_A + (x >> 8) % 64;
		port = 1000 + (x >> 16) % 300;
		if ((x >> 4) % 3)
			listen_ev(p, i + 1, netns, ep((x >> 3) & 1 ? "127.0.0.1" : "0.0.0.0", port),
				  task(i + 2, "x", netns, 1), false);
		else
			close_ev(p, i + 1, netns, ep((x >> 3) & 1 ? "127.0.0.1" : "0.0.0.0", port),
				 task(i + 2, "x", netns, 1), KW_CLOSE_CALL, 0);
		if (i % 997 == 0)
			check_index(&p->model);
	}
	ck_assert_uint_gt(p->model.nr_listeners, 1000);
	check_index(&p->model);
	/* a model used before starts empty */
	kw_model_init(&p->model, &p->cfg.model);
	ck_assert_uint_eq(p->model.nr_listeners, 0);
	for (uint32_t n = 0; n < 64; n++)
		ck_assert_uint_eq(kw_lx_netns_count(&p->model, NS_A + n), 0);
	listen_ev(p, 1, NS_A, ep("0.0.0.0", 80), task(2, "x", NS_A, 1), false);
	check_index(&p->model);
}
END_TEST

START_TEST(many_distinct_refusals_stay_bounded)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);

	/* a million refusals over 5000 destinations: fixed-size tables, and
	 * every refusal is accounted for, explained or counted in a summary */
	for (uint32_t i = 0; i < 1000000; i++) {
		refused(p, 2 * SEC + i, NS_A, ep("127.0.0.1", (uint16_t)(2 + i % 5000)),
			ep("127.0.0.1", 40000));
		if (i % 1000 == 999)
			kw_pipeline_flush(p);
		ck_assert_uint_le(p->nr_pending, KW_PENDING_MAX);
	}
	kw_pipeline_finish(p);
	ck_assert_uint_ge(c.n_total, 5000);
	ck_assert_uint_eq(c.n_total + c.sum_total, 1000000);
	ck_assert_uint_eq(p->model.nr_listeners, 0);
}
END_TEST

START_TEST(explanation_json_is_valid_and_complete)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_fmt_ctx ctx = { .boot_to_wall_ns = 1700000000LL * 1000000000LL };
	const struct kw_explanation *ex;
	char line[8192];
	struct kw_buf b = KW_BUF_INIT(line);
	struct jq_val *v;

	cgroup_ev(p, 1, 55, KW_RT_DOCKER, "back\"end\n", "/docker/abc", false);
	listen_ev(p, 10, NS_A, ep("127.0.0.1", 8001), task(41, "guni\x1b[31m", NS_A, 55), false);
	ex = refuse_once(p, &c, 5 * SEC, "10.0.0.5", 8001);
	kw_format_explanation(&b, true, ex, &ctx);
	v = tu_parse(line);
	tu_assert_str(v, "type", "explanation");
	tu_assert_str(v, "cause", "wrong_address");
	tu_assert_str(v, "container.name", "back\"end\n");
	tu_assert_str(v, "container.runtime", "docker");
	tu_assert_str(v, "facts.destination.text", "10.0.0.5:8001");
	tu_assert_int(v, "facts.listeners.0.owner.pid", 41);
	tu_assert_int(v, "facts.client.pid", 900);
	ck_assert_uint_eq(jq_len(v, "events"), 3);
	jq_free(v);
	/* text: the escape sequence in comm is neutralised */
	kw_buf_reset(&b);
	kw_format_explanation(&b, false, ex, &ctx);
	tu_assert_not_contains(line, "\x1b");
	tu_assert_contains(line, "WHY          wrong_address");
}
END_TEST

START_TEST(client_in_the_next_batch_is_still_named)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task curl = task(900, "curl", NS_A, 77);

	refused(p, 5 * SEC, NS_A, ep("127.0.0.1", 9999), ep("127.0.0.1", 40000));
	kw_pipeline_flush_at(p, 5 * SEC + 1000000);	/* the batch ended: it waits */
	ck_assert_uint_eq(c.n, 0);
	ck_assert(kw_pipeline_pending(p));
	connect_failed(p, 5 * SEC + 30000, NS_A, ep("127.0.0.1", 40000), ep("127.0.0.1", 9999), &curl);
	kw_pipeline_flush(p);
	ck_assert_uint_eq(c.n, 1);
	ck_assert(c.ex[0].client_known);
	ck_assert_uint_eq(c.ex[0].client_task.tgid, 900);
	ck_assert(!kw_pipeline_pending(p));
}
END_TEST

START_TEST(no_client_goes_out_after_one_flush)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);

	refused(p, 5 * SEC, NS_A, ep("127.0.0.1", 9999), ep("127.0.0.1", 40000));
	kw_pipeline_flush_at(p, 5 * SEC + 5000000);
	ck_assert_uint_eq(c.n, 0);
	kw_pipeline_flush_at(p, 5 * SEC + KW_CLIENT_WAIT_NS);	/* waited long enough */
	ck_assert_uint_eq(c.n, 1);
	ck_assert(!c.ex[0].client_known);
	refused(p, 6 * SEC, NS_A, ep("127.0.0.1", 9998), ep("127.0.0.1", 40001));
	kw_pipeline_finish(p);			/* the end forces it out */
	ck_assert_uint_eq(c.n, 2);
}
END_TEST

START_TEST(container_from_the_client_when_alone_in_its_netns)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	const struct kw_explanation *ex;

	cgroup_ev(p, 1, 77, KW_RT_DOCKER, "backend", "/docker/abc", false);
	ex = refuse_once(p, &c, 5 * SEC, "127.0.0.1", 9999);	/* client: cgroup 77 */
	ck_assert(ex->place.known);
	ck_assert_str_eq(ex->place.name, "backend");
}
END_TEST

START_TEST(two_clients_of_one_pending_refusal_are_one_explanation)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task w1 = task(901, "worker", NS_A, 1), w2 = task(902, "worker", NS_A, 1);
	struct kw_event rep = {};

	/* two workers storm one closed port: server resets (the second folded
	 * into the pending one), then both clients' first connect_failed */
	refused(p, 5 * SEC, NS_A, ep("127.0.0.1", 9999), ep("127.0.0.1", 40001));
	refused(p, 5 * SEC + 10, NS_A, ep("127.0.0.1", 9999), ep("127.0.0.1", 40002));
	connect_failed(p, 5 * SEC + 20, NS_A, ep("127.0.0.1", 40002), ep("127.0.0.1", 9999), &w2);
	connect_failed(p, 5 * SEC + 30, NS_A, ep("127.0.0.1", 40001), ep("127.0.0.1", 9999), &w1);
	kw_pipeline_flush(p);
	/* the kernel counted the rest: server side 100, clients 50 + 50 */
	hdr(&rep.hdr, KW_EV_REPEAT, 6 * SEC, NS_A);
	rep.repeat.key.netns_ino = NS_A;
	rep.repeat.key.dest = ep("127.0.0.1", 9999);
	rep.repeat.key.type = KW_EV_RESET_SENT;
	rep.repeat.count = 100;
	rep.repeat.first_ns = 5 * SEC;	/* as the kernel sends them */
	rep.repeat.last_ns = 6 * SEC;
	kw_pipeline_event(p, &rep);
	rep.repeat.key.type = KW_EV_CONNECT_FAIL;
	rep.repeat.key.code = 111;
	rep.repeat.count = 50;
	kw_pipeline_event(p, &rep);
	kw_pipeline_event(p, &rep);
	kw_pipeline_finish(p);
	ck_assert_uint_eq(c.n_total, 1);
	ck_assert_uint_eq(c.n_total + c.sum_total, 102);	/* 2 resets + 100 */
}
END_TEST

/* A probe refused before the server started (no_listener); the server
 * listens, dies; a client's refusal comes alone (the kernel folded its
 * reset into the probe's count, or never sent it): it has the death's
 * story, never "one more of the probe's" */
START_TEST(refusal_after_a_listener_change_is_not_counted_into_the_old_story)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task app = task(41, "gunicorn", NS_A, 55), cli = task(900, "curl", NS_A, 77);

	refuse_once(p, &c, 1 * SEC, "127.0.0.1", 8000);
	ck_assert_str_eq(kw_cause_name(c.ex[0].cause), "no_listener");
	listen_ev(p, 2 * SEC, NS_A, ep("0.0.0.0", 8000), app, false);
	close_ev(p, 3 * SEC, NS_A, ep("0.0.0.0", 8000), app, KW_CLOSE_EXIT, 1 << 8);
	connect_failed(p, 3 * SEC + 500000000ULL, NS_A, ep("127.0.0.1", 40100),
		       ep("127.0.0.1", 8000), &cli);
	kw_pipeline_flush(p);
	kw_pipeline_finish(p);
	ck_assert_uint_eq(c.n, 2);
	ck_assert_str_eq(kw_cause_name(c.ex[1].cause), "listener_exited");
	for (uint32_t i = 0; i < c.nsum; i++)
		ck_assert_uint_ne(c.sum[i].explanation_id, c.ex[0].id);
}
END_TEST

/* The kernel's count of the refusals after the change (a new key: a new
 * listener generation) goes to the story they share, not the one before */
START_TEST(repeats_go_to_the_story_of_their_first)
{
	struct capture c;
	struct kw_pipeline *p = new_pipeline(&c);
	struct kw_task app = task(41, "gunicorn", NS_A, 55);
	struct kw_event rep = {};

	refuse_once(p, &c, 1 * SEC, "127.0.0.1", 8000);
	listen_ev(p, 2 * SEC, NS_A, ep("0.0.0.0", 8000), app, false);
	close_ev(p, 3 * SEC, NS_A, ep("0.0.0.0", 8000), app, KW_CLOSE_EXIT, 1 << 8);
	refuse_once(p, &c, 4 * SEC, "127.0.0.1", 8000);
	ck_assert_uint_eq(c.n, 2);
	ck_assert_str_eq(kw_cause_name(c.ex[1].cause), "listener_exited");
	hdr(&rep.hdr, KW_EV_REPEAT, 5 * SEC, NS_A);
	rep.repeat.key.type = KW_EV_RESET_SENT;
	rep.repeat.key.netns_ino = NS_A;
	rep.repeat.key.dest = ep("127.0.0.1", 8000);
	rep.repeat.count = 7;
	rep.repeat.first_ns = 4 * SEC - 1000;	/* noted a moment before the event */
	rep.repeat.last_ns = 5 * SEC;
	kw_pipeline_event(p, &rep);
	kw_pipeline_finish(p);
	ck_assert_uint_eq(c.nsum, 1);
	ck_assert_uint_eq(c.sum[0].explanation_id, c.ex[1].id);
	ck_assert_uint_eq(c.sum[0].count, 7);
}
END_TEST

Suite *explain_suite(void)
{
	Suite *s = suite_create("explain");
	TCase *tc = tcase_create("causes");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, wrong_address_names_the_listener);
	tcase_add_test(tc, wrong_family_ipv4_only_listener);
	tcase_add_test(tc, wrong_family_v6only_listener);
	tcase_add_test(tc, dual_stack_listener_is_not_a_mismatch);
	tcase_add_test(tc, listener_exited_with_code_and_delay);
	tcase_add_test(tc, oom_listener_refused_chain);
	tcase_add_test(tc, prefork_master_oom_killed_workers_keep_the_socket);
	tcase_add_test(tc, prefork_master_exit_lost_the_oom_kill_still_tells);
	tcase_add_test(tc, prefork_master_in_own_pidns_workers_killed_with_it);
	tcase_add_test(tc, creator_exited_workers_closed_later);
	tcase_add_test(tc, graceful_close_then_exit_code);
	tcase_add_test(tc, graceful_exit_seen_before_the_close);
	tcase_add_test(tc, exit_long_after_the_close_is_not_linked);
	tcase_add_test(tc, prefork_story_json_facts);
	tcase_add_test(tc, prefork_heirs_read_at_the_masters_death);
	tcase_add_test(tc, heirs_only_from_this_death);
	tcase_add_test(tc, shared_netns_place_is_the_listeners_container);
	tcase_add_test(tc, restart_race_names_the_worker_and_the_failed_bind);
	tcase_add_test(tc, bind_failed_holder_outlived_its_opener);
	tcase_add_test(tc, failed_bind_of_another_address_is_not_the_cause);
	tcase_add_test(tc, later_close_outranks_an_earlier_failed_bind);
	tcase_add_test(tc, reused_netns_inode_is_not_the_old_containers);
	tcase_add_test(tc, upstream_chain_through_a_listener_that_exited);
	tcase_add_test(tc, upstream_chain_before_the_backend_listened);
	tcase_add_test(tc, no_chain_through_the_client_or_a_clean_exit);
	tcase_add_test(tc, crash_loop_is_one_story);
	tcase_add_test(tc, two_exits_are_not_a_crash_loop);
	tcase_add_test(tc, resync_drops_a_ghost_listener);
	tcase_add_test(tc, resync_reexplains_a_pending_refusal);
	tcase_add_test(tc, bind_failed_names_the_holder);
	tcase_add_test(tc, wrong_port_nearest_first);
	tcase_add_test(tc, wrong_netns_names_the_other_container);
	tcase_add_test(tc, no_listener_says_what_was_checked);
	tcase_add_test(tc, remote_reset_without_local_server_side);
	tcase_add_test(tc, userspace_killer_is_named);
	tcase_add_test(tc, runtime_stop_after_the_grace_period);
	tcase_add_test(tc, runtime_kill_without_sigterm);
	tcase_add_test(tc, runtime_sigterm_ends_it);
	tcase_add_test(tc, other_senders_are_not_the_runtime);
	tcase_add_test(tc, listener_closed_because_the_runtime_stopped_it);
	tcase_add_test(tc, global_oom);
	tcase_add_test(tc, global_oom_with_host_memory);
	tcase_add_test(tc, global_oom_without_host_memory);
	tcase_add_test(tc, global_oom_cgroups_without_meminfo);
	tcase_add_test(tc, global_oom_host_memory_of_another_kill);
	tcase_add_test(tc, memcg_oom_listener_fix_is_the_limit);
	tcase_add_test(tc, global_oom_hostile_names_fit_a_line);
	tcase_add_test(tc, parent_limit_is_said);
	tcase_add_test(tc, storm_is_one_explanation_with_exact_count);
	tcase_add_test(tc, listener_table_is_bounded);
	tcase_add_test(tc, listener_index_matches_the_table);
	tcase_add_test(tc, many_distinct_refusals_stay_bounded);
	tcase_add_test(tc, explanation_json_is_valid_and_complete);
	tcase_add_test(tc, client_in_the_next_batch_is_still_named);
	tcase_add_test(tc, two_clients_of_one_pending_refusal_are_one_explanation);
	tcase_add_test(tc, refusal_after_a_listener_change_is_not_counted_into_the_old_story);
	tcase_add_test(tc, repeats_go_to_the_story_of_their_first);
	tcase_add_test(tc, no_client_goes_out_after_one_flush);
	tcase_add_test(tc, container_from_the_client_when_alone_in_its_netns);
	suite_add_tcase(s, tc);
	return s;
}
