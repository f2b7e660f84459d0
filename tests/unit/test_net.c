// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The connection stories of explain_net.c fed through the pipeline as
 * watch and replay feed them: a full accept queue and the connects it
 * timed out, packet filters in each mode (and with the client's event
 * missing), the keep-alive race with and without the server's reset, and
 * their JSON facts.
 */
#include <arpa/inet.h>
#include <check.h>
#include <string.h>
#include "core/pipeline.h"
#include "output/explanation.h"
#include "output/format.h"
#include "util/jsonq.h"
#include "suites.h"
#include "testutil.h"

#define NS 4026532001u
#define MS 1000000ULL
#define SEC 1000000000ULL

static struct kw_explanation g_ex[16];
static uint32_t g_n;

static void cap(void *ctx, const struct kw_explanation *ex)
{
	(void)ctx;
	if (g_n < 16)
		g_ex[g_n] = *ex;
	g_n++;
}

static struct kw_pipeline *fresh(void)
{
	static struct kw_pipeline p;
	struct kw_pipeline_cfg cfg = { .model.recent_ns = 60 * SEC };
	struct kw_sinks sinks = { .explanation = cap };

	g_n = 0;
	memset(g_ex, 0, sizeof(g_ex));
	kw_pipeline_init(&p, &cfg, &sinks);
	return &p;
}

static struct kw_addr ep(const char *ip, uint16_t port)
{
	struct kw_addr a = { .family = 2, .port = port };

	ck_assert_int_eq(inet_pton(AF_INET, ip, a.addr), 1);
	return a;
}

static struct kw_task task(uint32_t pid, const char *comm)
{
	struct kw_task t = { .pid = pid, .tgid = pid, .netns_ino = NS, .cgroup_id = 1 };

	strncpy(t.comm, comm, sizeof(t.comm) - 1);
	return t;
}

static void hdr(struct kw_event *ev, uint16_t type, uint64_t ts, const struct kw_task *t)
{
	ev->hdr.type = type;
	ev->hdr.size = kw_event_size(type);
	ev->hdr.ts_boot_ns = ts;
	ev->hdr.netns_ino = NS;
	ev->hdr.flags = KW_F_NETNS;
	if (t) {
		ev->hdr.flags |= KW_F_TASK;
		ev->hdr.task = *t;
	}
}

static void listen_ev(struct kw_pipeline *p, uint64_t ts, struct kw_addr local, struct kw_task o)
{
	struct kw_event ev = {};

	hdr(&ev, KW_EV_LISTEN, ts, &o);
	ev.listen.local = local;
	ev.listen.backlog = 2;
	kw_pipeline_event(p, &ev);
}

/* gunicorn's queue, read with sock_diag (backlog 2) or from
 * /proc/net/tcp (backlog unknown); the event fed in *out when asked */
static void queue_read_ev(struct kw_pipeline *p, uint64_t ts, struct kw_addr local,
			  uint32_t queued, uint64_t overflows, bool backlog_known,
			  struct kw_event *out)
{
	struct kw_event ev = {};

	hdr(&ev, KW_EV_LISTEN_QUEUE, ts, NULL);
	ev.listen_queue.local = local;
	ev.listen_queue.found = 1;
	ev.listen_queue.queued = queued;
	if (backlog_known)
		ev.listen_queue.max_backlog = 2;
	else
		ev.listen_queue.backlog_unknown = 1;
	ev.listen_queue.counters_read = 1;
	ev.listen_queue.listen_overflows = overflows;
	ev.listen_queue.listen_drops = overflows;
	ev.listen_queue.nr = ev.listen_queue.total = 1;
	ev.listen_queue.holders[0] = task(41, "gunicorn");
	kw_pipeline_event(p, &ev);
	if (out)
		*out = ev;
}

static void queue_ev(struct kw_pipeline *p, uint64_t ts, struct kw_addr local, uint32_t queued,
		     uint64_t overflows)
{
	queue_read_ev(p, ts, local, queued, overflows, true, NULL);
}

/* a listener found at start through /proc/net/tcp: no backlog */
static void snapshot_listen_ev(struct kw_pipeline *p, uint64_t ts, struct kw_addr local,
			       struct kw_task o)
{
	struct kw_event ev = {};

