// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* kw_format_json and kw_format_text for every event type: events built by
 * hand, JSON parsed back and checked field by field. */
#include <arpa/inet.h>
#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/exit_status.h"
#include "output/event_kinds.h"
#include "output/format.h"
#include "output/pieces.h"
#include "core/names.h"
#include "suites.h"
#include "testutil.h"

/* wall = boot + 1700000000 s; boot 5.000000123 s -> 2023-11-14T22:13:25Z */
#define WALL_OFFSET (1700000000LL * 1000000000LL)
#define TS_BOOT 5000000123ULL
#define TS_MONO 4000000456ULL
#define TIME_RFC3339 "2023-11-14T22:13:25.000000123Z"
#define TIME_SHORT "22:13:25.000 "
#define NETNS 4026531840u
#define COOKIE 4096u
#define EV_CGROUP 777u

static struct kw_enum_table rst_tbl, drop_tbl;
static struct kw_fmt_ctx ctx;
static struct kw_event ev;
static char jout[16384], tout[4096];
static struct jq_val *v;

static void setup(void)
{
	kw_enum_clear(&rst_tbl);
	kw_enum_add(&rst_tbl, 0, "SK_RST_REASON_NOT_SPECIFIED", "SK_RST_REASON_");
	kw_enum_add(&rst_tbl, 1, "SK_RST_REASON_NO_SOCKET", "SK_RST_REASON_");
	kw_enum_add(&rst_tbl, 2, "SK_RST_REASON_TCP_INVALID_ACK_SEQUENCE", "SK_RST_REASON_");
	kw_enum_add(&rst_tbl, 3, "SK_RST_REASON_TCP_RFC7323_PAWS", "SK_RST_REASON_");
	kw_enum_clear(&drop_tbl);
	kw_enum_add(&drop_tbl, 2, "SKB_DROP_REASON_NOT_SPECIFIED", "SKB_DROP_REASON_");
	kw_enum_add(&drop_tbl, 3, "SKB_DROP_REASON_NO_SOCKET", "SKB_DROP_REASON_");
	ctx = (struct kw_fmt_ctx){
		.boot_to_wall_ns = WALL_OFFSET,
		.rst_reasons = &rst_tbl,
		.drop_reasons = &drop_tbl,
		.utc = true,
	};
	memset(&ev, 0, sizeof(ev));
	jq_free(v);
	v = NULL;
}

static void teardown(void)
{
	jq_free(v);
	v = NULL;
}

/* ---- building events ---- */

/* starts a new event: everything else zero */
static void hdr(unsigned int type, unsigned int flags)
{
	memset(&ev, 0, sizeof(ev));
	ev.hdr.type = type;
	ev.hdr.size = kw_event_size(type);
	ev.hdr.cpu = 3;
	ev.hdr.flags = flags;
	ev.hdr.ts_boot_ns = TS_BOOT;
	ev.hdr.ts_mono_ns = TS_MONO;
	ev.hdr.netns_cookie = COOKIE;
	ev.hdr.netns_ino = NETNS;
	ev.hdr.cgroup_id = EV_CGROUP;
}

static void task(struct kw_task *t, uint32_t tgid, uint32_t tid, const char *comm)
{
	memset(t, 0, sizeof(*t));
	t->pid = tid;
	t->tgid = tgid;
	t->uid = 1000;
	t->cgroup_id = 55;
	t->memcg_id = 66;
	t->netns_ino = NETNS;
	t->mntns_ino = NETNS + 1;
	strncpy(t->comm, comm, sizeof(t->comm));
}

static void addr4(struct kw_addr *a, const char *ip, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->port = port;
	ck_assert_int_eq(inet_pton(AF_INET, ip, a->addr), 1);
}

static void addr6(struct kw_addr *a, const char *ip, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET6;
	a->port = port;
	ck_assert_int_eq(inet_pton(AF_INET6, ip, a->addr), 1);
}

/* ---- formatting ---- */

/* Format ev as JSON, parse it back and check what every event shares. */
static const struct jq_val *json(void)
{
	struct kw_buf b = KW_BUF_INIT(jout);

	jq_free(v);
	kw_buf_reset(&b);
	kw_format_json(&b, &ev, &ctx);
	ck_assert_msg(!b.truncated, "JSON truncated: %s", jout);
	v = tu_parse(jout);
	ck_assert_int_eq(v->type, JQ_OBJ);
	tu_assert_int(v, "schema", KW_JSON_SCHEMA);
	tu_assert_str(v, "time", TIME_RFC3339);
	tu_assert_int(v, "boot_ns", TS_BOOT);
	tu_assert_int(v, "mono_ns", TS_MONO);
	tu_assert_int(v, "cpu", 3);
	return v;
}

/* Format ev as text; every byte must be printable ASCII. */
static const char *text(void)
{
	struct kw_buf b = KW_BUF_INIT(tout);

	kw_buf_reset(&b);
	kw_format_text(&b, &ev, &ctx);
	ck_assert_msg(!b.truncated, "text truncated: %s", tout);
	for (const char *p = tout; *p; p++)
		ck_assert_msg(*p >= 0x20 && *p < 0x7f, "raw byte 0x%02x in text: %s",
			      (unsigned char)*p, tout);
	ck_assert_msg(!strncmp(tout, TIME_SHORT, strlen(TIME_SHORT)),
		      "text does not start with the UTC time: %s", tout);
	return tout;
}

/* ---- builders, one per event shape (reused by the hostile-comm tests) ---- */

static void build_oom_memcg(void)
{
	struct kw_ev_oom *e = &ev.oom;

	hdr(KW_EV_OOM_KILL, KW_F_TASK | KW_F_CGROUP);
	task(&e->hdr.task, 100, 100, "stress");
	task(&e->victim, 200, 201, "java");
	e->victim_src = KW_VICTIM_ARG;
	e->total_vm_kb = 4000000;
	e->anon_rss_kb = 1000;
	e->file_rss_kb = 200;
	e->shmem_rss_kb = 24;
	e->pgtables_kb = 12;
	e->oom_score_adj = -500;
	e->nr_levels = 3;
	e->limit_level = 1;
	e->levels[0] = (struct kw_oom_level){ 11, 400ULL << 20, ~0ULL };
	e->levels[1] = (struct kw_oom_level){ 22, 512ULL << 20, 512ULL << 20 };
	e->levels[2] = (struct kw_oom_level){ 33, 600ULL << 20, 2ULL << 30 };
}

static void build_oom_global(void)
{
	struct kw_ev_oom *e = &ev.oom;

	hdr(KW_EV_OOM_KILL, 0);
	task(&e->victim, 300, 300, "chrome");
	e->victim_src = KW_VICTIM_SIGKILL;
	e->anon_rss_kb = 2048;
	e->nr_levels = 1;
	e->limit_level = KW_OOM_GLOBAL;
	e->levels[0] = (struct kw_oom_level){ 1, 100ULL << 20, ~0ULL };
}

static void build_exit_normal(void)
{
	hdr(KW_EV_PROC_EXIT, KW_F_TASK);
	task(&ev.hdr.task, 400, 400, "server");
	ev.exit.exit_code = 3 << 8;
	ev.exit.why = KW_EXIT_LISTENER;
	ev.exit.nr_listeners = 2;
	ev.exit.group_dead = 1;
	ev.exit.maxrss_kb = 8192;
}

