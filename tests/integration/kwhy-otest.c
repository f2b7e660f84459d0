// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * kwhy-otest: a real host-wide OOM, for the VM only.  Runs `kwhy watch
 * --json --no-aggregate --record FILE`, then makes the kernel's OOM killer
 * fire with no memory cgroup limit anywhere: a child listening on a
 * loopback port (oom_score_adj 1000, in a top-level cgroup of its own)
 * touches memory until it is killed, beside a ballast child holding
 * memory in another top-level cgroup.  Then a client dials the dead
 * listener's port.  Checks what kwhy says: the oom_kill is global, a
 * host_memory record with the machine's memory and biggest cgroups comes
 * before it, the `global` explanation says both, the refusal that
 * follows is a listener_exited citing the OOM kill, and a replay of the
 * recording says the same in text.
 *
 *   kwhy-otest --kwhy PATH [-v]
 *
 * It exhausts the memory of the whole machine it runs on: it refuses to
 * run unless VMTEST=1 is set (the vmtest VM's init sets it; see
 * tests/vm/run.sh) and the machine has at most IT_GLOBAL_OOM_MAX_MEM of
 * memory.  The driver and kwhy protect themselves with oom_score_adj
 * -1000.  Output as kwhy-itest: "ok"/"not ok" lines, then "P passed, F
 * failed".
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "itest.h"

#define SC "global_oom"
/* the victim gives up after 512 MiB (tests/lib/itest.c): a machine with
 * more memory would not run out, and is not the VM this is meant for */
#define IT_GLOBAL_OOM_MAX_MEM (512 * IT_MIB)
#define BALLAST_MIB 32
#define TRACE_FILE "/tmp/kwhy-otest.kwt"
#define REPLAY_OUT (256 * 1024)

/* Refuse anywhere but the small test VM: a host-wide OOM on a shared
 * machine kills whatever the kernel picks.  The reason in why. */
static bool in_the_vm(char *why, size_t len)
{
	const char *vm = getenv("VMTEST");
	char meminfo[4096];
	long long total_kb = -1;
	char *p;

	if (!vm || strcmp(vm, "1")) {
		it_msgf(why, len, "VMTEST=1 is not set: this is not the vmtest VM (tests/vm/run.sh "
			"runs it there)");
		return false;
	}
	if (it_read_file("/proc/meminfo", meminfo, sizeof(meminfo)) < 0 ||
	    !(p = strstr(meminfo, "MemTotal:")) || sscanf(p, "MemTotal: %lld", &total_kb) != 1) {
		it_msgf(why, len, "cannot read MemTotal from /proc/meminfo");
		return false;
	}
	if (total_kb * 1024 > IT_GLOBAL_OOM_MAX_MEM) {
		it_msgf(why, len, "this machine has %lld MiB of memory, more than the %lld MiB this "
			"test may exhaust (run it in the VM with --mem 256M)", total_kb / 1024,
			IT_GLOBAL_OOM_MAX_MEM / IT_MIB);
		return false;
	}
	return true;
}

/* Holds BALLAST_MIB of touched memory until the driver closes ctl: a
 * second cgroup with a size of its own among the host's biggest. */
static int child_ballast(const void *p, int wr, int ctl)
{
	char c, *m;
	int err;

	(void)p;
	prctl(PR_SET_NAME, "kwhy-ballast");
	/* as killable as anything else here; it inherited the driver's -1000 */
	if ((err = it_write_file("/proc/self/oom_score_adj", "0"))) {
		it_report(wr, IT_ST_OPT, -err, -1, 0);
		return 1;
	}
	m = mmap(NULL, BALLAST_MIB * IT_MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (m == MAP_FAILED) {
		it_report(wr, IT_ST_OPT, errno, -1, 0);
		return 1;
	}
	memset(m, 0x5a, BALLAST_MIB * IT_MIB);
	it_report(wr, IT_ST_OK, 0, -1, 0);
	while (read(ctl, &c, 1) < 0 && errno == EINTR)
		;
	return 0;
}

/* The victim: a listener that eats memory (IT_L_OOM), named for what
 * it is in kwhy's output. */
static int child_victim(const void *p, int wr, int ctl)
{
	prctl(PR_SET_NAME, "kwhy-victim");
	return it_child_listen(p, wr, ctl);
}

struct tops {
	char mount[PATH_MAX];
	char app[PATH_MAX];	/* the victim's top-level cgroup */
	char cache[PATH_MAX];	/* the ballast's */
	unsigned long app_id, cache_id;
};

/* Two unlimited top-level cgroups under the cgroup2 mount. */
static bool make_tops(struct tops *t)
{
	char root[PATH_MAX], why[PATH_MAX + 256];
	int err;

	if (!it_find_cgroup_mount(true, root, t->mount, sizeof(t->mount))) {
		it_fail(SC, "setup", "no cgroup2 mount");
		return false;
	}
	it_remove_stale_cgroups(t->mount, "kwhy-otest-");
	if ((err = it_enable_memory(t->mount))) {
		it_fail(SC, "setup", "enabling memory in %s/cgroup.subtree_control: %s", t->mount,
			strerror(-err));
		return false;
	}
	it_msgf(t->app, sizeof(t->app), "%s/kwhy-otest-%d-app", t->mount, (int)it_self);
	it_msgf(t->cache, sizeof(t->cache), "%s/kwhy-otest-%d-cache", t->mount, (int)it_self);
	if (!it_make_cgroup(NULL, t->app, false, why, sizeof(why)) ||
	    !it_make_cgroup(NULL, t->cache, false, why, sizeof(why))) {
		it_fail(SC, "setup", "%s", why);
		return false;
	}
	t->app_id = it_ino_of(t->app);
	t->cache_id = it_ino_of(t->cache);
	return true;
}

/* The victim's death: SIGKILL, within IT_OOM_CHILD_MS. */
static void expect_oom_death(struct it_child *v)
{
	if (!it_child_wait(v, IT_OOM_CHILD_MS)) {
		it_child_kill(v);
		it_fail(SC, "victim OOM-killed", "the victim (pid %d) was still alive after %d s",
			(int)v->pid, IT_OOM_CHILD_MS / 1000);
	} else if (WIFSIGNALED(v->status) && WTERMSIG(v->status) == SIGKILL) {
		it_pass(SC, "victim OOM-killed");
	} else {
		it_fail(SC, "victim OOM-killed", "the victim (pid %d) %s; expected death by SIGKILL%s",
			(int)v->pid, it_status_text(v->status),
			WIFEXITED(v->status) && WEXITSTATUS(v->status) == 3 ?
			" (it touched 512 MiB and the machine did not run out)" : "");
	}
}

/* A client dials the dead listener: refused. */
static void dial(int port)
{
	struct it_conn_arg a = { .family = AF_INET, .ip = "127.0.0.1", .port = port,
				 .bind_ip = "127.0.0.1" };
	struct it_report r;
	struct it_child *c = it_spawn(it_child_connect, &a, 0, NULL);

	if (!c) {
		it_fail(SC, "connect refused", "fork: %s", strerror(errno));
		return;
	}
	if (!it_child_report(c, &r, IT_CHILD_MS)) {
		it_child_kill(c);
		it_fail(SC, "connect refused", "the client reported nothing");
		return;
	}
	it_child_wait(c, IT_CHILD_MS);
	if (r.stage == IT_ST_OK && r.err == ECONNREFUSED)
		it_pass(SC, "connect refused");
	else
		it_fail(SC, "connect refused", "%s, connect: %s", it_report_text(&r),
			r.err ? strerror(r.err) : "success");
}

/* One of the explanation's biggest_cgroups is the path want. */
static void expect_biggest(const struct jq_val *ex, const char *want)
{
	int n = (int)jq_len(ex, "facts.biggest_cgroups");
	char key[64];

	for (int i = 0; i < n; i++) {
		const char *path;

		it_msgf(key, sizeof(key), "facts.biggest_cgroups.%d.path", i);
		path = jq_str(ex, key);
		if (path && !strcmp(path, want)) {
			it_pass(SC, "biggest_cgroups names the ballast's cgroup");
			return;
		}
	}
	it_fail(SC, "biggest_cgroups names the ballast's cgroup", "%s is not among them", want);
}

/* What kwhy said about the kill, the host and the refusal. */
static void expect_records(uint64_t since, const struct tops *t, pid_t victim, int port)
{
	char cache_path[PATH_MAX], dest[64];
	const struct jq_val *oom, *ex;
	int64_t oom_id = 0;
	const struct it_cond ok[] = {
		K_STR("type", "oom_kill"),
		K_INT("victim.pid", victim),
		C_STR("constraint", "global"),
		C_NULL("limiting_memcg"),
		C_INT("victim.cgroup_id", t->app_id),
		C_INT("victim_memory.oom_score_adj", 1000),
		C_RANGE("victim_memory.anon_rss_kb", 16 * 1024, INT64_MAX),
	};
	const struct it_cond hm[] = {
		K_STR("type", "host_memory"),
		K_INT("victim_pid", victim),
		C_RANGE("mem_total_kb", 64 * 1024, IT_GLOBAL_OOM_MAX_MEM / 1024),
		C_RANGE("mem_available_kb", 0, IT_GLOBAL_OOM_MAX_MEM / 1024),
		C_BOOL("cgroups_v1", false),
		C_NONEMPTY("cgroups"),
	};
	const struct it_cond gx[] = {
		K_STR("type", "explanation"),
		K_STR("cause", "global"),
		K_INT("facts.victim.pid", victim),
		C_RANGE("facts.victim_rss_kb", 16 * 1024, INT64_MAX),
		C_RANGE("facts.host_memory.total_bytes", 64 * IT_MIB, IT_GLOBAL_OOM_MAX_MEM),
		C_RANGE("facts.host_memory.available_bytes", 0, IT_GLOBAL_OOM_MAX_MEM),
		C_NONEMPTY("facts.biggest_cgroups"),
	};
	const struct it_cond ex_ev[] = {
		K_STR("type", "process_exit"),
		K_INT("process.pid", victim),
		C_STR("signal", "SIGKILL"),
		C_BOOL("held_listener", true),
	};

	oom = it_expect(SC, "oom_kill, constraint global", since, IT_EXPECT_MS, ok,
			IT_ARRAY_SIZE(ok));
	if (oom)
		jq_int(oom, "id", &oom_id);
	it_expect(SC, "host_memory", since, IT_EXPECT_MS, hm, IT_ARRAY_SIZE(hm));
	it_expect(SC, "process_exit", since, IT_EXPECT_MS, ex_ev, IT_ARRAY_SIZE(ex_ev));
	ex = it_expect(SC, "explanation global", since, IT_EXPECT_MS, gx, IT_ARRAY_SIZE(gx));
	if (ex) {
		it_msgf(cache_path, sizeof(cache_path), "%s", t->cache + strlen(t->mount));
		expect_biggest(ex, cache_path);
	}
	it_msgf(dest, sizeof(dest), "127.0.0.1:%d", port);
	{
		const struct it_cond lx[] = {
			K_STR("type", "explanation"),
			K_STR("cause", "listener_exited"),
			K_STR("facts.destination.text", dest),
			C_STR("facts.how", "oom_killed"),
			C_INT("facts.oom_kill_event", oom_id),
			C_HAS("events", oom_id),
		};

		it_expect(SC, "explanation listener_exited cites the OOM kill", since,
			  IT_EXPECT_MS, lx, IT_ARRAY_SIZE(lx));
	}
}

/* The JSON of the two explanations, for the record of this run. */
static void show_explanations(uint64_t since)
{
	for (uint64_t s = since; s < it_nrecs; s++) {
		const struct jq_val *r = it_rec(s);
		const char *type = r ? jq_str(r, "type") : NULL;

		if (type && (!strcmp(type, "explanation") || !strcmp(type, "host_memory") ||
			     !strcmp(type, "oom_kill")))
			printf("# %s\n", it_rec_text(s));
	}
}

/* kwhy replay of the recording, in text: the same explanations. */
static void check_replay(const char *kwhy)
{
	static char out[REPLAY_OUT], err[4096];
	const char *const args[] = { "replay", TRACE_FILE, NULL };
	const char *global, *listener;
	int st;

	if (!it_run_capture(kwhy, args, 30000, &st, out, sizeof(out), err, sizeof(err)) ||
	    !WIFEXITED(st) || WEXITSTATUS(st)) {
		it_fail(SC, "replay", "kwhy replay %s: %s; stderr: %s", TRACE_FILE,
			it_status_text(st), err);
		return;
	}
	global = strstr(out, "WHY          global: ");
	listener = strstr(out, "WHY          listener_exited: ");
	for (const char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n"))
		if (strstr(l, "WHY ") || strstr(l, "fix: ") || strstr(l, "OOM-KILL"))
			printf("# replay: %s\n", l);
	if (global && listener)
		it_pass(SC, "replay explains the global OOM and the refusal");
	else
		it_fail(SC, "replay explains the global OOM and the refusal", "%s%s",
			global ? "" : "no global explanation; ",
			listener ? "" : "no listener_exited explanation");
}

static void scen_global_oom(void)
{
	struct it_listen_arg la = { .family = AF_INET, .ip = "127.0.0.1", .mode = IT_L_OOM };
	struct it_child *ballast, *victim;
	uint64_t since = it_nrecs;
	struct it_report r;
	struct tops t;

	if (!make_tops(&t))
		return;
	it_diag("%s: victim in %s (id %lu), ballast in %s (id %lu)", SC, t.app, t.app_id,
		t.cache, t.cache_id);
	if (!(ballast = it_spawn(child_ballast, NULL, 0, t.cache)) ||
	    !it_child_report(ballast, &r, IT_CHILD_MS) || r.stage != IT_ST_OK) {
		it_fail(SC, "setup", "the ballast: %s", ballast ? it_report_text(&r) : strerror(errno));
		return;
	}
	if (!(victim = it_spawn(child_victim, &la, 0, t.app)) ||
	    !it_child_report(victim, &r, IT_CHILD_MS) || r.stage != IT_ST_OK) {
		it_fail(SC, "setup", "the victim: %s", victim ? it_report_text(&r) : strerror(errno));
		return;
	}
	it_diag("%s: victim pid %d listens on 127.0.0.1:%d and eats memory", SC, (int)victim->pid,
		r.port);
	expect_oom_death(victim);
	dial(r.port);
	expect_records(since, &t, victim->pid, r.port);
	show_explanations(since);
	it_child_release(ballast);
	it_child_wait(ballast, IT_CHILD_MS);
}

static void run_global_oom(const char *sc)
{
	(void)sc;
	scen_global_oom();
}

static const struct it_scenario g_scenarios[] = { { SC, run_global_oom, 0 } };

int main(int argc, char **argv)
{
	static const char *const kwhy_args[] = { "watch", "--json", "--no-aggregate", "--record",
						 TRACE_FILE, NULL };
	const char *kwhy = NULL, *only = NULL;
	char why[256];
	uint64_t since;
	int ret;

	ret = it_args(argc, argv, "kwhy-otest",
		      "  makes a real host-wide OOM kill and checks what kwhy says about it;\n"
		      "  runs only in the vmtest VM (VMTEST=1, at most 512 MiB of memory)\n",
		      g_scenarios, IT_ARRAY_SIZE(g_scenarios), &kwhy, &only);
	if (ret >= 0)
		return ret;
	if (!in_the_vm(why, sizeof(why))) {
		fprintf(stderr, "kwhy-otest: REFUSING TO RUN: it exhausts the memory of the whole "
			"machine to make the kernel's OOM killer fire, and that is allowed only in "
			"the test VM: %s\n", why);
		printf("not ok 1 - %s: refused outside the VM: %s\n0 passed, 1 failed\n", SC, why);
		return 1;
	}
	it_init("kwhy-otest");
	/* kwhy (forked from here) and the driver must survive the OOM */
	if ((ret = it_write_file("/proc/self/oom_score_adj", "-1000"))) {
		it_fail(SC, "setup", "oom_score_adj -1000: %s", strerror(-ret));
		return it_summary();
	}
	unlink(TRACE_FILE);
	since = it_nrecs;
	if (!it_kwhy_start(kwhy, kwhy_args))
		it_fail("kwhy", "start", "cannot start %s: %s", kwhy, strerror(errno));
	else if (it_kwhy_ready("kwhy", since))
		g_scenarios[0].run(SC);
	it_cleanup(SC);
	it_kwhy_stop("kwhy", since);
	it_check_lines("kwhy");
	check_replay(kwhy);
	return it_summary();
}
