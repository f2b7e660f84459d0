// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Records about kwhy itself: ready, stats and the doctor report. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "output/status.h"
#include "suites.h"
#include "testutil.h"

static struct kw_features f;
static struct kw_plan p;
static char out[16384];
static struct jq_val *v;

/* a 6.1-like kernel: one fallback; no bind tracepoints: one unavailable */
static void setup(void)
{
	static const int args[KW_TP_MAX] = { 1, 1, 5, 3, 2, 1, 1, 3 };

	memset(&f, 0, sizeof(f));
	snprintf(f.kernel_release, sizeof(f.kernel_release), "6.1.0-test");
	f.btf = true;
	memcpy(f.tp_args, args, sizeof(args));
	snprintf(f.tracefs, sizeof(f.tracefs), "/sys/kernel/tracing");
	f.bind_tp = false;
	f.cg_layout = KW_CG_V2;
	snprintf(f.cg2_mount, sizeof(f.cg2_mount), "/sys/fs/cgroup");
	f.ringbuf = -1;
	kw_plan_make(&f, &p);
	v = NULL;
}

static void teardown(void)
{
	jq_free(v);
	v = NULL;
}

static struct kw_buf fresh(void)
{
	struct kw_buf b = KW_BUF_INIT(out);

	kw_buf_reset(&b);
	return b;
}

START_TEST(ready_json)
{
	struct kw_buf b = fresh();
	struct kw_ready_info ri = { .version = "v\"1", .pid = 4242,
				    .agg_window_ns = 2500000000ULL,
				    .now_wall_ns = 1700000000LL * 1000000000LL };
	int enabled = 0;

	for (int i = 0; i < p.n; i++)
		enabled += p.items[i].enabled;
	kw_format_ready(&b, true, &p, &f, &ri);
	ck_assert(!b.truncated);
	v = tu_parse(out);
	tu_assert_str(v, "type", "ready");
	tu_assert_int(v, "schema", KW_JSON_SCHEMA);
	tu_assert_str(v, "time", "2023-11-14T22:13:20.000000000Z");
	tu_assert_str(v, "version", "v\"1");
	tu_assert_int(v, "abi", KW_ABI_VERSION);
	tu_assert_str(v, "kernel", "6.1.0-test");
	tu_assert_int(v, "pid", 4242);
	tu_assert_str(v, "cgroup_layout", "v2");
	tu_assert_int(v, "aggregation_window_ms", 2500);
	tu_assert_str(v, "tracefs.path", "/sys/kernel/tracing");
	tu_assert_bool(v, "tracefs.mounted_by_kwhy", false);
	ck_assert_uint_eq(jq_len(v, "attached"), (size_t)enabled);
	ck_assert_uint_eq(jq_len(v, "unavailable"), (size_t)(p.n - enabled));
	ck_assert_uint_eq(jq_len(v, "unavailable"), 1);
	tu_assert_str(v, "unavailable.0.event", "bind");
	tu_assert_contains(jq_str(v, "unavailable.0.why"), "CONFIG_FTRACE_SYSCALLS");
	/* mark_victim(pid) and kfree_skb are the fallbacks here */
	ck_assert_uint_eq(jq_len(v, "fallbacks"), 2);
	tu_assert_str(v, "fallbacks.0.tracepoint", "oom:mark_victim");
	tu_assert_str(v, "fallbacks.1.tracepoint", "skb:kfree_skb");
	ck_assert(strlen(jq_str(v, "fallbacks.1.why")) > 0);
}
END_TEST

START_TEST(ready_text)
{
	struct kw_buf b = fresh();
	struct kw_ready_info ri = { .version = "1.0", .pid = 1, .agg_window_ns = 5000000000ULL };

	kw_format_ready(&b, false, &p, &f, &ri);
	ck_assert(!b.truncated);
	tu_assert_contains(out, "kwhy 1.0 watching the whole host (kernel 6.1.0-test, cgroups v2, pid 1)");
	tu_assert_contains(out, "UNAVAILABLE: ");
	tu_assert_contains(out, "fallback ");
	tu_assert_contains(out, "repeats within 5.0 s");
	/* with --container, the target is named */
	kw_buf_reset(&b);
	ri.target = "container backend (3f4e5d6c7b8a)";
	kw_format_ready(&b, false, &p, &f, &ri);
	tu_assert_contains(out, "watching container backend (3f4e5d6c7b8a) (kernel");
}
END_TEST

START_TEST(stats_json)
{
	struct kw_buf b = fresh();
	struct kw_counters c;
	struct kw_stats_info si = { .c = &c, .decode_errors = 2, .final = true };

	memset(&c, 0, sizeof(c));
	c.emitted[KW_EV_RESET_SENT] = 10;
	c.lost[KW_EV_RESET_SENT] = 3;
	c.lost[KW_EV_BIND] = 4;
	c.aggregated[KW_EV_CONNECT_FAIL] = 7;
	c.filtered[KW_EV_PROC_EXIT] = 99;
	ck_assert_uint_eq(kw_counters_lost_total(&c), 7);
	kw_format_stats(&b, true, &si);
	ck_assert(!b.truncated);
	v = tu_parse(out);
	tu_assert_str(v, "type", "stats");
	tu_assert_bool(v, "final", true);
	tu_assert_int(v, "lost_total", 7);
	tu_assert_int(v, "decode_errors", 2);
	tu_assert_int(v, "emitted.reset_sent", 10);
	tu_assert_int(v, "lost.bind", 4);
	tu_assert_int(v, "aggregated.connect_failed", 7);
	tu_assert_int(v, "filtered.process_exit", 99);
	tu_assert_int(v, "emitted.oom_kill", 0);
	tu_assert_absent(v, "emitted.repeat");
}
END_TEST

