// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* kw_buf: a fixed-capacity text buffer that truncates instead of
 * overflowing. */
#include <check.h>
#include <string.h>
#include "util/buf.h"
#include "util/zero.h"
#include "suites.h"

/* storage with a guard zone after the capacity given to the buffer */
#define GUARD 32
static char storage[64 + GUARD];

static struct kw_buf guarded(size_t cap)
{
	struct kw_buf b = { .p = storage, .cap = cap };

	ck_assert_uint_le(cap, sizeof(storage) - GUARD);
	memset(storage, 'Z', sizeof(storage));
	kw_buf_reset(&b);
	return b;
}

static void assert_guard_intact(size_t cap)
{
	for (size_t i = cap; i < sizeof(storage); i++)
		ck_assert_msg(storage[i] == 'Z', "byte %zu past cap %zu was written", i, cap);
}

START_TEST(init_macro)
{
	char tmp[40];
	struct kw_buf b = KW_BUF_INIT(tmp);

	ck_assert_ptr_eq(b.p, tmp);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, sizeof(tmp));
	ck_assert(!b.truncated);
}
END_TEST

START_TEST(appends_that_fit)
{
	struct kw_buf b = guarded(32);

	kw_buf_puts(&b, "abc");
	kw_buf_putc(&b, '-');
	kw_buf_putn(&b, "xyzzy", 2);
	kw_buf_printf(&b, "%d:%s", 42, "ok");
	ck_assert_str_eq(storage, "abc-xy42:ok");
	ck_assert_uint_eq(b.len, strlen("abc-xy42:ok"));
	ck_assert(!b.truncated);
	assert_guard_intact(32);
}
END_TEST

START_TEST(exact_fit_is_not_truncated)
{
	struct kw_buf b = guarded(8);

	kw_buf_puts(&b, "1234567");		/* 7 bytes + NUL = cap */
	ck_assert(!b.truncated);
	ck_assert_uint_eq(b.len, 7);
	ck_assert_str_eq(storage, "1234567");
	kw_buf_putc(&b, 'x');			/* no room left */
	ck_assert(b.truncated);
	ck_assert_uint_eq(b.len, 7);
	ck_assert_str_eq(storage, "1234567");
	assert_guard_intact(8);
}
END_TEST

START_TEST(puts_truncates)
{
	struct kw_buf b = guarded(8);

	kw_buf_puts(&b, "0123456789abcdefghijklmnopqrstuvwxyz");
	ck_assert(b.truncated);
	ck_assert_uint_eq(b.len, 7);
	ck_assert_str_eq(storage, "0123456");
	assert_guard_intact(8);
}
END_TEST

START_TEST(printf_exact_fit_then_truncates)
{
	struct kw_buf b = guarded(6);

	kw_buf_printf(&b, "%s", "abcde");
	ck_assert(!b.truncated);
	ck_assert_uint_eq(b.len, 5);
	kw_buf_printf(&b, "%d", 7);
	ck_assert(b.truncated);
	ck_assert_uint_eq(b.len, 5);
	ck_assert_str_eq(storage, "abcde");
	assert_guard_intact(6);
}
END_TEST

START_TEST(printf_truncates)
{
	struct kw_buf b = guarded(10);

	kw_buf_puts(&b, "ab");
	kw_buf_printf(&b, "%s-%llu", "a long formatted string", 18446744073709551615ULL);
	ck_assert(b.truncated);
	ck_assert_uint_eq(b.len, 9);
	ck_assert_uint_eq(strlen(storage), 9);
	ck_assert_str_eq(storage, "aba long ");
	assert_guard_intact(10);
}
END_TEST

