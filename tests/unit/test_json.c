// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The streaming JSON writer: commas, nesting and escaping, checked by
 * parsing the output back. */
#include <check.h>
#include <stdint.h>
#include <string.h>
#include "util/json.h"
#include "suites.h"
#include "testutil.h"

static char out[4096];
static struct kw_buf b;
static struct kw_json j;

static void setup(void)
{
	b = (struct kw_buf)KW_BUF_INIT(out);
	kw_buf_reset(&b);
	kw_json_init(&j, &b);
}

START_TEST(empty_object_and_array)
{
	kw_json_obj_begin(&j, NULL);
	kw_json_obj_end(&j);
	ck_assert_str_eq(out, "{}");

	setup();
	kw_json_arr_begin(&j, NULL);
	kw_json_arr_end(&j);
	ck_assert_str_eq(out, "[]");
}
END_TEST

START_TEST(flat_object_commas)
{
	struct jq_val *v;

	kw_json_obj_begin(&j, NULL);
	kw_json_str(&j, "a", "x");
	kw_json_u64(&j, "b", 1);
	kw_json_i64(&j, "c", -2);
	kw_json_bool(&j, "d", true);
	kw_json_bool(&j, "e", false);
	kw_json_null(&j, "f");
	kw_json_obj_end(&j);
	ck_assert_str_eq(out, "{\"a\":\"x\",\"b\":1,\"c\":-2,\"d\":true,\"e\":false,\"f\":null}");
	ck_assert(!b.truncated);

	v = tu_parse(out);
	ck_assert_uint_eq(jq_len(v, ""), 6);
	tu_assert_str(v, "a", "x");
	tu_assert_int(v, "c", -2);
	tu_assert_null(v, "f");
	jq_free(v);
}
END_TEST

START_TEST(nested_structures)
{
	struct jq_val *v;

	kw_json_obj_begin(&j, NULL);
	kw_json_obj_begin(&j, "o");
	kw_json_u64(&j, "x", 1);
	kw_json_obj_end(&j);
	kw_json_arr_begin(&j, "arr");
	kw_json_u64(&j, NULL, 1);
	kw_json_str(&j, NULL, "two");
	kw_json_obj_begin(&j, NULL);
	kw_json_str(&j, "k", "v");
	kw_json_obj_end(&j);
	kw_json_arr_begin(&j, NULL);
	kw_json_arr_end(&j);
	kw_json_obj_begin(&j, NULL);
	kw_json_obj_end(&j);
	kw_json_arr_end(&j);
	kw_json_bool(&j, "after", false);
	kw_json_obj_end(&j);

	ck_assert_str_eq(out, "{\"o\":{\"x\":1},\"arr\":[1,\"two\",{\"k\":\"v\"},[],{}],"
			 "\"after\":false}");
	v = tu_parse(out);
	tu_assert_int(v, "o.x", 1);
	ck_assert_uint_eq(jq_len(v, "arr"), 5);
	tu_assert_int(v, "arr.0", 1);
	tu_assert_str(v, "arr.1", "two");
	tu_assert_str(v, "arr.2.k", "v");
	ck_assert_int_eq(jq_get(v, "arr.3")->type, JQ_ARR);
	ck_assert_int_eq(jq_get(v, "arr.4")->type, JQ_OBJ);
	tu_assert_bool(v, "after", false);
	jq_free(v);
}
END_TEST

START_TEST(array_of_values)
{
	kw_json_arr_begin(&j, NULL);
	kw_json_str(&j, NULL, "a");
	kw_json_u64(&j, NULL, 0);
	kw_json_null(&j, NULL);
	kw_json_bool(&j, NULL, true);
	kw_json_arr_end(&j);
	ck_assert_str_eq(out, "[\"a\",0,null,true]");
}
END_TEST

START_TEST(keys_are_escaped)
{
	static const char key[] = "we\"ird\\key\n\x01\xff";
	struct jq_val *v;

	kw_json_obj_begin(&j, NULL);
	kw_json_u64(&j, key, 7);
	kw_json_obj_end(&j);
	v = tu_parse(out);
	ck_assert_int_eq(v->type, JQ_OBJ);
	ck_assert_uint_eq(v->len, 1);
	/* the key decodes to the same bytes, the invalid 0xff as U+00FF */
	ck_assert_str_eq(v->keys[0], "we\"ird\\key\n\x01\xc3\xbf");
	ck_assert_int_eq(v->items[0]->i, 7);
	jq_free(v);
}
END_TEST

START_TEST(values_are_escaped)
{
	struct jq_val *v;

	kw_json_obj_begin(&j, NULL);
	kw_json_str(&j, "s", "\"}],{\n");
	kw_json_obj_end(&j);
	v = tu_parse(out);
	tu_assert_str(v, "s", "\"}],{\n");
	jq_free(v);
}
END_TEST