static void build_exit_signaled(void)
{
	hdr(KW_EV_PROC_EXIT, KW_F_TASK);
	task(&ev.hdr.task, 401, 402, "worker");
	ev.exit.exit_code = SIGKILL;
	ev.exit.why = KW_EXIT_SIGNALED;
	ev.exit.group_dead = 1;
}

static void build_signal(void)
{
	hdr(KW_EV_SIGNAL, KW_F_TASK);
	task(&ev.hdr.task, 500, 500, "systemd");
	task(&ev.signal.target, 501, 501, "postgres");
	ev.signal.sig = SIGTERM;
	ev.signal.group = 1;
	ev.signal.result = 0;
}

static void build_listen4(void)
{
	hdr(KW_EV_LISTEN, KW_F_TASK | KW_F_NETNS);
	task(&ev.hdr.task, 600, 600, "python3");
	addr4(&ev.listen.local, "127.0.0.1", 8001);
	ev.listen.backlog = 511;
}

static void build_listen6(void)
{
	hdr(KW_EV_LISTEN, KW_F_TASK);
	task(&ev.hdr.task, 601, 601, "nginx");
	addr6(&ev.listen.local, "::1", 8080);
	ev.listen.backlog = 128;
	ev.listen.v6only = 1;
}

static void build_listen_close(unsigned int how)
{
	hdr(KW_EV_LISTEN_CLOSE, KW_F_TASK | KW_F_OWNER);
	task(&ev.hdr.task, 700, 700, "api");
	addr4(&ev.listen.local, "0.0.0.0", 9000);
	ev.listen.backlog = 4096;
	ev.listen.how = how;
	ev.listen.owner_known = 1;
	ev.listen.since_boot_ns = TS_BOOT - 1500000000ULL;
	task(&ev.listen.closer, 701, 702, "api-closer");
	ev.listen.closer_exit_code = how == KW_CLOSE_KILLED ? SIGKILL : 0;
}

static void build_connect_failed(void)
{
	hdr(KW_EV_CONNECT_FAIL, KW_F_TASK | KW_F_OWNER | KW_F_NETNS | KW_F_CGROUP);
	task(&ev.hdr.task, 800, 800, "curl");
	addr4(&ev.conn.local, "127.0.0.1", 40000);
	addr4(&ev.conn.remote, "127.0.0.1", 8001);
	ev.conn.state = 2;	/* SYN_SENT */
	ev.conn.error = 111;	/* ECONNREFUSED */
	ev.conn.source = KW_SRC_SET_STATE;
	ev.conn.reset_received = 1;
}

static void build_reset_no_socket(void)
{
	hdr(KW_EV_RESET_SENT, KW_F_NETNS);
	addr4(&ev.conn.local, "127.0.0.1", 8001);
	addr4(&ev.conn.remote, "127.0.0.1", 5555);
	ev.conn.state = 0;
	ev.conn.source = KW_SRC_SEND_RESET;
	ev.conn.reason = 1;
	ev.conn.has_reason = 1;
	ev.conn.tcp_flags = KW_TCP_SYN;
}

static void build_reset_kfree_skb(void)
{
	build_reset_no_socket();
	ev.conn.source = KW_SRC_KFREE_SKB;
	ev.conn.reason = 3;	/* NO_SOCKET in drop_tbl, TCP_RFC7323_PAWS in rst_tbl */
}

static void build_reset_received(void)
{
	hdr(KW_EV_RESET_RECV, KW_F_TASK | KW_F_OWNER);
	task(&ev.hdr.task, 900, 900, "redis-cli");
	addr6(&ev.conn.local, "fd00::5", 50000);
	addr6(&ev.conn.remote, "fd00::6", 6379);
	ev.conn.state = 1;	/* ESTABLISHED */
	ev.conn.source = KW_SRC_RECV_RESET;
}

static void build_socket_error(void)
{
	hdr(KW_EV_SOCK_ERROR, KW_F_TASK);
	task(&ev.hdr.task, 1000, 1000, "grpc");
	addr4(&ev.conn.local, "10.0.0.1", 41000);
	addr4(&ev.conn.remote, "10.0.0.2", 443);
	ev.conn.state = 1;
	ev.conn.error = 104;	/* ECONNRESET */
	ev.conn.source = KW_SRC_ERROR_REPORT;
}

static void build_bind_ok(void)
{
	hdr(KW_EV_BIND, KW_F_TASK);
	task(&ev.hdr.task, 1100, 1100, "node");
	addr4(&ev.bind.addr, "0.0.0.0", 0);
	ev.bind.ret = 0;
	ev.bind.fd = 3;
	ev.bind.bound_port = 34567;
	ev.bind.sock_type = 1;	/* SOCK_STREAM */
	ev.bind.protocol = 6;
	ev.bind.reuseaddr = 1;
}

static void build_bind_in_use(void)
{
	hdr(KW_EV_BIND, KW_F_TASK);
	task(&ev.hdr.task, 1101, 1101, "node");
	addr6(&ev.bind.addr, "::", 8080);
	ev.bind.ret = -98;	/* -EADDRINUSE */
	ev.bind.fd = 5;
	ev.bind.sock_type = 1;
	ev.bind.protocol = 6;
	ev.bind.v6only = 1;
}

static void build_repeat(void)
{
	hdr(KW_EV_REPEAT, KW_F_NETNS);
	ev.repeat.key.netns_ino = NETNS;
	ev.repeat.key.type = KW_EV_RESET_SENT;
	ev.repeat.key.tgid = 0;
	ev.repeat.key.code = 1;
	addr4(&ev.repeat.key.dest, "127.0.0.1", 8001);
	ev.repeat.count = 41;
	ev.repeat.total = 100;
	ev.repeat.first_ns = 1000;
	ev.repeat.last_ns = 2000;
}

/* ---- oom_kill ---- */

START_TEST(oom_memcg_json)
{
	build_oom_memcg();
	json();
	tu_assert_str(v, "type", "oom_kill");
	tu_assert_str(v, "attribution", "current");
	tu_assert_int(v, "cgroup_id", EV_CGROUP);
	tu_assert_null(v, "netns");
	tu_assert_absent(v, "netns_cookie");
	tu_assert_int(v, "invoker.pid", 100);
	tu_assert_str(v, "invoker.comm", "stress");
	tu_assert_int(v, "victim.pid", 200);
	tu_assert_int(v, "victim.tid", 201);
	tu_assert_str(v, "victim.comm", "java");
	tu_assert_int(v, "victim.uid", 1000);
	tu_assert_int(v, "victim.cgroup_id", 55);
	tu_assert_int(v, "victim.memcg_id", 66);
	tu_assert_bool(v, "victim.memcg_v1", false);
	tu_assert_int(v, "victim.netns", NETNS);
	tu_assert_int(v, "victim.mntns", NETNS + 1);
	tu_assert_str(v, "victim_source", "tracepoint");
	tu_assert_int(v, "victim_memory.total_vm_kb", 4000000);
	tu_assert_int(v, "victim_memory.anon_rss_kb", 1000);
	tu_assert_int(v, "victim_memory.file_rss_kb", 200);
	tu_assert_int(v, "victim_memory.shmem_rss_kb", 24);
	tu_assert_int(v, "victim_memory.rss_kb", 1224);
	tu_assert_int(v, "victim_memory.pgtables_kb", 12);
	tu_assert_int(v, "victim_memory.oom_score_adj", -500);
	tu_assert_str(v, "constraint", "memcg");
	tu_assert_int(v, "limiting_memcg.cgroup_id", 22);
	tu_assert_int(v, "limiting_memcg.level", 1);
	tu_assert_int(v, "limiting_memcg.usage_bytes", 512LL << 20);
	tu_assert_int(v, "limiting_memcg.limit_bytes", 512LL << 20);
	tu_assert_bool(v, "limiting_memcg.v1", false);
	ck_assert_uint_eq(jq_len(v, "memcg_levels"), 3);
	tu_assert_int(v, "memcg_levels.0.cgroup_id", 11);
	tu_assert_null(v, "memcg_levels.0.limit_bytes");	/* unlimited */
	tu_assert_int(v, "memcg_levels.1.limit_bytes", 512LL << 20);
	tu_assert_int(v, "memcg_levels.2.cgroup_id", 33);
	tu_assert_int(v, "memcg_levels.2.limit_bytes", 2LL << 30);
}
END_TEST