START_TEST(appends_after_truncation_are_noops)
{
	struct kw_buf b = guarded(4);

	kw_buf_puts(&b, "abcdef");
	ck_assert(b.truncated);
	kw_buf_putc(&b, 'x');
	kw_buf_putn(&b, "yz", 2);
	kw_buf_printf(&b, "%s", "more");
	kw_buf_puts(&b, "");
	ck_assert(b.truncated);
	ck_assert_uint_eq(b.len, 3);
	ck_assert_str_eq(storage, "abc");
	assert_guard_intact(4);
}
END_TEST

START_TEST(capacity_one)
{
	struct kw_buf b = guarded(1);

	ck_assert_int_eq(storage[0], '\0');
	kw_buf_putc(&b, 'a');
	ck_assert(b.truncated);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(storage[0], '\0');
	kw_buf_printf(&b, "%s", "b");
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(storage[0], '\0');
	assert_guard_intact(1);
}
END_TEST

START_TEST(empty_appends_do_not_truncate)
{
	struct kw_buf b = guarded(1);

	kw_buf_puts(&b, "");
	kw_buf_putn(&b, "x", 0);
	kw_buf_printf(&b, "%s", "");
	ck_assert(!b.truncated);
	ck_assert_uint_eq(b.len, 0);
}
END_TEST

START_TEST(reset_clears)
{
	struct kw_buf b = guarded(4);

	kw_buf_puts(&b, "abcdef");
	ck_assert(b.truncated);
	kw_buf_reset(&b);
	ck_assert(!b.truncated);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_str_eq(storage, "");
	kw_buf_puts(&b, "xy");
	ck_assert_str_eq(storage, "xy");
	ck_assert(!b.truncated);
}
END_TEST

START_TEST(every_length_stays_in_bounds)
{
	static const char src[] = "the quick brown fox jumps over the lazy dog 0123456789";

	for (size_t cap = 1; cap <= 64; cap++) {
		for (size_t n = 0; n < sizeof(src); n++) {
			struct kw_buf b = guarded(cap);

			kw_buf_putn(&b, src, n);
			kw_buf_printf(&b, "%.*s", (int)n, src);
			ck_assert_uint_lt(b.len, cap);
			ck_assert_int_eq(storage[b.len], '\0');
			ck_assert_uint_eq(strlen(storage), b.len);
			ck_assert(b.truncated == (2 * n > cap - 1));
			assert_guard_intact(cap);
		}
	}
}
END_TEST

/* kw_zero (util/zero.h) clears like memset, whatever the length and
 * wherever the non-zero bytes are, and writes nothing past n */
START_TEST(zero_clears_like_memset)
{
	static unsigned char b[3000];
	const size_t lens[] = { 0, 1, 255, 256, 257, 1000, 2999 };

	for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
		size_t n = lens[li];

		memset(b, 0, sizeof(b));
		for (size_t i = 0; i < n; i += 97)
			b[i] = 0xa5;
		if (n)
			b[n - 1] = 1;
		b[n] = 0x5a;			/* just past: must stay */
		kw_zero(b, n);
		for (size_t i = 0; i < n; i++)
			ck_assert_msg(b[i] == 0, "byte %zu of %zu not cleared", i, n);
		ck_assert_uint_eq(b[n], 0x5a);
	}
}
END_TEST

Suite *buf_suite(void)
{
	Suite *s = suite_create("buf");
	TCase *t = tcase_create("core");

	tcase_add_test(t, init_macro);
	tcase_add_test(t, appends_that_fit);
	tcase_add_test(t, exact_fit_is_not_truncated);
	tcase_add_test(t, puts_truncates);
	tcase_add_test(t, printf_exact_fit_then_truncates);
	tcase_add_test(t, printf_truncates);
	tcase_add_test(t, appends_after_truncation_are_noops);
	tcase_add_test(t, capacity_one);
	tcase_add_test(t, empty_appends_do_not_truncate);
	tcase_add_test(t, reset_clears);
	tcase_add_test(t, every_length_stays_in_bounds);
	tcase_add_test(t, zero_clears_like_memset);
	suite_add_tcase(s, t);
	return s;
}
