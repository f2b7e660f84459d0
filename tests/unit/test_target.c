// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The userspace half of the target filter (the snapshot is not filtered in
 * the kernel): same rules as the BPF programs. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "suites.h"
#include "core/runtimes.h"
#include "core/target.h"

static struct kw_event listen_in(uint32_t netns, uint32_t tgid, uint64_t cg, uint16_t port)
{
	struct kw_event ev = {};

	ev.hdr.type = KW_EV_LISTEN;
	ev.hdr.flags = KW_F_NETNS | KW_F_SNAPSHOT | (tgid ? KW_F_TASK : 0);
	ev.hdr.netns_ino = netns;
	ev.hdr.task.tgid = tgid;
	ev.hdr.task.cgroup_id = cg;
	ev.listen.local.port = port;
	return ev;
}

START_TEST(no_target_wants_all_but_port)
{
	struct kw_target t = {};
	struct kw_event ev = listen_in(1, 2, 3, 8001);

	ck_assert(kw_target_wants(&t, 0, &ev));
	ck_assert(kw_target_wants(&t, 8001, &ev));
	ck_assert(!kw_target_wants(&t, 8002, &ev));
}
END_TEST

START_TEST(target_by_netns_cgroup_or_pid)
{
	struct kw_target t = { .on = true, .netns = { 100 }, .n_netns = 1,
			       .cg2 = { 55, 56 }, .n_cg2 = 2, .tgids = { 41 }, .n_tgids = 1 };
	struct kw_event in_ns = listen_in(100, 0, 0, 1);
	struct kw_event in_cg = listen_in(7, 9, 56, 1);
	struct kw_event the_pid = listen_in(7, 41, 1, 1);
	struct kw_event other = listen_in(7, 9, 1, 1);

	ck_assert(kw_target_wants(&t, 0, &in_ns));	/* no owner, its namespace */
	ck_assert(kw_target_wants(&t, 0, &in_cg));	/* a descendant cgroup */
	ck_assert(kw_target_wants(&t, 0, &the_pid));
	ck_assert(!kw_target_wants(&t, 0, &other));
	ck_assert(!kw_target_wants(&t, 2, &in_ns));	/* --port still applies */
}
END_TEST

START_TEST(memcg_match_only_for_v1)
{
	struct kw_target t = { .on = true, .memcg = { 77 }, .n_memcg = 1 };
	struct kw_event ev = listen_in(7, 9, 1, 1);

	ev.hdr.task.memcg_id = 77;
	ck_assert(!kw_target_wants(&t, 0, &ev));	/* memcg_hier 0: a v2 id */
	ev.hdr.task.memcg_hier = 4;
	ck_assert(kw_target_wants(&t, 0, &ev));
}
END_TEST

static struct kw_ev_cgroup rec(uint64_t id, bool v1, enum kw_runtime rt, const char *path,
			       const char *cid, const char *name, const char *pod)
{
	struct kw_ev_cgroup c = { .cgroup_id = id, .v1_memory = v1, .runtime = rt, .resolved = 1 };

	snprintf(c.path, sizeof(c.path), "%s", path);
	snprintf(c.container_id, sizeof(c.container_id), "%s", cid);
	snprintf(c.name, sizeof(c.name), "%s", name);
	snprintf(c.pod, sizeof(c.pod), "%s", pod);
	return c;
}

#define CID "20333a1159dd359dea2324052e9af0a8cabce1a1b4cc270cd16469d1f9aeab64"

/* The one --container rule, as replay and live watching both apply it. */
START_TEST(container_rule)
{
	struct kw_ev_cgroup web = rec(63, false, KW_RT_DOCKER, "/system.slice/docker-" CID ".scope",
				      CID, "web", "shop-1");
	struct kw_ev_cgroup host = rec(1, false, KW_RT_HOST, "/", "host", "host", "");
	struct kw_ev_cgroup unit = rec(7, false, KW_RT_SYSTEMD, "/system.slice/cron.service",
				       "cron.service", "cron.service", "");
	struct kw_ev_cgroup unresolved = { .cgroup_id = 9 };

	ck_assert_int_eq(kw_target_want_kind("web"), KW_WANT_NAME);
	ck_assert_int_eq(kw_target_want_kind("2033"), KW_WANT_PID);
	ck_assert_int_eq(kw_target_want_kind("/a"), KW_WANT_PATH);
	ck_assert_int_eq(kw_target_want_kind(""), KW_WANT_NAME);
	ck_assert_int_eq(kw_target_want_kind("20333a"), KW_WANT_NAME);

	ck_assert(kw_target_record_matches("web", &web));
	ck_assert(kw_target_record_matches(CID, &web));
	ck_assert(kw_target_record_matches("20333a", &web));		/* an id prefix */
	ck_assert(!kw_target_record_matches("203", &web));		/* too short */
	ck_assert(kw_target_record_matches("shop-1", &web));		/* the pod */
	ck_assert(!kw_target_record_matches("", &web));
	ck_assert(!kw_target_record_matches("host", &host));		/* never the host */
	ck_assert(kw_target_record_matches("cron.service", &unit));
	ck_assert(!kw_target_record_matches("cron", &unit));		/* no unit prefixes */
	/* paths: the cgroup and below, whole components */
	ck_assert(kw_target_record_matches("/system.slice", &web));
	ck_assert(kw_target_record_matches("/system.slice/", &web));
	ck_assert(!kw_target_record_matches("/system", &web));
	ck_assert(kw_target_record_matches("/", &host));
	ck_assert(kw_target_record_matches("/", &web));
	ck_assert(!kw_target_record_matches("/", &unresolved));
	/* a pid's own record: its container, or below its host cgroup */
	ck_assert(kw_target_same_container(&web, &web));
	ck_assert(!kw_target_same_container(&web, &unit));
	ck_assert(kw_target_same_container(&host, &unit));
	ck_assert(!kw_target_same_container(&unit, &host));
}
END_TEST