	hdr(&ev, KW_EV_LISTEN, ts, &o);
	ev.hdr.flags |= KW_F_SNAPSHOT;
	ev.listen.local = local;
	kw_pipeline_event(p, &ev);
}

/* the queue as read without sock_diag: /proc/net/tcp's rx_queue, no
 * backlog; the event fed is returned in *out when asked */
static void proc_queue_ev(struct kw_pipeline *p, uint64_t ts, struct kw_addr local,
			  uint32_t queued, uint64_t overflows, struct kw_event *out)
{
	queue_read_ev(p, ts, local, queued, overflows, false, out);
}

static void timeout_ev(struct kw_pipeline *p, uint64_t ts, struct kw_addr local,
		       struct kw_addr remote, struct kw_task t)
{
	struct kw_event ev = {};

	hdr(&ev, KW_EV_CONNECT_TIMEOUT, ts, &t);
	ev.connect_timeout.local = local;
	ev.connect_timeout.remote = remote;
	ev.connect_timeout.syn_retransmits = 1;
	ev.connect_timeout.waited_ns = 2 * SEC;
	kw_pipeline_event(p, &ev);
}

static void overflow_ev(struct kw_pipeline *p, uint64_t ts, struct kw_addr local,
			struct kw_addr client)
{
	struct kw_event ev = {};

	hdr(&ev, KW_EV_ACCEPT_QUEUE, ts, NULL);
	ev.accept_queue.local = local;
	ev.accept_queue.remote = client;
	ev.accept_queue.queued = 3;
	ev.accept_queue.max_backlog = 2;
	ev.accept_queue.oldest_wait_ns = 1500 * MS;
	ev.accept_queue.source = KW_AQ_SYNACK_RETRANSMIT;
	kw_pipeline_event(p, &ev);
}

static void syn_ev(struct kw_pipeline *p, uint64_t ts, struct kw_addr dest, struct kw_addr client,
		   bool icmp, bool retry)
{
	struct kw_event ev = {};

	hdr(&ev, KW_EV_SYN_FILTERED, ts, NULL);
	ev.syn_filtered.local = dest;
	ev.syn_filtered.remote = client;
	ev.syn_filtered.icmp_type = icmp ? 3 : KW_ICMP_NONE;
	ev.syn_filtered.icmp_code = icmp ? 3 : KW_ICMP_NONE;
	ev.syn_filtered.retransmit = retry;
	kw_pipeline_event(p, &ev);
}

static void refused_ev(struct kw_pipeline *p, uint64_t ts, struct kw_addr local,
		       struct kw_addr remote, struct kw_task t, bool reset)
{
	struct kw_event ev = {};

	hdr(&ev, KW_EV_CONNECT_FAIL, ts, &t);
	ev.conn.local = local;
	ev.conn.remote = remote;
	ev.conn.state = 2;
	ev.conn.error = 111;
	ev.conn.reset_received = reset;
	kw_pipeline_event(p, &ev);
}

static const struct kw_explanation *only(uint8_t cause)
{
	for (uint32_t i = 0; i < g_n && i < 16; i++)
		if (g_ex[i].cause == cause)
			return &g_ex[i];
	ck_abort_msg("no %s explanation among %u", kw_cause_name(cause), g_n);
	return NULL;
}

static uint32_t count(uint8_t cause)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < g_n && i < 16; i++)
		n += g_ex[i].cause == cause;
	return n;
}

static struct jq_val *json_of(const struct kw_explanation *ex)
{
	static char out[16384];
	struct kw_buf b = KW_BUF_INIT(out);
	struct kw_fmt_ctx ctx = {};

	kw_buf_reset(&b);
	kw_format_explanation(&b, true, ex, &ctx);
	ck_assert(!b.truncated);
	return tu_parse(out);
}

/* gunicorn's queue full when nginx's connect times out: accept_queue_full
 * first, then connect_timeout linked to it; the next timeout is counted */
