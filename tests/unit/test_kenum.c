// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* kw_enum tables: kernel enum names, synthetic and from the running
 * kernel's BTF. */
#include <bpf/btf.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "kernel/kenum.h"
#include "suites.h"
#include "testutil.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

static struct kw_enum_table t;

static void setup(void)
{
	memset(&t, 0x5a, sizeof(t));
	kw_enum_clear(&t);
}

START_TEST(add_strips_prefix)
{
	ck_assert_int_eq(kw_enum_add(&t, 1, "SK_RST_REASON_NO_SOCKET", "SK_RST_REASON_"), 0);
	ck_assert_uint_eq(t.n, 1);
	ck_assert_uint_eq(t.e[0].value, 1);
	ck_assert_str_eq(t.e[0].name, "NO_SOCKET");
	ck_assert_str_eq(kw_enum_name(&t, 1), "NO_SOCKET");
}
END_TEST

START_TEST(add_keeps_other_names)
{
	/* no prefix match: the name is kept whole */
	kw_enum_add(&t, 2, "OTHER_NAME", "SK_RST_REASON_");
	kw_enum_add(&t, 3, "SK_RST", "SK_RST_REASON_");	/* shorter than the prefix */
	kw_enum_add(&t, 4, "NO_PREFIX", NULL);
	kw_enum_add(&t, 5, "EMPTY_PREFIX", "");
	ck_assert_str_eq(kw_enum_name(&t, 2), "OTHER_NAME");
	ck_assert_str_eq(kw_enum_name(&t, 3), "SK_RST");
	ck_assert_str_eq(kw_enum_name(&t, 4), "NO_PREFIX");
	ck_assert_str_eq(kw_enum_name(&t, 5), "EMPTY_PREFIX");
}
END_TEST

START_TEST(name_lookup)
{
	kw_enum_add(&t, 0, "SKB_DROP_REASON_NOT_DROPPED_YET", "SKB_DROP_REASON_");
	kw_enum_add(&t, 2, "SKB_DROP_REASON_NOT_SPECIFIED", "SKB_DROP_REASON_");
	kw_enum_add(&t, 3, "SKB_DROP_REASON_NO_SOCKET", "SKB_DROP_REASON_");
	kw_enum_add(&t, 0x80000000u, "SKB_DROP_REASON_HIGH", "SKB_DROP_REASON_");
	ck_assert_str_eq(kw_enum_name(&t, 0), "NOT_DROPPED_YET");
	ck_assert_str_eq(kw_enum_name(&t, 2), "NOT_SPECIFIED");
	ck_assert_str_eq(kw_enum_name(&t, 3), "NO_SOCKET");
	ck_assert_str_eq(kw_enum_name(&t, 0x80000000u), "HIGH");
	ck_assert_ptr_null(kw_enum_name(&t, 1));
	ck_assert_ptr_null(kw_enum_name(&t, 4));
	ck_assert_ptr_null(kw_enum_name(&t, 0xffffffffu));
}
END_TEST

START_TEST(empty_and_null_tables)
{
	ck_assert_ptr_null(kw_enum_name(&t, 0));
	ck_assert_ptr_null(kw_enum_name(NULL, 0));
	kw_enum_add(&t, 7, "X", NULL);
	kw_enum_clear(&t);
	ck_assert_uint_eq(t.n, 0);
	ck_assert_ptr_null(kw_enum_name(&t, 7));
}
END_TEST