START_TEST(oom_memcg_text)
{
	const char *t;

	build_oom_memcg();
	t = text();
	tu_assert_contains(t, "OOM-KILL");
	tu_assert_contains(t, "java pid 200");
	tu_assert_contains(t, "memory cgroup 22 (an ancestor of the victim's) hit its limit");
	tu_assert_contains(t, "usage 512.0 MiB of 512.0 MiB");
	tu_assert_contains(t, "invoked by stress pid 100");
}
END_TEST

START_TEST(oom_global_json)
{
	build_oom_global();
	json();
	tu_assert_str(v, "type", "oom_kill");
	tu_assert_str(v, "attribution", "none");
	tu_assert_null(v, "invoker");
	tu_assert_null(v, "cgroup_id");
	tu_assert_int(v, "victim.pid", 300);
	tu_assert_str(v, "victim.comm", "chrome");
	tu_assert_str(v, "victim_source", "sigkill");
	tu_assert_str(v, "constraint", "global");
	tu_assert_null(v, "limiting_memcg");
	ck_assert_uint_eq(jq_len(v, "memcg_levels"), 1);
	tu_assert_null(v, "memcg_levels.0.limit_bytes");
}
END_TEST

START_TEST(oom_global_text)
{
	const char *t;

	build_oom_global();
	t = text();
	tu_assert_contains(t, "OOM-KILL");
	tu_assert_contains(t, "chrome pid 300");
	tu_assert_contains(t, "(rss 2.0 MiB)");
	tu_assert_contains(t, "host-wide OOM");
	tu_assert_contains(t, "invoked by ?");
}
END_TEST

START_TEST(oom_victim_pid_only)
{
	build_oom_global();
	ev.oom.victim_src = KW_VICTIM_PID_ONLY;
	json();
	tu_assert_str(v, "victim_source", "pid_only");
}
END_TEST

/* ---- process_exit ---- */

START_TEST(exit_normal_json)
{
	build_exit_normal();
	json();
	tu_assert_str(v, "type", "process_exit");
	tu_assert_str(v, "attribution", "current");
	tu_assert_int(v, "process.pid", 400);
	tu_assert_str(v, "process.comm", "server");
	tu_assert_int(v, "wait_status", 3 << 8);
	tu_assert_int(v, "exit_code", 3);
	tu_assert_null(v, "signal");
	tu_assert_null(v, "signo");
	tu_assert_bool(v, "core_dumped", false);
	tu_assert_bool(v, "group_dead", true);
	tu_assert_bool(v, "held_listener", true);
	tu_assert_int(v, "listeners_open", 2);
	tu_assert_int(v, "maxrss_kb", 8192);
}
END_TEST

START_TEST(exit_normal_text)
{
	const char *t;

	build_exit_normal();
	t = text();
	tu_assert_contains(t, "EXIT");
	tu_assert_contains(t, "server pid 400 exited with code 3");
	tu_assert_contains(t, "(held 2 listening sockets)");
}
END_TEST

START_TEST(exit_signaled_json)
{
	build_exit_signaled();
	json();
	tu_assert_str(v, "type", "process_exit");
	tu_assert_int(v, "process.pid", 401);
	tu_assert_int(v, "process.tid", 402);
	tu_assert_null(v, "exit_code");
	tu_assert_str(v, "signal", "SIGKILL");
	tu_assert_int(v, "signo", SIGKILL);
	tu_assert_bool(v, "core_dumped", false);
	tu_assert_bool(v, "held_listener", false);
}
END_TEST

START_TEST(exit_core_dump)
{
	const char *t;

	build_exit_signaled();
	ev.exit.exit_code = SIGSEGV | 0x80;
	json();
	tu_assert_str(v, "signal", "SIGSEGV");
	tu_assert_int(v, "signo", SIGSEGV);
	tu_assert_bool(v, "core_dumped", true);
	t = text();
	tu_assert_contains(t, "killed by SIGSEGV (core dumped)");
}
END_TEST

START_TEST(exit_signaled_text)
{
	const char *t;

	build_exit_signaled();
	t = text();
	tu_assert_contains(t, "EXIT");
	tu_assert_contains(t, "worker pid 401 killed by SIGKILL");
	tu_assert_not_contains(t, "listening");
}
END_TEST

/* ---- signal ---- */

START_TEST(signal_json)
{
	build_signal();
	json();
	tu_assert_str(v, "type", "signal");
	tu_assert_str(v, "attribution", "current");
	tu_assert_int(v, "sender.pid", 500);
	tu_assert_str(v, "sender.comm", "systemd");
	tu_assert_int(v, "target.pid", 501);
	tu_assert_str(v, "target.comm", "postgres");
	tu_assert_str(v, "signal", "SIGTERM");
	tu_assert_int(v, "signo", SIGTERM);
	tu_assert_bool(v, "group", true);
	tu_assert_bool(v, "from_kernel", false);
	tu_assert_int(v, "result", 0);
}
END_TEST

START_TEST(signal_text)
{
	const char *t;

	build_signal();
	t = text();
	tu_assert_contains(t, "SIGNAL       SIGTERM from systemd pid 500 to postgres pid 501");

	ev.signal.sig = SIGKILL;
	ev.signal.from_kernel = 1;
	t = text();
	tu_assert_contains(t, "SIGKILL from the kernel in systemd pid 500");
}
END_TEST

START_TEST(signal_unknown_number)
{
	build_signal();
	ev.signal.sig = 77;
	ev.hdr.flags = 0;
	json();
	tu_assert_null(v, "signal");
	tu_assert_int(v, "signo", 77);
	tu_assert_null(v, "sender");
	tu_assert_str(v, "attribution", "none");
}
END_TEST

/* ---- listen ---- */