START_TEST(accept_queue_then_timeout)
{
	struct kw_pipeline *p = fresh();
	struct kw_addr g = ep("127.0.0.1", 8000);
	const struct kw_explanation *aq, *ct;
	struct jq_val *v;

	listen_ev(p, 1 * SEC, g, task(41, "gunicorn"));
	queue_ev(p, 5 * SEC, g, 3, 7);
	timeout_ev(p, 5 * SEC, ep("127.0.0.1", 40000), g, task(50, "nginx"));
	timeout_ev(p, 5 * SEC + 10 * MS, ep("127.0.0.1", 40001), g, task(50, "nginx"));
	kw_pipeline_finish(p);
	ck_assert_uint_eq(g_n, 2);
	aq = only(KW_CAUSE_ACCEPT_QUEUE_FULL);
	ct = only(KW_CAUSE_CONNECT_TIMEOUT);
	ck_assert_uint_lt(aq->id, ct->id);
	ck_assert_uint_eq(ct->net.server_explanation, aq->id);
	ck_assert_uint_eq(ct->net.server_cause, KW_CAUSE_ACCEPT_QUEUE_FULL);
	tu_assert_contains(aq->text, "gunicorn pid 41");
	tu_assert_contains(aq->text, "3 waiting for accept(), backlog 2");
	tu_assert_contains(aq->text, "nginx pid 50");
	tu_assert_contains(ct->text, "got no answer: 1 SYN retransmit");
	v = json_of(aq);
	tu_assert_str(v, "cause", "accept_queue_full");
	tu_assert_int(v, "facts.queue.queued", 3);
	tu_assert_int(v, "facts.queue.max_backlog", 2);
	tu_assert_int(v, "facts.queue.listen_overflows", 7);
	tu_assert_str(v, "facts.listener.owner.comm", "gunicorn");
	tu_assert_str(v, "facts.timed_out.0.client.comm", "nginx");
	tu_assert_str(v, "facts.timed_out.0.given_up_by", "program");
	jq_free(v);
	v = json_of(ct);
	tu_assert_str(v, "facts.server_cause", "accept_queue_full");
	tu_assert_int(v, "facts.server_explanation", (int64_t)aq->id);
	tu_assert_bool(v, "facts.listener_here", true);
	jq_free(v);
}
END_TEST

/* the queue's read missing (no sock_diag): the kernel's overflow event is
 * enough; with neither, the timeout is told with the listener that is there */
START_TEST(accept_queue_missing_read)
{
	struct kw_pipeline *p = fresh();
	struct kw_addr g = ep("127.0.0.1", 8000);

	listen_ev(p, 1 * SEC, g, task(41, "gunicorn"));
	overflow_ev(p, 4 * SEC, g, ep("127.0.0.1", 39999));
	ck_assert_uint_eq(g_n, 1);
	ck_assert_uint_eq(g_ex[0].cause, KW_CAUSE_ACCEPT_QUEUE_FULL);
	tu_assert_contains(g_ex[0].text, "has waited 1.5 s for accept()");
	timeout_ev(p, 5 * SEC, ep("127.0.0.1", 40000), g, task(50, "nginx"));
	ck_assert_uint_eq(g_n, 2);
	ck_assert_uint_eq(g_ex[1].net.server_explanation, g_ex[0].id);

	p = fresh();
	listen_ev(p, 1 * SEC, g, task(41, "gunicorn"));
	queue_ev(p, 5 * SEC, g, 0, 0);	/* read, not full */
	timeout_ev(p, 5 * SEC, ep("127.0.0.1", 40000), g, task(50, "nginx"));
	kw_pipeline_finish(p);
	ck_assert_uint_eq(g_n, 1);
	ck_assert_uint_eq(g_ex[0].cause, KW_CAUSE_CONNECT_TIMEOUT);
	ck_assert_uint_eq(g_ex[0].net.server_cause, 0);
	ck_assert(g_ex[0].net.listener_here);
	tu_assert_contains(g_ex[0].text, "its queue was not seen full");

	p = fresh();		/* nothing here listens */
	timeout_ev(p, 5 * SEC, ep("127.0.0.1", 40000), ep("10.9.9.9", 80), task(50, "nginx"));
	ck_assert_uint_eq(g_n, 1);
	tu_assert_contains(g_ex[0].text, "nothing on this host listens there");
}
END_TEST