START_TEST(stats_text)
{
	struct kw_buf b = fresh();
	struct kw_counters c;
	struct kw_stats_info si = { .c = &c, .decode_errors = 1 };

	memset(&c, 0, sizeof(c));
	c.emitted[KW_EV_RESET_SENT] = 10;
	c.lost[KW_EV_RESET_SENT] = 3;
	kw_format_stats(&b, false, &si);
	tu_assert_contains(out, "3 lost, 1 malformed");
	tu_assert_contains(out, "reset_sent 10/0/0/3");
	tu_assert_not_contains(out, "oom_kill");
}
END_TEST

/* target records: JSON with ids, text with the name escaped */
START_TEST(target_records)
{
	struct kw_buf b = fresh();
	struct kw_target_info ti = { .state = "back", .target = "container web (bbbb)",
				     .id = "bbbbcccc", .previous_id = "aaaadddd",
				     .follows = true };

	kw_format_target(&b, true, &ti);
	ck_assert(!b.truncated);
	v = tu_parse(out);
	tu_assert_str(v, "type", "target");
	tu_assert_str(v, "state", "back");
	tu_assert_str(v, "target", "container web (bbbb)");
	tu_assert_str(v, "id", "bbbbcccc");
	tu_assert_str(v, "previous_id", "aaaadddd");
	tu_assert_bool(v, "follows", true);
	jq_free(v);
	v = NULL;

	b = fresh();
	ti.state = "gone";
	ti.id = "";
	kw_format_target(&b, true, &ti);
	v = tu_parse(out);
	tu_assert_null(v, "id");
	tu_assert_absent(v, "previous_id");

	b = fresh();
	ti.target = "container \x1b[2Jweb";
	kw_format_target(&b, false, &ti);
	tu_assert_not_contains(out, "\x1b");
	tu_assert_contains(out, "has gone away");
	tu_assert_contains(out, "watching for a container of that name to return");
	b = fresh();
	ti.state = "back";
	kw_format_target(&b, false, &ti);
	tu_assert_contains(out, "the target is back: ");
	tu_assert_contains(out, ", was aaaadddd; watching it");
}
END_TEST

START_TEST(doctor_json)
{
	struct kw_buf b = fresh();
	struct kw_runtime_found rt[KW_RUNTIMES_N] = {
		{ .runtime = KW_RT_DOCKER, .found = true, .evidence = "/run/docker.sock",
		  .driver = "cgroupfs", .layout = "/docker/<id>", .names = true,
		  .names_from = "/var/lib/docker/containers" },
		{ .runtime = KW_RT_CONTAINERD },
		{ .runtime = KW_RT_CRIO },
		{ .runtime = KW_RT_PODMAN },
	};

	kw_format_doctor(&b, true, &p, &f, rt);
	ck_assert(!b.truncated);
	v = tu_parse(out);
	tu_assert_str(v, "runtimes.0.runtime", "docker");
	tu_assert_bool(v, "runtimes.0.found", true);
	tu_assert_str(v, "runtimes.0.cgroup_driver", "cgroupfs");
	tu_assert_str(v, "runtimes.0.cgroup_layout", "/docker/<id>");
	tu_assert_bool(v, "runtimes.0.names", true);
	tu_assert_str(v, "runtimes.1.runtime", "containerd");
	tu_assert_bool(v, "runtimes.1.found", false);
	tu_assert_null(v, "runtimes.1.cgroup_driver");
	ck_assert_uint_eq(jq_len(v, "runtimes"), KW_RUNTIMES_N);
	tu_assert_str(v, "type", "doctor");
	tu_assert_bool(v, "btf", true);
	tu_assert_null(v, "btf_error");
	tu_assert_null(v, "ringbuf");
	tu_assert_str(v, "tracefs", "/sys/kernel/tracing");
	tu_assert_str(v, "cgroup2_mount", "/sys/fs/cgroup");
	tu_assert_null(v, "memcg_v1_mount");
	tu_assert_int(v, "tracepoint_args.tcp:tcp_send_reset", 2);
	tu_assert_int(v, "tracepoint_args.skb:kfree_skb", 3);
	ck_assert_uint_eq(jq_len(v, "tracepoint_args"), KW_TP_MAX);
}
END_TEST

START_TEST(doctor_json_without_btf)
{
	struct kw_buf b = fresh();

	f.btf = false;
	snprintf(f.btf_error, sizeof(f.btf_error), "no \"BTF\"\n here");
	for (int i = 0; i < KW_TP_MAX; i++)
		f.tp_args[i] = -1;
	f.tracefs[0] = '\0';
	kw_plan_make(&f, &p);
	kw_format_doctor(&b, true, &p, &f, NULL);
	v = tu_parse(out);
	tu_assert_bool(v, "btf", false);
	tu_assert_str(v, "btf_error", "no \"BTF\"\n here");
	tu_assert_null(v, "tracefs");
	tu_assert_int(v, "tracepoint_args.oom:mark_victim", -1);
	ck_assert_uint_eq(jq_len(v, "attached"), 0);
}
END_TEST

Suite *meta_suite(void)
{
	Suite *s = suite_create("meta");
	TCase *t = tcase_create("records");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, ready_json);
	tcase_add_test(t, ready_text);
	tcase_add_test(t, stats_json);
	tcase_add_test(t, stats_text);
	tcase_add_test(t, target_records);
	tcase_add_test(t, doctor_json);
	tcase_add_test(t, doctor_json_without_btf);
	suite_add_tcase(s, t);
	return s;
}