START_TEST(listen_ipv4_json)
{
	build_listen4();
	json();
	tu_assert_str(v, "type", "listen");
	tu_assert_int(v, "netns", NETNS);
	tu_assert_int(v, "netns_cookie", COOKIE);
	tu_assert_null(v, "cgroup_id");
	tu_assert_int(v, "owner.pid", 600);
	tu_assert_str(v, "owner.comm", "python3");
	tu_assert_str(v, "local.family", "ipv4");
	tu_assert_str(v, "local.addr", "127.0.0.1");
	tu_assert_int(v, "local.port", 8001);
	tu_assert_str(v, "local.text", "127.0.0.1:8001");
	tu_assert_int(v, "backlog", 511);
	tu_assert_bool(v, "v6only", false);
	/* close-only fields are absent */
	tu_assert_absent(v, "how");
	tu_assert_absent(v, "closer");
	tu_assert_absent(v, "listened_ms");
}
END_TEST

START_TEST(listen_ipv4_text)
{
	const char *t;

	build_listen4();
	t = text();
	tu_assert_contains(t, "LISTEN       python3 pid 600 on 127.0.0.1:8001 backlog 511");
	tu_assert_contains(t, "[netns 4026531840]");
	tu_assert_not_contains(t, "IPv6");
}
END_TEST

START_TEST(listen_ipv6_v6only_json)
{
	build_listen6();
	json();
	tu_assert_str(v, "type", "listen");
	tu_assert_str(v, "local.family", "ipv6");
	tu_assert_str(v, "local.addr", "::1");
	tu_assert_int(v, "local.port", 8080);
	tu_assert_str(v, "local.text", "[::1]:8080");
	tu_assert_bool(v, "v6only", true);
	tu_assert_null(v, "netns");
}
END_TEST

START_TEST(listen_ipv6_text)
{
	const char *t;

	build_listen6();
	t = text();
	tu_assert_contains(t, "on [::1]:8080 (IPv6 only)");
	tu_assert_not_contains(t, "[netns");
	ev.listen.v6only = 0;
	t = text();
	tu_assert_contains(t, "on [::1]:8080 (IPv6 and IPv4)");
}
END_TEST

/* ---- listen_close, each 'how' ---- */

START_TEST(listen_close_called)
{
	const char *t;

	build_listen_close(KW_CLOSE_CALL);
	json();
	tu_assert_str(v, "type", "listen_close");
	tu_assert_str(v, "attribution", "socket_owner");
	tu_assert_int(v, "owner.pid", 700);
	tu_assert_str(v, "local.text", "0.0.0.0:9000");
	tu_assert_str(v, "how", "closed");
	tu_assert_int(v, "closer.pid", 701);
	tu_assert_int(v, "closer.tid", 702);
	tu_assert_str(v, "closer.comm", "api-closer");
	tu_assert_absent(v, "exit_code");
	tu_assert_absent(v, "signal");
	tu_assert_int(v, "listened_ms", 1500);
	t = text();
	tu_assert_contains(t, "UNLISTEN     0.0.0.0:9000 of api pid 700: closed by api-closer pid 701");
}
END_TEST

START_TEST(listen_close_exit)
{
	const char *t;

	build_listen_close(KW_CLOSE_EXIT);
	json();
	tu_assert_str(v, "how", "owner_exited");
	tu_assert_int(v, "exit_code", 0);
	tu_assert_null(v, "signal");
	t = text();
	tu_assert_contains(t, ": owner exited with code 0");
}
END_TEST

START_TEST(listen_close_killed)
{
	const char *t;

	build_listen_close(KW_CLOSE_KILLED);
	json();
	tu_assert_str(v, "how", "owner_killed");
	tu_assert_null(v, "exit_code");
	tu_assert_str(v, "signal", "SIGKILL");
	t = text();
	tu_assert_contains(t, ": owner killed by SIGKILL");
}
END_TEST

START_TEST(listen_close_unknown)
{
	const char *t;

	build_listen_close(KW_CLOSE_UNKNOWN);
	ev.hdr.flags = 0;
	ev.listen.since_boot_ns = 0;
	json();
	tu_assert_str(v, "how", "unknown");
	tu_assert_str(v, "attribution", "none");
	tu_assert_null(v, "owner");
	tu_assert_absent(v, "exit_code");
	tu_assert_null(v, "listened_ms");
	t = text();
	tu_assert_contains(t, "UNLISTEN     0.0.0.0:9000 of (owner unknown): closed");
}
END_TEST

START_TEST(listen_close_since_in_future)
{
	build_listen_close(KW_CLOSE_CALL);
	ev.listen.since_boot_ns = TS_BOOT + 1;
	json();
	tu_assert_null(v, "listened_ms");
}
END_TEST

/* ---- connect_failed ---- */

START_TEST(connect_failed_json)
{
	build_connect_failed();
	json();
	tu_assert_str(v, "type", "connect_failed");
	tu_assert_str(v, "attribution", "socket_owner");
	tu_assert_int(v, "cgroup_id", EV_CGROUP);
	tu_assert_int(v, "netns", NETNS);
	tu_assert_int(v, "owner.pid", 800);
	tu_assert_str(v, "owner.comm", "curl");
	tu_assert_str(v, "local.text", "127.0.0.1:40000");
	tu_assert_str(v, "remote.text", "127.0.0.1:8001");
	tu_assert_str(v, "remote.addr", "127.0.0.1");
	tu_assert_int(v, "remote.port", 8001);
	tu_assert_str(v, "tcp_state", "SYN_SENT");
	tu_assert_str(v, "source", "inet_sock_set_state");
	tu_assert_str(v, "error", "ECONNREFUSED");
	tu_assert_int(v, "errno", 111);
	tu_assert_bool(v, "reset_received", true);
	tu_assert_absent(v, "reason");
}
END_TEST

START_TEST(connect_failed_text)
{
	const char *t;

	build_connect_failed();
	t = text();
	tu_assert_contains(t, "CONNECT-FAIL curl pid 800 -> 127.0.0.1:8001: ECONNREFUSED "
			   "(reset received)");
	tu_assert_contains(t, "[netns 4026531840]");
}
END_TEST

START_TEST(connect_failed_other_errors)
{
	const char *t;

	build_connect_failed();
	ev.conn.error = 110;
	ev.conn.reset_received = 0;
	json();
	tu_assert_str(v, "error", "ETIMEDOUT");
	tu_assert_bool(v, "reset_received", false);
	t = text();
	tu_assert_contains(t, ": ETIMEDOUT");
	tu_assert_not_contains(t, "reset received");

	/* an errno without a name stays a number */
	ev.conn.error = 200;
	json();
	tu_assert_int(v, "error", 200);
	tu_assert_int(v, "errno", 200);
	t = text();
	tu_assert_contains(t, ": errno 200");

	/* no error at all */
	ev.conn.error = 0;
	json();
	tu_assert_null(v, "error");
	tu_assert_int(v, "errno", 0);
}
END_TEST

START_TEST(connect_failed_owner_unknown)
{
	const char *t;

	build_connect_failed();
	ev.hdr.flags = KW_F_NETNS;
	json();
	tu_assert_null(v, "owner");
	tu_assert_str(v, "attribution", "none");
	t = text();
	tu_assert_contains(t, "CONNECT-FAIL (owner unknown) -> 127.0.0.1:8001");
}
END_TEST

/* ---- reset_sent ---- */