static void scan_all(struct kw_target_scan *sc, struct kw_target *t, const struct kw_event *evs,
		     size_t n)
{
	do {
		for (size_t i = 0; i < n; i++)
			kw_target_scan_event(sc, t, &evs[i]);
	} while (kw_target_scan_next(sc));
}

/* The target from a trace: records, then the namespaces of its processes. */
START_TEST(offline_scan)
{
	struct kw_event evs[4] = {};
	struct kw_target_scan sc;
	struct kw_target t;

	/* a process of the container's seen before its cgroup record */
	evs[0] = listen_in(500, 41, 63, 80);
	evs[0].hdr.task.netns_ino = 500;
	evs[1].cgroup = rec(63, false, KW_RT_DOCKER, "/docker/" CID, CID, "web", "");
	evs[1].hdr.type = KW_EV_CGROUP;
	evs[2].cgroup = rec(1, false, KW_RT_HOST, "/", "host", "host", "");
	evs[2].hdr.type = KW_EV_CGROUP;
	evs[3] = listen_in(600, 77, 1, 22);

	kw_target_scan_init(&sc, &t, "web", 0);
	scan_all(&sc, &t, evs, 4);
	ck_assert(kw_target_scan_found(&sc, &t));
	ck_assert(t.on);
	ck_assert_uint_eq(t.n_cg2, 1);
	ck_assert_uint_eq(t.cg2[0], 63);
	ck_assert_uint_eq(t.n_netns, 1);		/* the second pass saw pid 41 */
	ck_assert_uint_eq(t.netns[0], 500);
	ck_assert_str_eq(t.desc, "container web (20333a1159dd)");
	ck_assert(kw_target_wants_any(&t, 0, &evs[0]));
	ck_assert(!kw_target_wants_any(&t, 0, &evs[3]));

	/* by a pid in it: the same container */
	kw_target_scan_init(&sc, &t, "41", 0);
	scan_all(&sc, &t, evs, 4);
	ck_assert(kw_target_scan_found(&sc, &t));
	ck_assert_uint_eq(t.n_cg2, 1);
	ck_assert_uint_eq(t.cg2[0], 63);

	/* a pid on the host: its cgroup and below, here everything */
	kw_target_scan_init(&sc, &t, "77", 0);
	scan_all(&sc, &t, evs, 4);
	ck_assert_uint_eq(t.n_cg2, 2);
	ck_assert_str_eq(t.desc, "the cgroup of pid 77 (/)");

	/* nothing named */
	kw_target_scan_init(&sc, &t, "db", 0);
	scan_all(&sc, &t, evs, 4);
	ck_assert(!kw_target_scan_found(&sc, &t));
	kw_target_scan_init(&sc, &t, "99999999999", 0);
	scan_all(&sc, &t, evs, 4);
	ck_assert(!kw_target_scan_found(&sc, &t));

	/* --pid alone: found, by pid */
	kw_target_scan_init(&sc, &t, NULL, 77);
	scan_all(&sc, &t, evs, 4);
	ck_assert(kw_target_scan_found(&sc, &t));
	ck_assert(kw_target_wants_any(&t, 0, &evs[3]));
	ck_assert(!kw_target_wants_any(&t, 0, &evs[0]));

	/* no target */
	kw_target_scan_init(&sc, &t, NULL, 0);
	ck_assert(!t.on);
}
END_TEST

/* --container as an absolute cgroupfs path: relative to the mount that
 * holds it, the longest one; a relative path is left alone */