/* no sock_diag: the queue from /proc/net/tcp, its backlog from listen()
 * as traced; the record itself says its backlog is not known */
START_TEST(accept_queue_backlog_from_listen)
{
	struct kw_pipeline *p = fresh();
	struct kw_addr g = ep("127.0.0.1", 8000);
	const struct kw_explanation *aq;
	static char out[8192];
	struct kw_buf b = KW_BUF_INIT(out);
	struct kw_fmt_ctx ctx = {};
	struct kw_event rec;
	struct jq_val *v;

	listen_ev(p, 1 * SEC, g, task(41, "gunicorn"));
	proc_queue_ev(p, 5 * SEC, g, 3, 7, &rec);
	timeout_ev(p, 5 * SEC, ep("127.0.0.1", 40000), g, task(50, "nginx"));
	kw_pipeline_finish(p);
	aq = only(KW_CAUSE_ACCEPT_QUEUE_FULL);
	tu_assert_contains(aq->text, "3 waiting for accept(), backlog 2");
	v = json_of(aq);
	tu_assert_int(v, "facts.queue.queued", 3);
	tu_assert_int(v, "facts.queue.max_backlog", 2);
	jq_free(v);
	ck_assert_uint_eq(only(KW_CAUSE_CONNECT_TIMEOUT)->net.server_cause,
			  KW_CAUSE_ACCEPT_QUEUE_FULL);

	kw_format_json(&b, &rec, &ctx);
	ck_assert(!b.truncated);
	v = tu_parse(out);
	tu_assert_str(v, "type", "listen_queue");
	tu_assert_int(v, "queued", 3);
	tu_assert_null(v, "max_backlog");
	jq_free(v);
}
END_TEST

/* no sock_diag and a listener found at start through /proc: no backlog
 * anywhere.  The queue alone proves nothing full; ListenOverflows grown
 * since the read before does, and the backlog is said unknown, never 0 */
START_TEST(accept_queue_backlog_unknown)
{
	struct kw_pipeline *p = fresh();
	struct kw_addr g = ep("127.0.0.1", 8000);
	const struct kw_explanation *aq;
	struct jq_val *v;

	snapshot_listen_ev(p, 1 * SEC, g, task(41, "gunicorn"));
	proc_queue_ev(p, 5 * SEC, g, 3, 7, NULL);
	timeout_ev(p, 5 * SEC, ep("127.0.0.1", 40000), g, task(50, "nginx"));
	kw_pipeline_finish(p);
	ck_assert_uint_eq(count(KW_CAUSE_ACCEPT_QUEUE_FULL), 0);
	tu_assert_contains(only(KW_CAUSE_CONNECT_TIMEOUT)->text, "its queue was not seen full");

	p = fresh();
	snapshot_listen_ev(p, 1 * SEC, g, task(41, "gunicorn"));
	proc_queue_ev(p, 3 * SEC, g, 0, 7, NULL);
	proc_queue_ev(p, 8 * SEC, g, 3, 9, NULL);
	timeout_ev(p, 8 * SEC, ep("127.0.0.1", 40000), g, task(50, "nginx"));
	kw_pipeline_finish(p);
	aq = only(KW_CAUSE_ACCEPT_QUEUE_FULL);
	tu_assert_contains(aq->text, "3 waiting for accept(), backlog unknown");
	tu_assert_contains(aq->text, "+2 since the read before");
	ck_assert_ptr_null(strstr(aq->text, "backlog 0"));
	v = json_of(aq);
	tu_assert_int(v, "facts.queue.queued", 3);
	tu_assert_null(v, "facts.queue.max_backlog");
	jq_free(v);
}
END_TEST

