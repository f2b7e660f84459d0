// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The userspace half of the target filter (the snapshot is not filtered in
 * the kernel): same rules as the BPF programs. */
#include <check.h>
#include <string.h>
#include "suites.h"
#include "host/target.h"

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

Suite *target_suite(void)
{
	Suite *s = suite_create("target");
	TCase *tc = tcase_create("filter");

	tcase_add_test(tc, no_target_wants_all_but_port);
	tcase_add_test(tc, target_by_netns_cgroup_or_pid);
	tcase_add_test(tc, memcg_match_only_for_v1);
	suite_add_tcase(s, tc);
	return s;
}
