// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The strict JSON parser the tests rely on: it must reject what RFC 8259
 * rejects, or the other suites would accept broken output. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "util/jsonq.h"
#include "suites.h"
#include "testutil.h"

static struct jq_val *v;

static void teardown(void)
{
	jq_free(v);
	v = NULL;
}

static void assert_rejects(const char *text)
{
	char err[160] = "";
	struct jq_val *r = jq_parse(text, err, sizeof(err));

	ck_assert_msg(r == NULL, "accepted: %s", text);
	ck_assert_msg(err[0] != '\0', "no reason for rejecting: %s", text);
	tu_assert_contains(err, "at byte");
}

START_TEST(rejects_trailing_garbage)
{
	assert_rejects("{} x");
	assert_rejects("[1] ]");
	assert_rejects("1 2");
	assert_rejects("{}{}");
	assert_rejects("truex");
	assert_rejects("null,");
	assert_rejects("\"a\"\"b\"");
}
END_TEST

START_TEST(rejects_unterminated)
{
	assert_rejects("\"abc");
	assert_rejects("[\"a");
	assert_rejects("{\"a\":\"b}");
	assert_rejects("\"abc\\");
	assert_rejects("[");
	assert_rejects("{");
	assert_rejects("[1,");
	assert_rejects("{\"a\":");
	assert_rejects("{\"a\"");
}
END_TEST

START_TEST(rejects_control_chars_in_strings)
{
	assert_rejects("\"a\x01" "b\"");
	assert_rejects("\"a\tb\"");
	assert_rejects("\"a\nb\"");
	assert_rejects("\"\x1f\"");
	assert_rejects("{\"k\x02\":1}");
}
END_TEST

START_TEST(rejects_bad_escapes)
{
	assert_rejects("\"\\x41\"");
	assert_rejects("\"\\a\"");
	assert_rejects("\"\\'\"");
	assert_rejects("\"\\u12\"");
	assert_rejects("\"\\u12G4\"");
	assert_rejects("\"\\u\"");
	assert_rejects("\"\\U0041\"");
	assert_rejects("\"\\0\"");
}
END_TEST

START_TEST(rejects_bad_numbers)
{
	assert_rejects("01");
	assert_rejects("-01");
	assert_rejects("00");
	assert_rejects("[01]");
	assert_rejects("{\"a\":007}");
	assert_rejects("+1");
	assert_rejects("-");
	assert_rejects("1.");
	assert_rejects(".5");
	assert_rejects("1e");
	assert_rejects("1e+");
	assert_rejects("0x10");
	assert_rejects("NaN");
	assert_rejects("Infinity");
	assert_rejects("- 1");
}
END_TEST

START_TEST(rejects_lone_surrogates)
{
	assert_rejects("\"\\ud800\"");
	assert_rejects("\"\\udbff\"");
	assert_rejects("\"\\udc00\"");
	assert_rejects("\"\\udfff\"");
	assert_rejects("\"\\ud800\\u0041\"");	/* high + non-surrogate */
	assert_rejects("\"\\ud800\\ud800\"");	/* high + high */
	assert_rejects("\"\\ud800x\"");
	assert_rejects("\"\\udc00\\ud800\"");	/* reversed pair */
}
END_TEST

START_TEST(rejects_invalid_utf8)
{
	assert_rejects("\"\xff\"");
	assert_rejects("\"\x80\"");
	assert_rejects("\"\xc0\x80\"");		/* overlong */
	assert_rejects("\"\xc1\xbf\"");
	assert_rejects("\"\xe0\x80\x80\"");
	assert_rejects("\"\xf0\x80\x80\x80\"");
	assert_rejects("\"\xed\xa0\x80\"");	/* UTF-8 encoded surrogate */
	assert_rejects("\"\xf4\x90\x80\x80\"");	/* beyond U+10FFFF */
	assert_rejects("\"\xe2\x82\"");		/* truncated */
	assert_rejects("\"\xe2\x82");		/* truncated at the end of text */
	assert_rejects("{\"\xff\":1}");		/* in a key */
}
END_TEST