START_TEST(absolute_cgroupfs_paths)
{
	const char *hybrid[] = { "/sys/fs/cgroup/unified", "/sys/fs/cgroup/memory",
				 "/sys/fs/cgroup/cpu,cpuacct", "", NULL };
	const char *v2[] = { "/sys/fs/cgroup/", "/" };
	char rel[64], tiny[4];

	ck_assert_int_eq(kw_target_mount_rel("/sys/fs/cgroup/memory/docker/ab", hybrid, 5, rel,
					     sizeof(rel)), 1);
	ck_assert_str_eq(rel, "/docker/ab");
	ck_assert_int_eq(kw_target_mount_rel("/sys/fs/cgroup/unified/docker/ab", hybrid, 5, rel,
					     sizeof(rel)), 1);
	ck_assert_str_eq(rel, "/docker/ab");
	ck_assert_int_eq(kw_target_mount_rel("/sys/fs/cgroup/cpu,cpuacct", hybrid, 5, rel,
					     sizeof(rel)), 1);
	ck_assert_str_eq(rel, "/");
	/* "/sys/fs/cgroup/memoryx" is no path under "/sys/fs/cgroup/memory" */
	ck_assert_int_eq(kw_target_mount_rel("/sys/fs/cgroup/memoryx/a", hybrid, 5, rel,
					     sizeof(rel)), 0);
	ck_assert_int_eq(kw_target_mount_rel("/docker/ab", hybrid, 5, rel, sizeof(rel)), 0);
	ck_assert_int_eq(kw_target_mount_rel("/sys/fs/cgroup/system.slice/x.scope", v2, 2, rel,
					     sizeof(rel)), 1);
	ck_assert_str_eq(rel, "/system.slice/x.scope");
	/* a mount at "/" says nothing */
	ck_assert_int_eq(kw_target_mount_rel("/docker/ab", v2 + 1, 1, rel, sizeof(rel)), 0);
	ck_assert_int_eq(kw_target_mount_rel("/sys/fs/cgroup/memory/docker/ab", hybrid, 5, tiny,
					     sizeof(tiny)), -1);
}
END_TEST

/* which targets follow what they name after it went away */
START_TEST(follows_names_and_paths)
{
	struct kw_target t = { .on = true };

	ck_assert(kw_target_follows("web"));
	ck_assert(kw_target_follows("3f4e5d6c"));
	ck_assert(kw_target_follows("/docker/3f4e"));
	ck_assert(!kw_target_follows("4242"));
	ck_assert(!kw_target_follows(""));
	ck_assert(!kw_target_follows(NULL));
	kw_target_add_cgroup(&t, 7, false);
	kw_target_add_cgroup(&t, 9, true);
	ck_assert(kw_target_has_cgroup(&t, 7, false));
	ck_assert(!kw_target_has_cgroup(&t, 7, true));
	ck_assert(kw_target_has_cgroup(&t, 9, true));
	ck_assert(!kw_target_has_cgroup(&t, 9, false));
}
END_TEST

/* a runtime's driver and layout from one container's cgroup path */
START_TEST(runtime_layouts)
{
	static const char id[] = "e3f1d3be92332a574dbe16bc4b5d7fdb914409d567bc470cc335cc4285470eb4";
	char path[256], driver[16], layout[200];

	snprintf(path, sizeof(path), "/process_api/55/docker/%s", id);
	ck_assert(kw_runtime_layout(path, id, driver, sizeof(driver), layout, sizeof(layout)));
	ck_assert_str_eq(driver, "cgroupfs");
	ck_assert_str_eq(layout, "/process_api/55/docker/<id>");
	snprintf(path, sizeof(path), "/system.slice/docker-%s.scope/init", id);
	ck_assert(kw_runtime_layout(path, id, driver, sizeof(driver), layout, sizeof(layout)));
	ck_assert_str_eq(driver, "systemd");
	ck_assert_str_eq(layout, "/system.slice/docker-<id>.scope");
	ck_assert(!kw_runtime_layout("/user.slice", id, driver, sizeof(driver), layout,
				     sizeof(layout)));
	ck_assert(!kw_runtime_layout("/user.slice", "", driver, sizeof(driver), layout,
				     sizeof(layout)));
}
END_TEST

Suite *target_suite(void)
{
	Suite *s = suite_create("target");
	TCase *tc = tcase_create("filter");

	tcase_add_test(tc, no_target_wants_all_but_port);
	tcase_add_test(tc, target_by_netns_cgroup_or_pid);
	tcase_add_test(tc, memcg_match_only_for_v1);
	tcase_add_test(tc, container_rule);
	tcase_add_test(tc, offline_scan);
	tcase_add_test(tc, absolute_cgroupfs_paths);
	tcase_add_test(tc, follows_names_and_paths);
	tcase_add_test(tc, runtime_layouts);
	suite_add_tcase(s, tc);
	return s;
}
