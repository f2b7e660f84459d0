// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* kw_agg_seen: per-key deltas of the kernel's monotonic repeat counters. */
#include <check.h>
#include <string.h>
#include "kernel/aggseen.h"
#include "suites.h"

static struct kw_agg_seen s;

static void setup(void)
{
	ck_assert_int_eq(kw_agg_seen_init(&s), 0);
}

static void teardown(void)
{
	kw_agg_seen_free(&s);
}

static struct kw_agg_key key(uint32_t i)
{
	struct kw_agg_key k;

	memset(&k, 0, sizeof(k));
	k.netns_ino = 4026531840u;
	k.type = KW_EV_RESET_SENT;
	k.tgid = i;
	k.code = 1;
	k.dest.family = 2;
	k.dest.port = 8001;
	k.dest.addr[0] = 127;
	k.dest.addr[3] = 1;
	return k;
}

static uint64_t delta(uint32_t i, uint64_t suppressed)
{
	struct kw_agg_key k = key(i);

	return kw_agg_seen_delta(&s, &k, suppressed);
}

START_TEST(init_and_free)
{
	ck_assert_ptr_nonnull(s.slots);
	ck_assert_uint_eq(s.nr_used, 0);
	kw_agg_seen_free(&s);
	ck_assert_ptr_null(s.slots);
	kw_agg_seen_free(&s);		/* twice is harmless */
	ck_assert_ptr_null(s.slots);
}
END_TEST

START_TEST(delta_reported_once)
{
	kw_agg_seen_begin_pass(&s);
	ck_assert_uint_eq(delta(1, 10), 10);
	ck_assert_uint_eq(s.nr_used, 1);
	kw_agg_seen_end_pass(&s);
	kw_agg_seen_begin_pass(&s);
	ck_assert_uint_eq(delta(1, 10), 0);	/* nothing new */
	ck_assert_uint_eq(delta(1, 10), 0);
	ck_assert_uint_eq(s.nr_used, 1);
}
END_TEST

START_TEST(delta_grows_with_counter)
{
	ck_assert_uint_eq(delta(1, 3), 3);
	ck_assert_uint_eq(delta(1, 10), 7);
	ck_assert_uint_eq(delta(1, 11), 1);
	ck_assert_uint_eq(delta(1, 11), 0);
	ck_assert_uint_eq(delta(1, 1000000), 1000000 - 11);
}
END_TEST

START_TEST(new_key_starts_at_value)
{
	ck_assert_uint_eq(delta(1, 10), 10);
	ck_assert_uint_eq(delta(2, 7), 7);
	ck_assert_uint_eq(delta(3, 0), 0);
	ck_assert_uint_eq(s.nr_used, 3);
	/* keys are independent */
	ck_assert_uint_eq(delta(2, 9), 2);
	ck_assert_uint_eq(delta(1, 10), 0);
	ck_assert_uint_eq(delta(3, 1), 1);
}
END_TEST

START_TEST(keys_differ_by_any_field)
{
	struct kw_agg_key a = key(1), b = key(1);

	b.dest.port = 8002;
	ck_assert_uint_eq(kw_agg_seen_delta(&s, &a, 5), 5);
	ck_assert_uint_eq(kw_agg_seen_delta(&s, &b, 5), 5);
	b = key(1);
	b.netns_ino++;
	ck_assert_uint_eq(kw_agg_seen_delta(&s, &b, 5), 5);
	b = key(1);
	b.code = 111;
	ck_assert_uint_eq(kw_agg_seen_delta(&s, &b, 5), 5);
	ck_assert_uint_eq(s.nr_used, 4);
	ck_assert_uint_eq(kw_agg_seen_delta(&s, &a, 6), 1);
}
END_TEST

/* the kernel's LRU evicted and re-created the key: its counter restarted */
START_TEST(counter_restart)
{
	ck_assert_uint_eq(delta(1, 10), 10);
	ck_assert_uint_eq(delta(1, 3), 3);
	ck_assert_uint_eq(delta(1, 5), 2);
}
END_TEST

START_TEST(no_compaction_below_half)
{
	kw_agg_seen_begin_pass(&s);
	for (uint32_t i = 0; i < 1000; i++)
		delta(i, i + 1);
	kw_agg_seen_end_pass(&s);
	kw_agg_seen_begin_pass(&s);
	ck_assert_uint_eq(delta(0, 1), 0);
	kw_agg_seen_end_pass(&s);
	/* keys not seen in the last pass are still remembered */
	ck_assert_uint_eq(s.nr_used, 1000);
	kw_agg_seen_begin_pass(&s);
	for (uint32_t i = 0; i < 1000; i++)
		ck_assert_uint_eq(delta(i, i + 1), 0);
}
END_TEST