START_TEST(rejects_bad_structure)
{
	assert_rejects("");
	assert_rejects("   ");
	assert_rejects("[1,]");
	assert_rejects("[,1]");
	assert_rejects("{\"a\":1,}");
	assert_rejects("{a:1}");
	assert_rejects("{\"a\" 1}");
	assert_rejects("{\"a\":1 \"b\":2}");
	assert_rejects("[1 2]");
	assert_rejects("{1:2}");
	assert_rejects("tru");
	assert_rejects("nul");
	assert_rejects("True");
	assert_rejects("'a'");
	assert_rejects("]");
}
END_TEST

START_TEST(rejects_deep_nesting)
{
	char deep[2001];

	memset(deep, '[', 1000);
	memset(deep + 1000, ']', 1000);
	deep[2000] = '\0';
	assert_rejects(deep);
}
END_TEST

START_TEST(accepts_nested)
{
	bool bv;

	v = tu_parse(" {\"a\": [1, {\"b\": [true, false, null]}, \"x\"],\n\t\"c\": {}, \"d\": []}\r\n");
	ck_assert_int_eq(v->type, JQ_OBJ);
	ck_assert_uint_eq(jq_len(v, ""), 3);
	ck_assert_uint_eq(jq_len(v, "a"), 3);
	tu_assert_int(v, "a.0", 1);
	ck_assert(jq_bool(v, "a.1.b.0", &bv) && bv);
	ck_assert(jq_bool(v, "a.1.b.1", &bv) && !bv);
	ck_assert(jq_is_null(v, "a.1.b.2"));
	tu_assert_str(v, "a.2", "x");
	ck_assert_int_eq(jq_get(v, "c")->type, JQ_OBJ);
	ck_assert_uint_eq(jq_len(v, "c"), 0);
	ck_assert_int_eq(jq_get(v, "d")->type, JQ_ARR);
	ck_assert_uint_eq(jq_len(v, "d"), 0);
}
END_TEST

START_TEST(accepts_moderate_nesting)
{
	char deep[101];

	memset(deep, '[', 50);
	memset(deep + 50, ']', 50);
	deep[100] = '\0';
	v = tu_parse(deep);
	ck_assert_int_eq(v->type, JQ_ARR);
}
END_TEST

START_TEST(accepts_scalars)
{
	bool bv;

	v = tu_parse("true");
	ck_assert(jq_bool(v, "", &bv) && bv);
	jq_free(v);
	v = tu_parse("false");
	ck_assert(jq_bool(v, "", &bv) && !bv);
	jq_free(v);
	v = tu_parse("null");
	ck_assert(jq_is_null(v, ""));
	jq_free(v);
	v = tu_parse("\"\"");
	tu_assert_str(v, "", "");
	ck_assert_uint_eq(v->len, 0);
}
END_TEST

START_TEST(escapes_decoded)
{
	v = tu_parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"");
	ck_assert_str_eq(v->str, "\"\\/\b\f\n\r\t");
	jq_free(v);
	v = tu_parse("\"\\u0041\\u00e9\\u20AC\"");
	ck_assert_str_eq(v->str, "A\xc3\xa9\xe2\x82\xac");
	jq_free(v);
	v = tu_parse("\"\\ud83d\\ude00\"");		/* surrogate pair: U+1F600 */
	ck_assert_str_eq(v->str, "\xf0\x9f\x98\x80");
	jq_free(v);
	v = tu_parse("\"\\udbff\\udfff\"");		/* U+10FFFF */
	ck_assert_str_eq(v->str, "\xf4\x8f\xbf\xbf");
	jq_free(v);
	v = tu_parse("\"a\\u0000b\"");			/* embedded NUL */
	ck_assert_uint_eq(v->len, 3);
	ck_assert_int_eq(memcmp(v->str, "a\0b", 3), 0);
}
END_TEST