START_TEST(long_name_truncated)
{
	char name[100];

	memset(name, 'N', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	ck_assert_int_eq(kw_enum_add(&t, 9, name, NULL), 0);
	ck_assert_uint_eq(strlen(kw_enum_name(&t, 9)), KW_ENUM_NAME_LEN - 1);
	ck_assert_int_eq(strncmp(kw_enum_name(&t, 9), name, KW_ENUM_NAME_LEN - 1), 0);
}
END_TEST

START_TEST(capacity_bound)
{
	char name[32];

	for (uint32_t i = 0; i < KW_ENUM_MAX; i++) {
		snprintf(name, sizeof(name), "P_V%u", i);
		ck_assert_int_eq(kw_enum_add(&t, i, name, "P_"), 0);
	}
	ck_assert_uint_eq(t.n, KW_ENUM_MAX);
	ck_assert_int_eq(kw_enum_add(&t, KW_ENUM_MAX, "P_MORE", "P_"), -1);
	ck_assert_int_eq(kw_enum_add(&t, KW_ENUM_MAX + 1, "P_MORE", "P_"), -1);
	ck_assert_uint_eq(t.n, KW_ENUM_MAX);
	ck_assert_str_eq(kw_enum_name(&t, 0), "V0");
	ck_assert_str_eq(kw_enum_name(&t, KW_ENUM_MAX - 1), "V511");
	ck_assert_ptr_null(kw_enum_name(&t, KW_ENUM_MAX));
}
END_TEST

/* ---- the running kernel's BTF ---- */

static struct btf *load_vmlinux(void)
{
	struct btf *btf;

	/* no silent skip: a machine without kernel BTF fails these tests */
	ck_assert_msg(access(VMLINUX_BTF, R_OK) == 0,
		      "%s is not readable (%s): this test needs a kernel with "
		      "CONFIG_DEBUG_INFO_BTF", VMLINUX_BTF, strerror(errno));
	btf = btf__load_vmlinux_btf();
	ck_assert_msg(btf != NULL, "btf__load_vmlinux_btf() failed: %s", strerror(errno));
	return btf;
}

START_TEST(btf_rst_reason)
{
	struct btf *btf = load_vmlinux();
	int n;

	if (btf__find_by_name_kind(btf, "sk_rst_reason", BTF_KIND_ENUM) < 0) {
		/* older kernels: tcp_send_reset has no reason; load must say so */
		ck_assert_int_eq(kw_enum_load(&t, btf, "sk_rst_reason", "SK_RST_REASON_"), -1);
		ck_assert_uint_eq(t.n, 0);
		btf__free(btf);
		return;
	}
	n = kw_enum_load(&t, btf, "sk_rst_reason", "SK_RST_REASON_");
	ck_assert_int_gt(n, 1);
	ck_assert_uint_eq(t.n, (size_t)n);
	ck_assert_pstr_eq(kw_enum_name(&t, 1), "NO_SOCKET");
	for (size_t i = 0; i < t.n; i++)
		ck_assert_msg(strncmp(t.e[i].name, "SK_RST_REASON_", 14), "prefix kept: %s",
			      t.e[i].name);
	btf__free(btf);
}
END_TEST

START_TEST(btf_drop_reason)
{
	struct btf *btf = load_vmlinux();
	const char *name;
	uint32_t no_socket = 0;
	bool found = false;
	int n;

	n = kw_enum_load(&t, btf, "skb_drop_reason", "SKB_DROP_REASON_");
	ck_assert_msg(n > 0, "enum skb_drop_reason not in this kernel's BTF");
	ck_assert_uint_eq(t.n, (size_t)n);
	for (size_t i = 0; i < t.n; i++) {
		ck_assert_msg(strncmp(t.e[i].name, "SKB_DROP_REASON_", 16), "prefix kept: %s",
			      t.e[i].name);
		if (!strcmp(t.e[i].name, "NO_SOCKET")) {
			no_socket = t.e[i].value;
			found = true;
		}
	}
	ck_assert_msg(found, "skb_drop_reason has no NO_SOCKET entry (%d values)", n);
	name = kw_enum_name(&t, no_socket);
	ck_assert_pstr_eq(name, "NO_SOCKET");
	btf__free(btf);
}
END_TEST

START_TEST(btf_unknown_enum)
{
	struct btf *btf = load_vmlinux();

	kw_enum_add(&t, 1, "STALE", NULL);
	ck_assert_int_eq(kw_enum_load(&t, btf, "kwhy_no_such_enum", "X_"), -1);
	ck_assert_uint_eq(t.n, 0);	/* cleared, nothing stale left */
	ck_assert_ptr_null(kw_enum_name(&t, 1));
	btf__free(btf);
}
END_TEST

Suite *kenum_suite(void)
{
	Suite *s = suite_create("kenum");
	TCase *c = tcase_create("table");
	TCase *b = tcase_create("btf");

	tcase_add_checked_fixture(c, setup, NULL);
	tcase_add_test(c, add_strips_prefix);
	tcase_add_test(c, add_keeps_other_names);
	tcase_add_test(c, name_lookup);
	tcase_add_test(c, empty_and_null_tables);
	tcase_add_test(c, long_name_truncated);
	tcase_add_test(c, capacity_bound);
	suite_add_tcase(s, c);

	tcase_add_checked_fixture(b, setup, NULL);
	tcase_set_timeout(b, 30);
	tcase_add_test(b, btf_rst_reason);
	tcase_add_test(b, btf_drop_reason);
	tcase_add_test(b, btf_unknown_enum);
	suite_add_tcase(s, b);
	return s;
}