START_TEST(reset_no_socket_json)
{
	build_reset_no_socket();
	json();
	tu_assert_str(v, "type", "reset_sent");
	tu_assert_str(v, "attribution", "none");
	tu_assert_null(v, "owner");
	tu_assert_str(v, "local.text", "127.0.0.1:8001");
	tu_assert_str(v, "remote.text", "127.0.0.1:5555");
	tu_assert_null(v, "tcp_state");
	tu_assert_str(v, "source", "tcp_send_reset");
	tu_assert_bool(v, "no_socket", true);
	tu_assert_str(v, "reason", "NO_SOCKET");
	tu_assert_int(v, "reason_code", 1);
	ck_assert_uint_eq(jq_len(v, "tcp_flags"), 1);
	tu_assert_str(v, "tcp_flags.0", "SYN");
	tu_assert_absent(v, "error");
}
END_TEST

START_TEST(reset_no_socket_text)
{
	const char *t;

	build_reset_no_socket();
	t = text();
	tu_assert_contains(t, "RST-SENT     127.0.0.1:8001 -> 127.0.0.1:5555: no socket listens "
			   "there (NO_SOCKET)");
	tu_assert_not_contains(t, "owner");
}
END_TEST

START_TEST(reset_kfree_skb_uses_drop_reasons)
{
	const char *t;

	build_reset_kfree_skb();
	json();
	tu_assert_str(v, "source", "kfree_skb");
	/* 3 is TCP_RFC7323_PAWS in the rst table: the drop table must be used */
	tu_assert_str(v, "reason", "NO_SOCKET");
	tu_assert_int(v, "reason_code", 3);
	tu_assert_bool(v, "no_socket", true);
	t = text();
	tu_assert_contains(t, "(NO_SOCKET)");
	tu_assert_not_contains(t, "PAWS");
}
END_TEST

START_TEST(reset_reason_absent_or_unknown)
{
	build_reset_no_socket();
	ev.conn.has_reason = 0;
	json();
	tu_assert_null(v, "reason");
	tu_assert_null(v, "reason_code");

	ev.conn.has_reason = 1;
	ev.conn.reason = 999;
	json();
	tu_assert_null(v, "reason");
	tu_assert_int(v, "reason_code", 999);

	/* no tables at all (not loaded) */
	ctx.rst_reasons = NULL;
	ctx.drop_reasons = NULL;
	ev.conn.reason = 1;
	json();
	tu_assert_null(v, "reason");
	tu_assert_int(v, "reason_code", 1);
}
END_TEST

START_TEST(reset_reason_name_helper)
{
	struct kw_ev_conn c = { .has_reason = 1, .reason = 3, .source = KW_SRC_SEND_RESET };

	ck_assert_str_eq(kw_fmt_reset_reason(&c, &ctx), "TCP_RFC7323_PAWS");
	c.source = KW_SRC_KFREE_SKB;
	ck_assert_str_eq(kw_fmt_reset_reason(&c, &ctx), "NO_SOCKET");
	c.has_reason = 0;
	ck_assert_ptr_null(kw_fmt_reset_reason(&c, &ctx));
}
END_TEST

START_TEST(reset_tcp_flags_all)
{
	build_reset_no_socket();
	ev.conn.tcp_flags = KW_TCP_SYN | KW_TCP_ACK | KW_TCP_FIN | KW_TCP_RST;
	json();
	ck_assert_uint_eq(jq_len(v, "tcp_flags"), 4);
	tu_assert_str(v, "tcp_flags.0", "SYN");
	tu_assert_str(v, "tcp_flags.1", "ACK");
	tu_assert_str(v, "tcp_flags.2", "FIN");
	tu_assert_str(v, "tcp_flags.3", "RST");

	ev.conn.tcp_flags = 0;
	json();
	ck_assert_int_eq(jq_get(v, "tcp_flags")->type, JQ_ARR);
	ck_assert_uint_eq(jq_len(v, "tcp_flags"), 0);
}
END_TEST

START_TEST(reset_with_socket)
{
	const char *t;

	build_reset_no_socket();
	ev.hdr.flags |= KW_F_TASK | KW_F_OWNER;
	task(&ev.hdr.task, 1200, 1200, "haproxy");
	ev.conn.state = 1;
	ev.conn.reason = 2;
	ev.conn.tcp_flags = KW_TCP_ACK;
	json();
	tu_assert_bool(v, "no_socket", false);
	tu_assert_str(v, "tcp_state", "ESTABLISHED");
	tu_assert_str(v, "reason", "TCP_INVALID_ACK_SEQUENCE");
	tu_assert_str(v, "attribution", "socket_owner");
	tu_assert_int(v, "owner.pid", 1200);
	t = text();
	tu_assert_contains(t, ": socket in ESTABLISHED (TCP_INVALID_ACK_SEQUENCE), owner haproxy "
			   "pid 1200");
}
END_TEST

/* ---- reset_received ---- */

START_TEST(reset_received_json)
{
	build_reset_received();
	json();
	tu_assert_str(v, "type", "reset_received");
	tu_assert_str(v, "attribution", "socket_owner");
	tu_assert_int(v, "owner.pid", 900);
	tu_assert_str(v, "local.text", "[fd00::5]:50000");
	tu_assert_str(v, "remote.text", "[fd00::6]:6379");
	tu_assert_str(v, "remote.family", "ipv6");
	tu_assert_str(v, "tcp_state", "ESTABLISHED");
	tu_assert_str(v, "source", "tcp_receive_reset");
	tu_assert_absent(v, "error");
	tu_assert_absent(v, "reason");
	tu_assert_absent(v, "reset_received");
}
END_TEST

START_TEST(reset_received_text)
{
	const char *t;

	build_reset_received();
	t = text();
	tu_assert_contains(t, "RST-RECEIVED redis-cli pid 900 [fd00::5]:50000 <- [fd00::6]:6379 "
			   "in ESTABLISHED");
}
END_TEST

/* ---- socket_error ---- */

START_TEST(socket_error_json)
{
	build_socket_error();
	json();
	tu_assert_str(v, "type", "socket_error");
	tu_assert_str(v, "attribution", "current");
	tu_assert_str(v, "source", "inet_sk_error_report");
	tu_assert_str(v, "error", "ECONNRESET");
	tu_assert_int(v, "errno", 104);
	tu_assert_str(v, "remote.text", "10.0.0.2:443");
	tu_assert_absent(v, "reset_received");
}
END_TEST

START_TEST(socket_error_text)
{
	const char *t;

	build_socket_error();
	t = text();
	tu_assert_contains(t, "SOCK-ERROR   grpc pid 1000 10.0.0.1:41000 -> 10.0.0.2:443: "
			   "ECONNRESET");
}
END_TEST

/* ---- bind ---- */

START_TEST(bind_ok_json)
{
	build_bind_ok();
	json();
	tu_assert_str(v, "type", "bind");
	tu_assert_int(v, "process.pid", 1100);
	tu_assert_str(v, "addr.text", "0.0.0.0:0");
	tu_assert_bool(v, "ok", true);
	tu_assert_null(v, "error");
	tu_assert_int(v, "errno", 0);
	tu_assert_int(v, "fd", 3);
	tu_assert_int(v, "bound_port", 34567);
	tu_assert_str(v, "sock_type", "stream");
	tu_assert_str(v, "protocol", "tcp");
	tu_assert_bool(v, "v6only", false);
	tu_assert_bool(v, "reuseaddr", true);
	tu_assert_bool(v, "reuseport", false);
}
END_TEST