START_TEST(compaction_keeps_current_pass)
{
	const uint32_t many = KW_AGG_SEEN_SLOTS / 2 + 4000;

	kw_agg_seen_begin_pass(&s);
	for (uint32_t i = 0; i < many; i++)
		ck_assert_uint_eq(delta(i, i + 1), i + 1);
	ck_assert_uint_eq(s.nr_used, many);
	kw_agg_seen_end_pass(&s);
	/* everything was seen in that pass: all kept */
	ck_assert_uint_eq(s.nr_used, many);

	kw_agg_seen_begin_pass(&s);
	for (uint32_t i = 0; i < 100; i++)
		ck_assert_uint_eq(delta(i, i + 1 + (i < 50)), i < 50);
	kw_agg_seen_end_pass(&s);
	ck_assert_uint_eq(s.nr_used, 100);

	kw_agg_seen_begin_pass(&s);
	/* kept keys remember what was reported */
	for (uint32_t i = 0; i < 100; i++)
		ck_assert_uint_eq(delta(i, i + 1 + (i < 50)), 0);
	/* dropped keys start over at their value */
	ck_assert_uint_eq(delta(500, 501), 501);
	ck_assert_uint_eq(delta(many - 1, many), many);
	ck_assert_uint_eq(s.nr_used, 102);
}
END_TEST

START_TEST(full_table_never_crashes)
{
	kw_agg_seen_begin_pass(&s);
	for (uint32_t i = 0; i < KW_AGG_SEEN_SLOTS; i++)
		ck_assert_uint_eq(delta(i, 2), 2);
	ck_assert_uint_eq(s.nr_used, KW_AGG_SEEN_SLOTS);

	/* no room: a new key is reported in full, and not remembered */
	ck_assert_uint_eq(delta(KW_AGG_SEEN_SLOTS + 1, 9), 9);
	ck_assert_uint_eq(delta(KW_AGG_SEEN_SLOTS + 1, 9), 9);
	ck_assert_uint_eq(s.nr_used, KW_AGG_SEEN_SLOTS);
	/* known keys still work */
	ck_assert_uint_eq(delta(7, 5), 3);
	ck_assert_uint_eq(delta(KW_AGG_SEEN_SLOTS - 1, 2), 0);

	/* all seen in this pass: compaction keeps them all */
	kw_agg_seen_end_pass(&s);
	ck_assert_uint_eq(s.nr_used, KW_AGG_SEEN_SLOTS);
	ck_assert_uint_eq(delta(7, 5), 0);

	/* the next pass sees a few: the rest is dropped and room comes back */
	kw_agg_seen_begin_pass(&s);
	for (uint32_t i = 0; i < 10; i++)
		delta(i, 5);
	kw_agg_seen_end_pass(&s);
	ck_assert_uint_eq(s.nr_used, 10);
	kw_agg_seen_begin_pass(&s);
	ck_assert_uint_eq(delta(KW_AGG_SEEN_SLOTS + 1, 9), 9);
	ck_assert_uint_eq(delta(KW_AGG_SEEN_SLOTS + 1, 9), 0);
	ck_assert_uint_eq(delta(3, 5), 0);
}
END_TEST

START_TEST(uninitialised_table_reports_everything)
{
	struct kw_agg_seen z;
	struct kw_agg_key k = key(1);

	memset(&z, 0, sizeof(z));
	ck_assert_uint_eq(kw_agg_seen_delta(&z, &k, 4), 4);
	ck_assert_uint_eq(kw_agg_seen_delta(&z, &k, 4), 4);
	kw_agg_seen_begin_pass(&z);
	kw_agg_seen_end_pass(&z);
	kw_agg_seen_free(&z);
	ck_assert_ptr_null(z.slots);
}
END_TEST

Suite *aggseen_suite(void)
{
	Suite *su = suite_create("aggseen");
	TCase *t = tcase_create("deltas");
	TCase *c = tcase_create("compaction");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, init_and_free);
	tcase_add_test(t, delta_reported_once);
	tcase_add_test(t, delta_grows_with_counter);
	tcase_add_test(t, new_key_starts_at_value);
	tcase_add_test(t, keys_differ_by_any_field);
	tcase_add_test(t, counter_restart);
	tcase_add_test(t, uninitialised_table_reports_everything);
	suite_add_tcase(su, t);

	tcase_add_checked_fixture(c, setup, teardown);
	tcase_set_timeout(c, 60);
	tcase_add_test(c, no_compaction_below_half);
	tcase_add_test(c, compaction_keeps_current_pass);
	tcase_add_test(c, full_table_never_crashes);
	suite_add_tcase(su, c);
	return su;
}