START_TEST(firewall_tcp_reset_and_icmp)
{
	struct kw_pipeline *p = fresh();
	struct kw_addr d1 = ep("10.213.1.2", 9001), d2 = ep("10.213.1.2", 9002);
	struct kw_addr c1 = ep("10.213.1.1", 41000), c2 = ep("10.213.1.1", 41001);
	const struct kw_explanation *ex;
	struct jq_val *v;

	listen_ev(p, 1 * SEC, ep("0.0.0.0", 9001), task(60, "python3"));
	listen_ev(p, 1 * SEC, ep("0.0.0.0", 9002), task(60, "python3"));
	syn_ev(p, 2 * SEC, d1, c1, false, false);
	refused_ev(p, 2 * SEC + 1000, c1, d1, task(70, "curl"), true);
	syn_ev(p, 3 * SEC, d2, c2, true, false);
	kw_pipeline_flush_at(p, 3 * SEC + 20 * MS);
	ck_assert_uint_eq(g_n, 2);
	ex = &g_ex[0];
	ck_assert_uint_eq(ex->cause, KW_CAUSE_FIREWALL_REJECT);
	ck_assert_uint_eq(ex->net.fw_mode, KW_FW_TCP_RESET);
	ck_assert(ex->client_known);
	tu_assert_contains(ex->text, "reject with tcp reset");
	tu_assert_contains(ex->text, "python3 pid 60 listens on 0.0.0.0:9001: the service is up");
	v = json_of(ex);
	tu_assert_str(v, "facts.mode", "tcp-reset");
	tu_assert_str(v, "facts.client.comm", "curl");
	tu_assert_int(v, "facts.listener.owner.pid", 60);
	jq_free(v);
	ex = &g_ex[1];
	ck_assert_uint_eq(ex->net.fw_mode, KW_FW_ICMP);
	tu_assert_contains(ex->text, "port unreachable");
	/* never "nothing listens" for these */
	ck_assert_uint_eq(count(KW_CAUSE_NO_LISTENER), 0);
}
END_TEST

/* the client's event missing (it is on another host): no retry within
 * 1.5 s means it was answered, a reset (said as inferred) */
START_TEST(firewall_client_missing)
{
	struct kw_pipeline *p = fresh();
	struct kw_addr d = ep("10.213.1.2", 9001), c = ep("10.9.0.1", 41000);

	listen_ev(p, 1 * SEC, ep("0.0.0.0", 9001), task(60, "python3"));
	syn_ev(p, 2 * SEC, d, c, false, false);
	kw_pipeline_flush_at(p, 2 * SEC + 100 * MS);
	ck_assert_uint_eq(g_n, 0);	/* still waiting for a retry */
	kw_pipeline_flush_at(p, 4 * SEC);
	ck_assert_uint_eq(g_n, 1);
	ck_assert_uint_eq(g_ex[0].cause, KW_CAUSE_FIREWALL_REJECT);
	ck_assert(g_ex[0].net.fw_mode_inferred);
	ck_assert(!g_ex[0].client_known);
}
END_TEST

/* dropped: the same SYN again, then the client gives up */
START_TEST(firewall_drop_then_timeout)
{
	struct kw_pipeline *p = fresh();
	struct kw_addr d = ep("10.213.1.2", 9003), c = ep("10.213.1.1", 41002);
	const struct kw_explanation *fd, *ct;

	listen_ev(p, 1 * SEC, ep("0.0.0.0", 9003), task(60, "python3"));
	syn_ev(p, 2 * SEC, d, c, false, false);
	syn_ev(p, 3 * SEC, d, c, false, true);
	ck_assert_uint_eq(g_n, 1);
	timeout_ev(p, 4500 * MS, c, d, task(70, "curl"));
	kw_pipeline_finish(p);
	fd = only(KW_CAUSE_FIREWALL_DROP);
	ct = only(KW_CAUSE_CONNECT_TIMEOUT);
	ck_assert_uint_eq(fd->net.fw_mode, KW_FW_DROP);
	ck_assert_uint_eq(fd->net.syns_dropped, 2);
	ck_assert_uint_eq(ct->net.server_cause, KW_CAUSE_FIREWALL_DROP);
	ck_assert_uint_eq(ct->net.server_explanation, fd->id);
	ck_assert_uint_eq(g_n, 2);
}
END_TEST

static void idle_reset_ev(struct kw_pipeline *p, uint64_t ts, struct kw_addr local,
			  struct kw_addr remote, uint64_t fin, uint64_t send, uint64_t recv)
{
	struct kw_event ev = {};
	struct kw_task t = task(70, "curl");