START_TEST(raw_utf8_accepted)
{
	v = tu_parse("\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \x7f\"");
	ck_assert_str_eq(v->str, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \x7f");
}
END_TEST

START_TEST(numbers)
{
	int64_t i;

	v = tu_parse("[0, -0, 42, -12, 1.5e3, 2.5, 1E2, 9223372036854775807, "
		     "-9223372036854775808, 18446744073709551615]");
	tu_assert_int(v, "0", 0);
	tu_assert_int(v, "1", 0);
	tu_assert_int(v, "2", 42);
	tu_assert_int(v, "3", -12);
	ck_assert(!jq_int(v, "4", &i));		/* written with an exponent */
	ck_assert_double_eq(jq_get(v, "4")->num, 1500.0);
	ck_assert(!jq_get(v, "5")->is_int);
	ck_assert_double_eq(jq_get(v, "5")->num, 2.5);
	ck_assert_double_eq(jq_get(v, "6")->num, 100.0);
	tu_assert_int(v, "7", INT64_MAX);
	tu_assert_int(v, "8", INT64_MIN);
	/* beyond int64: a number, but never a wrong integer */
	ck_assert_int_eq(jq_get(v, "9")->type, JQ_NUM);
	ck_assert(!jq_int(v, "9", &i));
	ck_assert_double_eq_tol(jq_get(v, "9")->num, 18446744073709551615.0, 1e4);
}
END_TEST

START_TEST(path_queries)
{
	int64_t i;
	bool bv;

	v = tu_parse("{\"obj\":{\"key\":\"val\",\"n\":7},\"arr\":[10,{\"x\":true}],\"0\":\"zero\","
		     "\"nil\":null}");
	tu_assert_str(v, "obj.key", "val");
	tu_assert_int(v, "obj.n", 7);
	tu_assert_int(v, "arr.0", 10);
	ck_assert(jq_bool(v, "arr.1.x", &bv) && bv);
	tu_assert_str(v, "0", "zero");			/* a key that looks like an index */
	ck_assert_ptr_eq(jq_get(v, ""), v);
	ck_assert_uint_eq(jq_len(v, "arr"), 2);
	ck_assert_uint_eq(jq_len(v, "obj"), 2);
	ck_assert(jq_is_null(v, "nil"));

	/* missing: NULL / false / 0 */
	ck_assert_ptr_null(jq_get(v, "missing"));
	ck_assert_ptr_null(jq_get(v, "obj.missing"));
	ck_assert_ptr_null(jq_get(v, "obj.key.deeper"));
	ck_assert_ptr_null(jq_get(v, "arr.2"));
	ck_assert_ptr_null(jq_get(v, "arr.-1"));
	ck_assert_ptr_null(jq_get(v, "arr.x"));
	ck_assert_ptr_null(jq_get(v, "arr.1x"));
	ck_assert_ptr_null(jq_str(v, "missing"));
	ck_assert(!jq_int(v, "missing", &i));
	ck_assert(!jq_bool(v, "missing", &bv));
	ck_assert(!jq_is_null(v, "missing"));
	ck_assert_uint_eq(jq_len(v, "missing"), 0);

	/* wrong type: NULL / false */
	ck_assert_ptr_null(jq_str(v, "obj.n"));
	ck_assert(!jq_int(v, "obj.key", &i));
	ck_assert(!jq_bool(v, "obj.n", &bv));
	ck_assert(!jq_is_null(v, "obj.n"));
	ck_assert_uint_eq(jq_len(v, "obj.key"), 0);
	ck_assert_ptr_null(jq_get(NULL, "x"));
}
END_TEST

START_TEST(free_null)
{
	jq_free(NULL);
	v = tu_parse("[]");
	ck_assert_ptr_nonnull(v);
}
END_TEST

Suite *jsonq_suite(void)
{
	Suite *s = suite_create("jsonq");
	TCase *r = tcase_create("reject");
	TCase *a = tcase_create("accept");

	tcase_add_test(r, rejects_trailing_garbage);
	tcase_add_test(r, rejects_unterminated);
	tcase_add_test(r, rejects_control_chars_in_strings);
	tcase_add_test(r, rejects_bad_escapes);
	tcase_add_test(r, rejects_bad_numbers);
	tcase_add_test(r, rejects_lone_surrogates);
	tcase_add_test(r, rejects_invalid_utf8);
	tcase_add_test(r, rejects_bad_structure);
	tcase_add_test(r, rejects_deep_nesting);
	suite_add_tcase(s, r);

	tcase_add_checked_fixture(a, NULL, teardown);
	tcase_add_test(a, accepts_nested);
	tcase_add_test(a, accepts_moderate_nesting);
	tcase_add_test(a, accepts_scalars);
	tcase_add_test(a, escapes_decoded);
	tcase_add_test(a, raw_utf8_accepted);
	tcase_add_test(a, numbers);
	tcase_add_test(a, path_queries);
	tcase_add_test(a, free_null);
	suite_add_tcase(s, a);
	return s;
}
