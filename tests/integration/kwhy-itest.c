// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * kwhy-itest: the integration test driver.  Runs `kwhy watch --json
 * --no-aggregate`, makes real things happen in forked children (refused
 * connects, listeners that die, bind conflicts, OOM kills in memory
 * cgroups, a network namespace behind a veth pair) and checks the records
 * kwhy prints about them.  The machinery is in tests/lib/itest.c.
 *
 *   kwhy-itest --kwhy PATH [--only NAME] [-v]
 *
 * Output: one "ok N - name" or "not ok N - name: ..." line per check, then
 * "P passed, F failed" alone on a line.  Exit status 1 when anything failed.
 *
 * Must run as root, statically linked: on a Debian host with hybrid
 * cgroups and full iproute2, and in a busybox-only VM with pure cgroup v2.
 * Traffic goes only to loopback and to addresses inside the network
 * namespace this program creates (10.213.N.0/30).  Everything created
 * (children, veths, namespaces, cgroups) is removed at the end of each
 * scenario, also on failure; processes are killed only by the PIDs of
 * children this program forked.
 */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "itest.h"

/* ---- scenarios ---- */

/* A blocking (or non-blocking) connect to a closed loopback port. */
static void scen_refused(const char *sc, int family, const char *ip, bool nonblock)
{
	uint64_t since = it_nrecs;
	int port = it_free_port(family, ip);
	struct it_conn_arg a = { .family = family, .ip = ip, .port = port, .nonblock = nonblock,
			      .bind_ip = nonblock ? NULL : ip };
	struct it_report r;
	struct it_child *c;

	if (port <= 0) {
		it_fail(sc, "setup", "no free TCP port on %s: %s", ip, strerror(errno));
		return;
	}
	it_diag("%s: connecting to %s port %d", sc, ip, port);
	if (!(c = it_spawn(it_child_connect, &a, 0, NULL))) {
		it_fail(sc, "setup", "fork: %s", strerror(errno));
		return;
	}
	if (!it_child_report(c, &r, IT_CHILD_MS)) {
		if (!it_child_wait(c, 1000))
			it_child_kill(c);
		it_fail(sc, "connect refused", "the client (pid %d) reported nothing; it %s",
		     (int)c->pid, it_status_text(c->status));
		return;
	}
	it_child_wait(c, IT_CHILD_MS);
	if (r.stage != IT_ST_OK) {
		it_fail(sc, "connect refused", "the client (pid %d): %s", (int)c->pid, it_report_text(&r));
		return;
	}
	if (nonblock) {
		if (r.err == EINPROGRESS && r.err2 == ECONNREFUSED)
			it_pass(sc, "connect EINPROGRESS, then SO_ERROR ECONNREFUSED");
		else
			it_fail(sc, "connect EINPROGRESS, then SO_ERROR ECONNREFUSED",
			     "connect() to %s port %d: %s, SO_ERROR %d (%s)", ip, port,
			     r.err ? strerror(r.err) : "success", r.err2, strerror(r.err2));
	} else if (r.err == ECONNREFUSED) {
		it_pass(sc, "connect refused");
	} else {
		it_fail(sc, "connect refused", "connect() to %s port %d: %s, expected ECONNREFUSED",
		     ip, port, r.err ? strerror(r.err) : "success");
	}

	if (!nonblock) {
		const struct it_cond rs[] = {
			K_STR("type", "reset_sent"),
			K_INT("local.port", port),
			C_STR("local.addr", ip),
			C_INT("remote.port", r.port),
			C_STR("remote.addr", ip),
			C_BOOL("no_socket", true),
			C_INT("netns", it_host_netns),
			C_STR("reason", "NO_SOCKET"),
			C_STR2("source", "tcp_send_reset", "kfree_skb"),
		};
		const struct it_cond cf[] = {
			K_STR("type", "connect_failed"),
			K_INT("owner.pid", c->pid),
			C_STR("attribution", "socket_owner"),
			C_STR("error", "ECONNREFUSED"),
			C_STR("remote.addr", ip),
			C_INT("remote.port", port),
			C_INT("local.port", r.port),
			C_BOOL("reset_received", true),
			C_INT("netns", it_host_netns),
		};

		it_expect(sc, "reset_sent", since, IT_EXPECT_MS, rs, IT_ARRAY_SIZE(rs));
		it_expect(sc, "connect_failed", since, IT_EXPECT_MS, cf, IT_ARRAY_SIZE(cf));
	} else {
		const struct it_cond cf[] = {
			K_STR("type", "connect_failed"),
			K_INT("owner.pid", c->pid),
			C_STR("attribution", "socket_owner"),
			C_STR("error", "ECONNREFUSED"),
			C_STR("remote.addr", ip),
			C_INT("remote.port", port),
			C_BOOL("reset_received", true),
		};

		it_expect(sc, "connect_failed", since, IT_EXPECT_MS, cf, IT_ARRAY_SIZE(cf));
	}
}

static void scen_refused_ipv4(const char *sc)
{
	scen_refused(sc, AF_INET, "127.0.0.1", false);
}

static void scen_refused_ipv6(const char *sc)
{
	scen_refused(sc, AF_INET6, "::1", false);
}

static void scen_refused_nonblocking(const char *sc)
{
	scen_refused(sc, AF_INET, "127.0.0.1", true);
}

/* Namespace A behind a veth pair; a listener on A's 127.0.0.1:P; a host
 * client dials A's veth address on P and is refused by A. */
static void scen_netns(const char *sc)
{
	uint64_t since = it_nrecs;
	struct it_listen_arg la = { .family = AF_INET, .ip = "127.0.0.1", .port = 0,
				    .mode = IT_L_WAIT_CTL };
	struct it_conn_arg ca = { .family = AF_INET };
	struct it_child *lsn, *cli;
	struct it_report r;
	struct it_netns ns;
	int port;

	if (!it_netns_new(sc, &ns, true, NULL))
		return;

	/* the listener, inside A, on A's loopback */
	if (!(lsn = it_spawn(it_child_listen, &la, ns.holder->pid, NULL))) {
		it_fail(sc, "setup", "fork: %s", strerror(errno));
		return;
	}
	if (!it_child_report(lsn, &r, IT_CHILD_MS) || r.stage != IT_ST_OK) {
		it_child_kill(lsn);
		it_fail(sc, "listener in A", "the listener (pid %d): %s", (int)lsn->pid,
			r.stage ? it_report_text(&r) : "reported nothing");
		return;
	}
	port = r.port;
	{
		const struct it_cond ls[] = {
			K_STR("type", "listen"),
			K_INT("owner.pid", lsn->pid),
			C_STR("local.addr", "127.0.0.1"),
			C_INT("local.port", port),
			C_INT("netns", ns.ino),
		};

		it_expect(sc, "listen in A", since, IT_EXPECT_MS, ls, IT_ARRAY_SIZE(ls));
	}

	/* the client, on the host, dials A's veth address */
	ca.ip = ns.ns_ip;
	ca.port = port;
	if (!(cli = it_spawn(it_child_connect, &ca, 0, NULL))) {
		it_fail(sc, "setup", "fork: %s", strerror(errno));
		return;
	}
	if (!it_child_report(cli, &r, IT_CHILD_MS)) {
		it_child_kill(cli);
		it_fail(sc, "connect refused", "the client (pid %d) reported nothing",
			(int)cli->pid);
		return;
	}
	it_child_wait(cli, IT_CHILD_MS);
	if (r.stage != IT_ST_OK)
		it_fail(sc, "connect refused", "the client (pid %d): %s", (int)cli->pid,
			it_report_text(&r));
	else if (r.err != ECONNREFUSED)
		it_fail(sc, "connect refused", "connect() to %s port %d: %s, expected ECONNREFUSED",
			ns.ns_ip, port, r.err ? strerror(r.err) : "success");
	else
		it_pass(sc, "connect refused");
	{
		const struct it_cond rs[] = {
			K_STR("type", "reset_sent"),
			K_INT("local.port", port),
			C_STR("local.addr", ns.ns_ip),
			C_STR("remote.addr", ns.host_ip),
			C_BOOL("no_socket", true),
			C_INT("netns", ns.ino),
			C_STR("reason", "NO_SOCKET"),
			C_STR2("source", "tcp_send_reset", "kfree_skb"),
		};
		const struct it_cond cf[] = {
			K_STR("type", "connect_failed"),
			K_INT("owner.pid", cli->pid),
			C_STR("attribution", "socket_owner"),
			C_STR("error", "ECONNREFUSED"),
			C_STR("remote.addr", ns.ns_ip),
			C_INT("remote.port", port),
			C_STR("local.addr", ns.host_ip),
			C_INT("netns", it_host_netns),
			C_BOOL("reset_received", true),
		};

		it_expect(sc, "reset_sent in A", since, IT_EXPECT_MS, rs, IT_ARRAY_SIZE(rs));
		it_expect(sc, "connect_failed on the host", since, IT_EXPECT_MS, cf,
			  IT_ARRAY_SIZE(cf));
	}
}

/* Two binds of one address: the second gets EADDRINUSE. */
static void scen_bind(const char *sc)
{
	uint64_t since = it_nrecs;
	int port = it_free_port(AF_INET, "127.0.0.1");
	struct it_listen_arg la = { .family = AF_INET, .ip = "127.0.0.1", .port = port,
				 .mode = IT_L_WAIT_CTL };
	struct it_bind_arg ba = { .family = AF_INET, .ip = "127.0.0.1", .port = port };
	struct it_child *c1, *c2;
	struct it_report r;

	if (port <= 0) {
		it_fail(sc, "setup", "no free TCP port: %s", strerror(errno));
		return;
	}
	if (!(c1 = it_spawn(it_child_listen, &la, 0, NULL))) {
		it_fail(sc, "setup", "fork: %s", strerror(errno));
		return;
	}
	if (!it_child_report(c1, &r, IT_CHILD_MS) || r.stage != IT_ST_OK) {
		it_fail(sc, "first bind and listen", "child 1 (pid %d): %s", (int)c1->pid,
		     r.stage ? it_report_text(&r) : "reported nothing");
		return;
	}
	if (!(c2 = it_spawn(it_child_bind, &ba, 0, NULL))) {
		it_fail(sc, "setup", "fork: %s", strerror(errno));
		return;
	}
	if (!it_child_report(c2, &r, IT_CHILD_MS) || r.stage != IT_ST_OK)
		it_fail(sc, "second bind EADDRINUSE", "child 2 (pid %d): %s", (int)c2->pid,
		     r.stage ? it_report_text(&r) : "reported nothing");
	else if (r.err != EADDRINUSE)
		it_fail(sc, "second bind EADDRINUSE", "bind() to 127.0.0.1 port %d: %s", port,
		     r.err ? strerror(r.err) : "success");
	else
		it_pass(sc, "second bind EADDRINUSE");
	it_child_wait(c2, IT_CHILD_MS);
	close(c1->ctl);		/* child 1 may go */
	c1->ctl = -1;
	it_child_wait(c1, IT_CHILD_MS);
	{
		const struct it_cond b2[] = {
			K_STR("type", "bind"),
			K_INT("process.pid", c2->pid),
			C_BOOL("ok", false),
			C_STR("error", "EADDRINUSE"),
			C_INT("addr.port", port),
			C_STR("addr.addr", "127.0.0.1"),
			C_NULL("bound_port"),
		};
		const struct it_cond b1[] = {
			K_STR("type", "bind"),
			K_INT("process.pid", c1->pid),
			C_BOOL("ok", true),
			C_NULL("error"),
			C_INT("addr.port", port),
			C_STR("addr.addr", "127.0.0.1"),
			C_INT("bound_port", port),
		};

		it_expect(sc, "bind EADDRINUSE of child 2", since, IT_EXPECT_MS, b2, IT_ARRAY_SIZE(b2));
		it_expect(sc, "bind ok of child 1", since, IT_EXPECT_MS, b1, IT_ARRAY_SIZE(b1));
	}
}

/* A listener that exits with code 7, or is SIGKILLed by the driver. */
static void scen_listener_dies(const char *sc, bool killed)
{
	uint64_t since = it_nrecs;
	struct it_listen_arg la = { .family = AF_INET, .ip = "127.0.0.1", .port = 0,
				 .mode = killed ? IT_L_PAUSE : IT_L_EXIT,
					.code = 7 };
	struct it_report r;
	struct it_child *c;
	int port;

	if (!(c = it_spawn(it_child_listen, &la, 0, NULL))) {
		it_fail(sc, "setup", "fork: %s", strerror(errno));
		return;
	}
	if (!it_child_report(c, &r, IT_CHILD_MS) || r.stage != IT_ST_OK) {
		it_child_kill(c);
		it_fail(sc, "listen", "the listener (pid %d): %s", (int)c->pid,
		     r.stage ? it_report_text(&r) : "reported nothing");
		return;
	}
	port = r.port;
	if (killed && kill(c->pid, SIGKILL)) {
		it_fail(sc, "kill", "kill(%d, SIGKILL): %s", (int)c->pid, strerror(errno));
		return;
	}
	if (!it_child_wait(c, IT_CHILD_MS)) {
		it_child_kill(c);
		it_fail(sc, killed ? "killed" : "exit code 7", "the listener (pid %d) did not exit",
		     (int)c->pid);
	} else if (killed) {
		if (WIFSIGNALED(c->status) && WTERMSIG(c->status) == SIGKILL)
			it_pass(sc, "killed");
		else
			it_fail(sc, "killed", "the listener %s", it_status_text(c->status));
	} else {
		if (WIFEXITED(c->status) && WEXITSTATUS(c->status) == 7)
			it_pass(sc, "exit code 7");
		else
			it_fail(sc, "exit code 7", "the listener %s", it_status_text(c->status));
	}

	if (killed) {
		const struct it_cond sg[] = {
			K_STR("type", "signal"),
			K_INT("target.pid", c->pid),
			C_INT("sender.pid", it_self),
			C_STR("signal", "SIGKILL"),
		};
		const struct it_cond ex[] = {
			K_STR("type", "process_exit"),
			K_INT("process.pid", c->pid),
			C_STR("signal", "SIGKILL"),
			C_NULL("exit_code"),
			C_BOOL("held_listener", true),
		};
		const struct it_cond lc[] = {
			K_STR("type", "listen_close"),
			K_INT("owner.pid", c->pid),
			C_INT("local.port", port),
			C_STR("local.addr", "127.0.0.1"),
			C_STR("how", "owner_killed"),
			C_STR("signal", "SIGKILL"),
		};

		it_expect(sc, "signal", since, IT_EXPECT_MS, sg, IT_ARRAY_SIZE(sg));
		it_expect(sc, "process_exit", since, IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
		it_expect(sc, "listen_close", since, IT_EXPECT_MS, lc, IT_ARRAY_SIZE(lc));
	} else {
		const struct it_cond ex[] = {
			K_STR("type", "process_exit"),
			K_INT("process.pid", c->pid),
			C_INT("exit_code", 7),
			C_NULL("signal"),
			C_BOOL("held_listener", true),
		};
		const struct it_cond lc[] = {
			K_STR("type", "listen_close"),
			K_INT("owner.pid", c->pid),
			C_INT("local.port", port),
			C_STR("local.addr", "127.0.0.1"),
			C_STR("how", "owner_exited"),
			C_INT("exit_code", 7),
		};

		it_expect(sc, "process_exit", since, IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
		it_expect(sc, "listen_close", since, IT_EXPECT_MS, lc, IT_ARRAY_SIZE(lc));
	}
}

static void scen_listener_exits(const char *sc)
{
	scen_listener_dies(sc, false);
}

static void scen_listener_killed(const char *sc)
{
	scen_listener_dies(sc, true);
}

/* A memory hog in a 64 MiB cgroup (parent_limit: in an unlimited child of
 * a 64 MiB cgroup) is OOM-killed; kwhy names the cgroup whose limit did it. */
static void scen_oom(const char *sc, bool parent_limit)
{
	uint64_t since = it_nrecs;
	char why[PATH_MAX + 256], top[PATH_MAX], sub[PATH_MAX];
	const char *victim_dir;
	unsigned long limit_id, victim_id;
	struct it_memcg e;
	struct it_report r;
	struct it_child *c;
	int err;

	if (!it_memcg_find(&e, why, sizeof(why))) {
		it_fail(sc, "setup", "cannot run: %s", why);
		return;
	}
	it_diag("%s: memory cgroup %s (%s)", sc, e.own, e.v1 ? "v1" : "v2");
	it_remove_stale_cgroups(e.own, "kwhy-itest-");
	if (!e.v1 && (err = it_enable_memory(e.own))) {
		it_fail(sc, "setup", "cannot run: enabling memory in %s/cgroup.subtree_control: %s",
		     e.own, strerror(-err));
		return;
	}
	if (snprintf(top, sizeof(top), "%s/kwhy-itest-%d-%s", e.own, (int)it_self,
		     parent_limit ? "parent" : "oom") >= (int)sizeof(top)) {
		it_fail(sc, "setup", "cannot run: the cgroup path %s is too long", e.own);
		return;
	}
	if (!it_make_cgroup(&e, top, true, why, sizeof(why))) {
		it_fail(sc, "setup", "cannot run: %s", why);
		return;
	}
	victim_dir = top;
	if (parent_limit) {
		if (!e.v1 && (err = it_enable_memory(top))) {
			it_fail(sc, "setup", "cannot run: enabling memory in %s/cgroup.subtree_control: "
			     "%s", top, strerror(-err));
			return;
		}
		if (snprintf(sub, sizeof(sub), "%s/child", top) >= (int)sizeof(sub)) {
			it_fail(sc, "setup", "cannot run: the cgroup path %s is too long", top);
			return;
		}
		if (!it_make_cgroup(&e, sub, false, why, sizeof(why))) {
			it_fail(sc, "setup", "cannot run: %s", why);
			return;
		}
		victim_dir = sub;
	}
	limit_id = it_ino_of(top);
	victim_id = it_ino_of(victim_dir);
	it_diag("%s: limit in %s (id %lu), victim in %s (id %lu)", sc, top, limit_id, victim_dir,
	     victim_id);

	if (!(c = it_spawn(it_child_oom, victim_dir, 0, NULL))) {
		it_fail(sc, "setup", "fork: %s", strerror(errno));
		return;
	}
	if (!it_child_report(c, &r, IT_CHILD_MS) || r.stage != IT_ST_OK) {
		it_child_kill(c);
		it_fail(sc, "OOM-killed", "the victim (pid %d): %s", (int)c->pid,
		     r.stage ? it_report_text(&r) : "reported nothing");
		return;
	}
	if (!it_child_wait(c, IT_OOM_CHILD_MS)) {
		it_child_kill(c);
		it_fail(sc, "OOM-killed", "the victim (pid %d) was still alive after %d s", (int)c->pid,
		     IT_OOM_CHILD_MS / 1000);
	} else if (WIFSIGNALED(c->status) && WTERMSIG(c->status) == SIGKILL) {
		it_pass(sc, "OOM-killed");
	} else {
		it_fail(sc, "OOM-killed", "the victim (pid %d) %s; expected death by SIGKILL%s",
		     (int)c->pid, it_status_text(c->status),
		     WIFEXITED(c->status) && WEXITSTATUS(c->status) == 3 ?
		     " (it touched 512 MiB: the limit did not apply)" : "");
	}
	{
		const struct it_cond oom[] = {
			K_STR("type", "oom_kill"),
			K_INT("victim.pid", c->pid),
			C_STR("constraint", "memcg"),
			C_INT("limiting_memcg.cgroup_id", limit_id),
			C_INT("limiting_memcg.limit_bytes", IT_OOM_LIMIT),
			C_INT("limiting_memcg.level", parent_limit ? 1 : 0),
			C_RANGE("limiting_memcg.usage_bytes", IT_OOM_LIMIT - 8 * IT_MIB, IT_OOM_LIMIT),
			C_RANGE("victim_memory.anon_rss_kb", 16385, INT64_MAX),
			C_INT("victim.memcg_id", victim_id),
		};
		const struct it_cond ex[] = {
			K_STR("type", "process_exit"),
			K_INT("process.pid", c->pid),
			C_STR("signal", "SIGKILL"),
			C_NULL("exit_code"),
		};

		it_expect(sc, "oom_kill", since, IT_EXPECT_MS, oom, IT_ARRAY_SIZE(oom));
		it_expect(sc, "process_exit", since, IT_EXPECT_MS, ex, IT_ARRAY_SIZE(ex));
	}
}

static void scen_oom_memcg(const char *sc)
{
	scen_oom(sc, false);
}

static void scen_oom_parent(const char *sc)
{
	scen_oom(sc, true);
}

static const struct it_scenario g_scenarios[] = {
	{ "refused_ipv4", scen_refused_ipv4 },
	{ "refused_ipv6", scen_refused_ipv6 },
	{ "refused_nonblocking", scen_refused_nonblocking },
	{ "netns_localhost_listener", scen_netns },
	{ "bind_eaddrinuse", scen_bind },
	{ "listener_exits_with_code", scen_listener_exits },
	{ "listener_killed_by_signal", scen_listener_killed },
	{ "oom_memcg", scen_oom_memcg },
	{ "oom_parent_limit", scen_oom_parent },
};


int main(int argc, char **argv)
{
	int ret;
	static const char *const kwhy_args[] = { "watch", "--json", "--no-aggregate", NULL };
	const char *kwhy = NULL, *only = NULL;
	bool ready = false;
	uint64_t since;

	ret = it_args(argc, argv, "kwhy-itest",
		      "  runs PATH watch --json --no-aggregate and checks what it reports about real\n"
		      "  refused connects, listener deaths, bind conflicts and OOM kills (root only)\n",
		      g_scenarios, IT_ARRAY_SIZE(g_scenarios), &kwhy, &only);
	if (ret >= 0)
		return ret;
	it_init("kwhy-itest");

	since = it_nrecs;
	if (access(kwhy, X_OK))
		it_fail("kwhy", "start", "%s: %s", kwhy, strerror(errno));
	else if (!it_kwhy_start(kwhy, kwhy_args))
		it_fail("kwhy", "start", "cannot start %s: %s", kwhy, strerror(errno));
	else
		ready = it_kwhy_ready("kwhy", since);
	it_run_scenarios(g_scenarios, IT_ARRAY_SIZE(g_scenarios), only, ready,
			 "kwhy did not become ready");
	it_cleanup("kwhy-itest");
	it_kwhy_stop("kwhy", since);
	it_check_lines("kwhy");
	return it_summary();
}