START_TEST(str_null_is_json_null)
{
	kw_json_obj_begin(&j, NULL);
	kw_json_str(&j, "s", NULL);
	kw_json_obj_end(&j);
	ck_assert_str_eq(out, "{\"s\":null}");
}
END_TEST

START_TEST(strn_is_bounded)
{
	kw_json_obj_begin(&j, NULL);
	kw_json_strn(&j, "s", "abcdef", 3);
	kw_json_strn(&j, "t", "ab\0cd", 5);
	kw_json_obj_end(&j);
	ck_assert_str_eq(out, "{\"s\":\"abc\",\"t\":\"ab\"}");
}
END_TEST

START_TEST(integer_extremes)
{
	struct jq_val *v;

	kw_json_obj_begin(&j, NULL);
	kw_json_u64(&j, "umax", UINT64_MAX);
	kw_json_i64(&j, "imin", INT64_MIN);
	kw_json_i64(&j, "imax", INT64_MAX);
	kw_json_u64(&j, "zero", 0);
	kw_json_obj_end(&j);
	ck_assert_str_eq(out, "{\"umax\":18446744073709551615,\"imin\":-9223372036854775808,"
			 "\"imax\":9223372036854775807,\"zero\":0}");
	v = tu_parse(out);
	tu_assert_int(v, "imin", INT64_MIN);
	tu_assert_int(v, "imax", INT64_MAX);
	jq_free(v);
}
END_TEST

/* nested up to the writer's maximum depth, with siblings at every level */
START_TEST(deep_nesting_to_max)
{
	struct jq_val *v;
	const int levels = KW_JSON_MAX_DEPTH - 1;
	char path[128] = "";

	for (int i = 0; i < levels; i++) {
		kw_json_arr_begin(&j, NULL);
		kw_json_u64(&j, NULL, i);
	}
	for (int i = 0; i < levels; i++) {
		kw_json_u64(&j, NULL, 100 + i);
		kw_json_arr_end(&j);
	}
	ck_assert(!b.truncated);
	v = tu_parse(out);
	/* innermost array: [14, 100] */
	for (int i = 0; i < levels - 1; i++)
		strcat(path, i ? ".1" : "1");
	ck_assert_uint_eq(jq_len(v, path), 2);
	jq_free(v);
}
END_TEST

/* deeper than the maximum the writer tracks: still valid JSON */
START_TEST(deep_nesting_beyond_max)
{
	const int levels = KW_JSON_MAX_DEPTH + 4;

	kw_json_obj_begin(&j, NULL);
	for (int i = 0; i < levels; i++) {
		kw_json_arr_begin(&j, "a");
		kw_json_obj_begin(&j, NULL);
		kw_json_u64(&j, "x", i);
	}
	for (int i = 0; i < levels; i++) {
		kw_json_u64(&j, "y", i);
		kw_json_obj_end(&j);
		kw_json_u64(&j, NULL, i);
		kw_json_arr_end(&j);
	}
	kw_json_u64(&j, "end", 1);
	kw_json_obj_end(&j);
	ck_assert_msg(tu_is_json(out), "invalid JSON: %s", out);
}
END_TEST

START_TEST(truncation_flagged_no_overflow)
{
	char small[24 + 16];
	struct kw_buf sb = { .p = small, .cap = 24 };

	memset(small, 'Z', sizeof(small));
	kw_buf_reset(&sb);
	kw_json_init(&j, &sb);
	kw_json_obj_begin(&j, NULL);
	kw_json_str(&j, "a_long_key", "a long value that does not fit");
	kw_json_obj_end(&j);
	ck_assert(sb.truncated);
	ck_assert_uint_eq(sb.len, 23);
	ck_assert_int_eq(small[23], '\0');
	for (size_t i = 24; i < sizeof(small); i++)
		ck_assert_int_eq(small[i], 'Z');
}
END_TEST

Suite *json_suite(void)
{
	Suite *s = suite_create("json");
	TCase *t = tcase_create("writer");

	tcase_add_checked_fixture(t, setup, NULL);
	tcase_add_test(t, empty_object_and_array);
	tcase_add_test(t, flat_object_commas);
	tcase_add_test(t, nested_structures);
	tcase_add_test(t, array_of_values);
	tcase_add_test(t, keys_are_escaped);
	tcase_add_test(t, values_are_escaped);
	tcase_add_test(t, str_null_is_json_null);
	tcase_add_test(t, strn_is_bounded);
	tcase_add_test(t, integer_extremes);
	tcase_add_test(t, deep_nesting_to_max);
	tcase_add_test(t, deep_nesting_beyond_max);
	tcase_add_test(t, truncation_flagged_no_overflow);
	suite_add_tcase(s, t);
	return s;
}