START_TEST(bind_ok_text)
{
	const char *t;

	build_bind_ok();
	t = text();
	tu_assert_contains(t, "BIND         node pid 1100 0.0.0.0:0: ok, port 34567");
}
END_TEST

START_TEST(bind_in_use_json)
{
	build_bind_in_use();
	json();
	tu_assert_str(v, "type", "bind");
	tu_assert_str(v, "addr.text", "[::]:8080");
	tu_assert_bool(v, "ok", false);
	tu_assert_str(v, "error", "EADDRINUSE");
	tu_assert_int(v, "errno", 98);
	tu_assert_null(v, "bound_port");
	tu_assert_bool(v, "v6only", true);
}
END_TEST

START_TEST(bind_in_use_text)
{
	const char *t;

	build_bind_in_use();
	t = text();
	tu_assert_contains(t, "BIND         node pid 1101 [::]:8080: failed, EADDRINUSE");
}
END_TEST

START_TEST(bind_unknown_type_and_protocol)
{
	build_bind_ok();
	ev.bind.sock_type = 0;
	ev.bind.protocol = 0;
	json();
	tu_assert_null(v, "sock_type");
	tu_assert_null(v, "protocol");
	ev.bind.sock_type = 2;
	ev.bind.protocol = 17;
	json();
	tu_assert_str(v, "sock_type", "dgram");
	tu_assert_str(v, "protocol", "udp");
}
END_TEST

/* ---- repeat ---- */

START_TEST(repeat_json)
{
	build_repeat();
	json();
	tu_assert_str(v, "type", "repeat");
	tu_assert_str(v, "attribution", "none");
	tu_assert_int(v, "netns", NETNS);
	tu_assert_str(v, "of", "reset_sent");
	tu_assert_str(v, "dest.text", "127.0.0.1:8001");
	tu_assert_null(v, "pid");
	tu_assert_int(v, "code", 1);
	tu_assert_int(v, "count", 41);
	tu_assert_int(v, "total_suppressed", 100);
	tu_assert_int(v, "first_boot_ns", 1000);
	tu_assert_int(v, "last_boot_ns", 2000);

	ev.repeat.key.tgid = 77;
	json();
	tu_assert_int(v, "pid", 77);
}
END_TEST

START_TEST(repeat_text)
{
	const char *t;

	build_repeat();
	t = text();
	tu_assert_contains(t, "REPEAT       reset_sent to 127.0.0.1:8001 x41 more [netns 4026531840]");
	tu_assert_not_contains(t, "by pid");
	ev.repeat.key.tgid = 77;
	ev.repeat.key.type = KW_EV_CONNECT_FAIL;
	t = text();
	tu_assert_contains(t, "connect_failed to 127.0.0.1:8001 x41 more by pid 77");
}
END_TEST

/* ---- header, time, endpoints ---- */

START_TEST(time_uses_boot_to_wall)
{
	build_signal();
	ctx.boot_to_wall_ns = WALL_OFFSET + 3600LL * 1000000000LL;	/* one hour later */
	{
		struct kw_buf b = KW_BUF_INIT(jout);

		kw_buf_reset(&b);
		kw_format_json(&b, &ev, &ctx);
		v = tu_parse(jout);
	}
	tu_assert_str(v, "time", "2023-11-14T23:13:25.000000123Z");
	tu_assert_int(v, "boot_ns", TS_BOOT);
}
END_TEST

START_TEST(rfc3339_edges)
{
	char tmp[48];
	struct kw_buf b = KW_BUF_INIT(tmp);

	kw_buf_reset(&b);
	kw_fmt_time_rfc3339(&b, 0);
	ck_assert_str_eq(tmp, "1970-01-01T00:00:00.000000000Z");
	kw_buf_reset(&b);
	kw_fmt_time_rfc3339(&b, -1);
	ck_assert_str_eq(tmp, "1969-12-31T23:59:59.999999999Z");
	kw_buf_reset(&b);
	kw_fmt_time_rfc3339(&b, 951782400LL * 1000000000LL + 1);	/* leap day 2000 */
	ck_assert_str_eq(tmp, "2000-02-29T00:00:00.000000001Z");
}
END_TEST

START_TEST(time_short_utc)
{
	char tmp[48];
	struct kw_buf b = KW_BUF_INIT(tmp);

	kw_buf_reset(&b);
	kw_fmt_time_short(&b, WALL_OFFSET + 5123456789LL, true);
	ck_assert_str_eq(tmp, "22:13:25.123");
}
END_TEST

START_TEST(time_short_local)
{
	char tmp[48];
	struct kw_buf b = KW_BUF_INIT(tmp);

	/* a POSIX TZ string needs no tzdata: UTC+5:30 */
	ck_assert_int_eq(setenv("TZ", "KWT-5:30", 1), 0);
	tzset();
	kw_buf_reset(&b);
	kw_fmt_time_short(&b, WALL_OFFSET + 5123456789LL, false);
	ck_assert_str_eq(tmp, "03:43:25.123");
	kw_buf_reset(&b);
	kw_fmt_time_short(&b, WALL_OFFSET + 5123456789LL, true);
	ck_assert_str_eq(tmp, "22:13:25.123");
}
END_TEST

START_TEST(names_bounds)
{
	ck_assert_str_eq(kw_errno_name(111), "ECONNREFUSED");
	ck_assert_str_eq(kw_errno_name(-111), "ECONNREFUSED");
	ck_assert_str_eq(kw_errno_name(98), "EADDRINUSE");
	ck_assert_ptr_null(kw_errno_name(0));
	ck_assert_ptr_null(kw_errno_name(4095));
	ck_assert_str_eq(kw_signal_name(SIGKILL), "SIGKILL");
	ck_assert_str_eq(kw_signal_name(SIGTERM), "SIGTERM");
	ck_assert_ptr_null(kw_signal_name(0));
	ck_assert_ptr_null(kw_signal_name(-9));
	ck_assert_ptr_null(kw_signal_name(64));
	ck_assert_ptr_null(kw_event_name(KW_EV_NONE));
	ck_assert_ptr_null(kw_event_name(KW_EV_MAX));
	ck_assert_ptr_null(kw_event_name(~0u));
	for (unsigned int t = 1; t < KW_EV_MAX; t++)	/* a free number has neither */
		ck_assert_msg((kw_event_name(t) != NULL) == (kw_event_size(t) != 0),
			      "event type %u: a name without a size or a size without a name", t);
	ck_assert_ptr_null(kw_tcp_state_name(0));
	ck_assert_ptr_null(kw_tcp_state_name(13));
	ck_assert_str_eq(kw_tcp_state_name(10), "LISTEN");
	ck_assert_ptr_null(kw_close_how_name(4));
	ck_assert_ptr_null(kw_conn_source_name(0));
	ck_assert_str_eq(kw_conn_source_name(6), "sys_exit_connect");
	ck_assert_ptr_null(kw_conn_source_name(7));
	ck_assert_ptr_null(kw_victim_src_name(4));
	ck_assert_ptr_null(kw_family_name(0));
	ck_assert_ptr_null(kw_sock_type_name(4));
	ck_assert_ptr_null(kw_sock_type_name(1000));
}
END_TEST