	hdr(&ev, KW_EV_IDLE_RESET, ts, &t);
	ev.idle_reset.local = local;
	ev.idle_reset.remote = remote;
	ev.idle_reset.state = 8;
	ev.idle_reset.fin_ago_ns = fin;
	ev.idle_reset.last_send_ago_ns = send;
	ev.idle_reset.last_recv_ago_ns = recv;
	ev.idle_reset.known = KW_IDLE_FIN | KW_IDLE_SEND | KW_IDLE_RECV;
	ev.idle_reset.bytes_received = 120;
	kw_pipeline_event(p, &ev);
}

static void tw_reset_ev(struct kw_pipeline *p, uint64_t ts, struct kw_addr local,
			struct kw_addr remote)
{
	struct kw_event ev = {};

	hdr(&ev, KW_EV_RESET_SENT, ts, NULL);
	ev.conn.local = local;
	ev.conn.remote = remote;
	ev.conn.state = 6;
	ev.conn.source = KW_SRC_SEND_RESET;
	kw_pipeline_event(p, &ev);
}

START_TEST(keepalive_race_one_story)
{
	struct kw_pipeline *p = fresh();
	struct kw_addr s = ep("127.0.0.1", 8080), c = ep("127.0.0.1", 43000);
	struct jq_val *v;

	tw_reset_ev(p, 10 * SEC, s, c);
	idle_reset_ev(p, 10 * SEC + 1000, c, s, 500 * MS, 4 * MS, 1500 * MS);
	kw_pipeline_finish(p);
	ck_assert_uint_eq(g_n, 1);	/* the server's reset is part of it */
	ck_assert_uint_eq(g_ex[0].cause, KW_CAUSE_KEEPALIVE_RACE);
	ck_assert(g_ex[0].net.server_reset_known);
	tu_assert_contains(g_ex[0].text, "it had closed it 500 ms before, after it was idle 1.0 s");
	v = json_of(&g_ex[0]);
	tu_assert_int(v, "facts.idle_ms", 1000);
	tu_assert_int(v, "facts.closed_before_reset_ms", 500);
	tu_assert_int(v, "facts.wrote_after_close_ms", 496);
	tu_assert_int(v, "facts.reset_after_write_ms", 4);
	tu_assert_int(v, "facts.server_reset_event", 1);
	jq_free(v);

	/* the server's reset not traced (6.1): the story from the client */
	p = fresh();
	idle_reset_ev(p, 10 * SEC, c, s, 500 * MS, 4 * MS, 1500 * MS);
	ck_assert_uint_eq(g_n, 1);
	ck_assert(!g_ex[0].net.server_reset_known);

	/* a reset from a closed connection with no client here: reset_sent */
	p = fresh();
	tw_reset_ev(p, 10 * SEC, s, c);
	kw_pipeline_flush_at(p, 10 * SEC + 1 * MS);
	ck_assert_uint_eq(g_n, 0);
	kw_pipeline_flush_at(p, 11 * SEC);
	ck_assert_uint_eq(g_n, 1);
	ck_assert_uint_eq(g_ex[0].cause, KW_CAUSE_RESET_SENT);

	/* no write after the FIN: the peer reset it, no race */
	p = fresh();
	idle_reset_ev(p, 10 * SEC, c, s, 500 * MS, 900 * MS, 1500 * MS);
	ck_assert_uint_eq(g_n, 1);
	ck_assert_uint_eq(g_ex[0].cause, KW_CAUSE_PEER_RESET);
}
END_TEST

Suite *net_suite(void)
{
	Suite *s = suite_create("net");
	TCase *t = tcase_create("stories");

	tcase_add_test(t, accept_queue_then_timeout);
	tcase_add_test(t, accept_queue_missing_read);
	tcase_add_test(t, accept_queue_backlog_from_listen);
	tcase_add_test(t, accept_queue_backlog_unknown);
	tcase_add_test(t, firewall_tcp_reset_and_icmp);
	tcase_add_test(t, firewall_client_missing);
	tcase_add_test(t, firewall_drop_then_timeout);
	tcase_add_test(t, keepalive_race_one_story);
	suite_add_tcase(s, t);
	return s;
}