START_TEST(endpoints)
{
	char tmp[64];
	struct kw_buf b = KW_BUF_INIT(tmp);
	struct kw_addr a;

	addr4(&a, "10.0.0.5", 8001);
	kw_buf_reset(&b);
	kw_fmt_endpoint(&b, &a);
	ck_assert_str_eq(tmp, "10.0.0.5:8001");
	addr6(&a, "fd00::5", 8080);
	kw_buf_reset(&b);
	kw_fmt_endpoint(&b, &a);
	ck_assert_str_eq(tmp, "[fd00::5]:8080");
	addr6(&a, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535);
	kw_buf_reset(&b);
	kw_fmt_endpoint(&b, &a);
	ck_assert_str_eq(tmp, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
	ck_assert(!b.truncated);
	memset(&a, 0, sizeof(a));
	a.port = 8001;
	kw_buf_reset(&b);
	kw_fmt_endpoint(&b, &a);
	ck_assert_str_eq(tmp, "*:8001");
}
END_TEST

START_TEST(unknown_family_json)
{
	build_listen4();
	ev.listen.local.family = 0;
	json();
	tu_assert_null(v, "local.family");
	tu_assert_str(v, "local.addr", "*");
	tu_assert_str(v, "local.text", "*:8001");
}
END_TEST

START_TEST(unknown_event_type)
{
	const char *t;

	hdr(0, 0);
	json();
	tu_assert_null(v, "type");
	tu_assert_str(v, "attribution", "none");
	hdr(99, 0);
	t = text();
	tu_assert_contains(t, "event type 99");
}
END_TEST

/* ---- hostile strings ---- */

/* 16 bytes, no NUL: quote, newline, invalid UTF-8, backslash, escape */
static const char hostile[KW_COMM_LEN] = "a\"b\n\xff\xc0\\\x1b[31m\xe2\x82}{";
/* what a JSON parser decodes it to: invalid bytes as U+00XX */
static const char hostile_decoded[] = "a\"b\n\xc3\xbf\xc3\x80\\\x1b[31m\xc3\xa2\xc2\x82}{";

static void (*const builders[])(void) = {
	build_oom_memcg, build_oom_global, build_exit_normal, build_exit_signaled,
	build_signal, build_listen4, build_listen6, build_connect_failed,
	build_reset_no_socket, build_reset_kfree_skb, build_reset_received,
	build_socket_error, build_bind_ok, build_bind_in_use, build_repeat,
};
#define NR_BUILDERS (sizeof(builders) / sizeof(builders[0]))

static void make_hostile(void)
{
	ev.hdr.flags |= KW_F_TASK;
	memcpy(ev.hdr.task.comm, hostile, KW_COMM_LEN);
	if (ev.hdr.type == KW_EV_OOM_KILL)
		memcpy(ev.oom.victim.comm, hostile, KW_COMM_LEN);
	if (ev.hdr.type == KW_EV_SIGNAL)
		memcpy(ev.signal.target.comm, hostile, KW_COMM_LEN);
	if (ev.hdr.type == KW_EV_LISTEN || ev.hdr.type == KW_EV_LISTEN_CLOSE)
		memcpy(ev.listen.closer.comm, hostile, KW_COMM_LEN);
}

START_TEST(hostile_comm_json_valid)
{
	for (size_t i = 0; i < NR_BUILDERS; i++) {
		setup();
		builders[i]();
		make_hostile();
		json();		/* parses, or the test fails */
	}
	for (unsigned int how = KW_CLOSE_UNKNOWN; how <= KW_CLOSE_KILLED; how++) {
		build_listen_close(how);
		make_hostile();
		json();
		tu_assert_str(v, "closer.comm", hostile_decoded);
	}
}
END_TEST

START_TEST(hostile_comm_json_decodes)
{
	build_signal();
	make_hostile();
	json();
	tu_assert_str(v, "sender.comm", hostile_decoded);
	tu_assert_str(v, "target.comm", hostile_decoded);
	build_oom_memcg();
	make_hostile();
	json();
	tu_assert_str(v, "victim.comm", hostile_decoded);
	tu_assert_str(v, "invoker.comm", hostile_decoded);
}
END_TEST

START_TEST(hostile_comm_text_escaped)
{
	for (size_t i = 0; i < NR_BUILDERS; i++) {
		const char *t;

		setup();
		builders[i]();
		make_hostile();
		t = text();	/* printable ASCII only, or the test fails */
		ck_assert_ptr_null(strchr(t, '\x1b'));
		ck_assert_ptr_null(strchr(t, '\n'));
	}
	for (unsigned int how = KW_CLOSE_UNKNOWN; how <= KW_CLOSE_KILLED; how++) {
		build_listen_close(how);
		make_hostile();
		text();
	}
}
END_TEST

START_TEST(ansi_comm_text)
{
	const char *t;

	build_connect_failed();
	strcpy(ev.hdr.task.comm, "\x1b[31mevil");
	t = text();
	tu_assert_contains(t, "\\x1b[31mevil pid 800");
	ck_assert_ptr_null(strchr(t, '\x1b'));
	tu_assert_contains(t, "127.0.0.1:8001");
	tu_assert_contains(t, "ECONNREFUSED");
}
END_TEST

/* ---- the shared pieces: one decoder, one sink, one table ---- */

START_TEST(exit_status_decode)
{
	struct kw_exit_status st = kw_exit_status(3 << 8);

	ck_assert(!st.signaled);
	ck_assert_int_eq(st.code, 3);
	st = kw_exit_status(0x80 | SIGSEGV);
	ck_assert(st.signaled && st.core_dumped);
	ck_assert_int_eq(st.sig, SIGSEGV);
	ck_assert_int_eq(st.code, 0);
	st = kw_exit_status(SIGKILL);
	ck_assert(st.signaled && !st.core_dumped);
}
END_TEST

static const char *exit_words(uint32_t status, enum kw_exit_wording w)
{
	struct kw_buf b = KW_BUF_INIT(tout);

	kw_exit_status_text(&b, status, w);
	return tout;
}

START_TEST(exit_status_wordings)
{
	ck_assert_str_eq(exit_words(7 << 8, KW_EXIT_EVENT), "exited with code 7");
	ck_assert_str_eq(exit_words(7 << 8, KW_EXIT_SENTENCE), "exited with code 7");
	ck_assert_str_eq(exit_words(7 << 8, KW_EXIT_SHORT), "code 7");
	ck_assert_str_eq(exit_words(0x80 | SIGSEGV, KW_EXIT_EVENT),
			 "killed by SIGSEGV (core dumped)");
	ck_assert_str_eq(exit_words(0x80 | SIGSEGV, KW_EXIT_SENTENCE), "was killed by SIGSEGV");
	ck_assert_str_eq(exit_words(SIGKILL, KW_EXIT_SHORT), "SIGKILL");
	ck_assert_str_eq(exit_words(77, KW_EXIT_EVENT), "killed by signal 77");
	ck_assert_str_eq(exit_words(77, KW_EXIT_SENTENCE), "was killed by a signal");
	ck_assert_str_eq(exit_words(77, KW_EXIT_SHORT), "signal");
}
END_TEST

/* the same calls into a JSON object and into OTLP attributes */
static void both(void (*put)(struct kw_fields *f), char *json_out, char *otlp_out, size_t n)
{
	struct kw_buf jb = { .p = json_out, .cap = n }, ob = { .p = otlp_out, .cap = n };
	struct kw_json j, o;
	struct kw_fields jf = kw_fields_json(&j), of = kw_fields_otlp(&o);

	kw_json_init(&j, &jb);
	kw_json_obj_begin(&j, NULL);
	put(&jf);
	kw_json_obj_end(&j);
	kw_json_init(&o, &ob);
	kw_json_arr_begin(&o, NULL);
	put(&of);
	kw_json_arr_end(&o);
}

static void put_scalars(struct kw_fields *f)
{
	kw_f_null(f, KW_KEY("a", "a"));
	kw_f_str(f, KW_KEY("b", "b"), NULL);
	kw_f_str(f, KW_KEY("c", "c"), "");
	kw_f_u64(f, KW_KEY("d", "kw.d"), 42);
	kw_f_bool(f, KW_JSON_ONLY("e"), true);
	kw_f_i64(f, KW_OTLP_ONLY("kw.f"), -1);
	kw_put_signal(f, KW_KEY("sig", "kw.sig"), 77);
}

START_TEST(fields_json_and_otlp)
{
	char o[512];

	both(put_scalars, jout, o, sizeof(o));
	ck_assert_str_eq(jout, "{\"a\":null,\"b\":null,\"c\":\"\",\"d\":42,\"e\":true,"
			 "\"sig\":null}");
	/* OTLP has no null and no empty string; integers are strings */
	ck_assert_str_eq(o, "[{\"key\":\"kw.d\",\"value\":{\"intValue\":\"42\"}},"
			 "{\"key\":\"kw.f\",\"value\":{\"intValue\":\"-1\"}},"
			 "{\"key\":\"kw.sig\",\"value\":{\"stringValue\":\"unknown\"}}]");
}
END_TEST

static void put_tasks(struct kw_fields *f)
{
	struct kw_task t = { .tgid = 41, .pid = 42, .uid = 7, .cgroup_id = 9, .netns_ino = 5 };

	strcpy(t.comm, "nginx");
	kw_put_task(f, KW_KEY("owner", "process"), &t, true);
	kw_put_task(f, KW_OTLP_ONLY("killer"), &t, false);
}

START_TEST(task_roles)
{
	char o[1024];

	both(put_tasks, jout, o, sizeof(o));
	ck_assert_str_eq(jout, "{\"owner\":{\"pid\":41,\"comm\":\"nginx\",\"cgroup_id\":9,"
			 "\"netns\":5}}");
	tu_assert_contains(o, "\"process.pid\",\"value\":{\"intValue\":\"41\"}");
	tu_assert_contains(o, "\"process.executable.name\",\"value\":{\"stringValue\":\"nginx\"}");
	tu_assert_contains(o, "\"process.user.id\"");
	tu_assert_contains(o, "\"kwhy.killer.pid\"");
	tu_assert_contains(o, "\"kwhy.killer.name\"");
	ck_assert_ptr_null(strstr(o, "kwhy.killer.uid"));
}
END_TEST

/* every event type this build names is described for every output */
START_TEST(event_table_complete)
{
	for (unsigned int type = 0; type < KW_EV_MAX + 2; type++) {
		const struct kw_event_kind *k = kw_event_kind(type);

		if (!kw_event_name(type)) {
			ck_assert_ptr_null(k);
			continue;
		}
		ck_assert_msg(k && k->fields, "type %u has no fields", type);
		ck_assert_msg(k->context || k->text, "type %u has no text line", type);
		ck_assert_msg(!k->instant || k->title, "type %u has an instant without title",
			      type);
	}
}
END_TEST

Suite *format_suite(void)
{
	Suite *s = suite_create("format");
	TCase *e = tcase_create("events");
	TCase *h = tcase_create("header");
	TCase *x = tcase_create("hostile");
	TCase *pc = tcase_create("pieces");

	tcase_add_checked_fixture(e, setup, teardown);
	tcase_add_test(e, oom_memcg_json);
	tcase_add_test(e, oom_memcg_text);
	tcase_add_test(e, oom_global_json);
	tcase_add_test(e, oom_global_text);
	tcase_add_test(e, oom_victim_pid_only);
	tcase_add_test(e, exit_normal_json);
	tcase_add_test(e, exit_normal_text);
	tcase_add_test(e, exit_signaled_json);
	tcase_add_test(e, exit_signaled_text);
	tcase_add_test(e, exit_core_dump);
	tcase_add_test(e, signal_json);
	tcase_add_test(e, signal_text);
	tcase_add_test(e, signal_unknown_number);
	tcase_add_test(e, listen_ipv4_json);
	tcase_add_test(e, listen_ipv4_text);
	tcase_add_test(e, listen_ipv6_v6only_json);
	tcase_add_test(e, listen_ipv6_text);
	tcase_add_test(e, listen_close_called);
	tcase_add_test(e, listen_close_exit);
	tcase_add_test(e, listen_close_killed);
	tcase_add_test(e, listen_close_unknown);
	tcase_add_test(e, listen_close_since_in_future);
	tcase_add_test(e, connect_failed_json);
	tcase_add_test(e, connect_failed_text);
	tcase_add_test(e, connect_failed_other_errors);
	tcase_add_test(e, connect_failed_owner_unknown);
	tcase_add_test(e, reset_no_socket_json);
	tcase_add_test(e, reset_no_socket_text);
	tcase_add_test(e, reset_kfree_skb_uses_drop_reasons);
	tcase_add_test(e, reset_reason_absent_or_unknown);
	tcase_add_test(e, reset_reason_name_helper);
	tcase_add_test(e, reset_tcp_flags_all);
	tcase_add_test(e, reset_with_socket);
	tcase_add_test(e, reset_received_json);
	tcase_add_test(e, reset_received_text);
	tcase_add_test(e, socket_error_json);
	tcase_add_test(e, socket_error_text);
	tcase_add_test(e, bind_ok_json);
	tcase_add_test(e, bind_ok_text);
	tcase_add_test(e, bind_in_use_json);
	tcase_add_test(e, bind_in_use_text);
	tcase_add_test(e, bind_unknown_type_and_protocol);
	tcase_add_test(e, repeat_json);
	tcase_add_test(e, repeat_text);
	suite_add_tcase(s, e);

	tcase_add_checked_fixture(h, setup, teardown);
	tcase_add_test(h, time_uses_boot_to_wall);
	tcase_add_test(h, rfc3339_edges);
	tcase_add_test(h, time_short_utc);
	tcase_add_test(h, time_short_local);
	tcase_add_test(h, names_bounds);
	tcase_add_test(h, endpoints);
	tcase_add_test(h, unknown_family_json);
	tcase_add_test(h, unknown_event_type);
	suite_add_tcase(s, h);

	tcase_add_checked_fixture(x, setup, teardown);
	tcase_add_test(x, hostile_comm_json_valid);
	tcase_add_test(x, hostile_comm_json_decodes);
	tcase_add_test(x, hostile_comm_text_escaped);
	tcase_add_test(x, ansi_comm_text);
	suite_add_tcase(s, x);

	tcase_add_checked_fixture(pc, setup, teardown);
	tcase_add_test(pc, exit_status_decode);
	tcase_add_test(pc, exit_status_wordings);
	tcase_add_test(pc, fields_json_and_otlp);
	tcase_add_test(pc, task_roles);
	tcase_add_test(pc, event_table_complete);
	suite_add_tcase(s, pc);
	return s;
}
