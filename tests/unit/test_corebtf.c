// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* kw_core_btf_cut: the CO-RE target cut from a BTF for an object's names,
 * on a synthetic BTF and on the running kernel's. */
#include <bpf/btf.h>
#include <check.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "kernel/corebtf.h"
#include "suites.h"
#include "testutil.h"

#define VMLINUX_BTF "/sys/kernel/btf/vmlinux"

/* the id of name (kind) in btf, failing the test when absent */
static int must_find(const struct btf *btf, const char *name, int kind)
{
	int id = btf__find_by_name_kind(btf, name, kind);

	ck_assert_msg(id > 0, "%s (kind %d) not in the cut", name, kind);
	return id;
}

/* the type behind modifiers and typedefs */
static const struct btf_type *resolved(const struct btf *btf, int id)
{
	return btf__type_by_id(btf, btf__resolve_type(btf, id));
}

/*
 * src:   int; struct inner { int a; int b:3; }; struct other { int x; };
 *        struct outer { struct inner in; struct other *p; int arr[4];
 *                       const int c; }; typedef struct outer outer_t;
 *        struct unrelated { int y; }; enum e { E1 = 7 };
 *        struct outer___v2 { int z; }  (a flavour in the kernel itself)
 * local: struct outer___kw (a flavour), typedef outer_t, enum e
 */
START_TEST(synthetic)
{
	struct btf *src = btf__new_empty(), *local = btf__new_empty(), *cut;
	const struct btf_type *t, *m;
	int i_int, i_inner, i_other, i_ptr, i_arr, i_const, id;

	ck_assert_ptr_nonnull(src);
	ck_assert_ptr_nonnull(local);
	i_int = btf__add_int(src, "int", 4, BTF_INT_SIGNED);
	i_inner = btf__add_struct(src, "inner", 8);
	btf__add_field(src, "a", i_int, 0, 0);
	btf__add_field(src, "b", i_int, 32, 3);
	i_other = btf__add_struct(src, "other", 4);
	btf__add_field(src, "x", i_int, 0, 0);
	i_arr = btf__add_array(src, i_int, i_int, 4);
	i_const = btf__add_const(src, i_int);
	i_ptr = btf__add_ptr(src, i_other);
	id = btf__add_struct(src, "outer", 40);
	btf__add_field(src, "in", i_inner, 0, 0);
	btf__add_field(src, "p", i_ptr, 64, 0);
	btf__add_field(src, "arr", i_arr, 128, 0);
	btf__add_field(src, "c", i_const, 256, 0);
	btf__add_typedef(src, "outer_t", id);
	btf__add_struct(src, "unrelated", 4);
	btf__add_field(src, "y", i_int, 0, 0);
	btf__add_enum(src, "e", 4);
	btf__add_enum_value(src, "E1", 7);
	btf__add_struct(src, "outer___v2", 4);
	btf__add_field(src, "z", i_int, 0, 0);

	btf__add_struct(local, "outer___kw", 0);
	btf__add_typedef(local, "outer_t", 0);
	btf__add_enum(local, "e", 4);

	cut = kw_core_btf_cut(src, local);
	ck_assert_msg(cut != NULL, "cut failed: %s", strerror(errno));

	/* every candidate of the essential name "outer", flavours too */
	id = must_find(cut, "outer", BTF_KIND_STRUCT);
	must_find(cut, "outer___v2", BTF_KIND_STRUCT);
	must_find(cut, "outer_t", BTF_KIND_TYPEDEF);
	must_find(cut, "e", BTF_KIND_ENUM);
	t = btf__type_by_id(cut, id);
	ck_assert_uint_eq(t->size, 40);
	ck_assert_uint_eq(btf_vlen(t), 4);
	/* by value: struct inner whole, with its bitfield */
	m = resolved(cut, btf_members(t)[0].type);
	ck_assert(btf_is_struct(m));
	ck_assert_str_eq(btf__name_by_offset(cut, m->name_off), "inner");
	ck_assert_uint_eq(btf_member_bit_offset(m, 1), 32);
	ck_assert_uint_eq(btf_member_bitfield_size(m, 1), 3);
	/* behind a field's pointer: void, and struct other is not copied */
	m = btf__type_by_id(cut, btf_members(t)[1].type);
	ck_assert(btf_is_ptr(m));
	ck_assert_uint_eq(m->type, 0);
	ck_assert_int_lt(btf__find_by_name_kind(cut, "other", BTF_KIND_STRUCT), 0);
	ck_assert_uint_eq(btf_member_bit_offset(t, 1), 64);
	/* the array and the const int, at their offsets */
	m = btf__type_by_id(cut, btf_members(t)[2].type);
	ck_assert(btf_is_array(m));
	ck_assert_uint_eq(btf_array(m)->nelems, 4);
	ck_assert_uint_eq(btf_member_bit_offset(t, 3), 256);
	ck_assert(btf_is_const(btf__type_by_id(cut, btf_members(t)[3].type)));
	/* a name the object does not use is left out */
	ck_assert_int_lt(btf__find_by_name_kind(cut, "unrelated", BTF_KIND_STRUCT), 0);
	t = btf__type_by_id(cut, must_find(cut, "e", BTF_KIND_ENUM));
	ck_assert_int_eq(btf_enum(t)[0].val, 7);

	btf__free(cut);
	btf__free(local);
	btf__free(src);
}
END_TEST

/* struct name in the cut and in the kernel: same size, fields, offsets */
static void same_struct(const struct btf *cut, const struct btf *vml, const char *name)
{
	const struct btf_type *a = btf__type_by_id(cut, must_find(cut, name, BTF_KIND_STRUCT));
	const struct btf_type *b = btf__type_by_id(vml, btf__find_by_name_kind(vml, name,
								       BTF_KIND_STRUCT));

	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(a->size, b->size);
	ck_assert_uint_eq(btf_vlen(a), btf_vlen(b));
	for (int i = 0; i < btf_vlen(a); i++) {
		ck_assert_str_eq(btf__name_by_offset(cut, btf_members(a)[i].name_off),
				 btf__name_by_offset(vml, btf_members(b)[i].name_off));
		ck_assert_uint_eq(btf_member_bit_offset(a, i), btf_member_bit_offset(b, i));
		ck_assert_uint_eq(btf_member_bitfield_size(a, i),
				  btf_member_bitfield_size(b, i));
	}
}

START_TEST(running_kernel)
{
	struct btf *vml, *local = btf__new_empty(), *cut;

	/* no silent skip: a machine without kernel BTF fails this test */
	ck_assert_msg(access(VMLINUX_BTF, R_OK) == 0,
		      "%s is not readable (%s): this test needs a kernel with "
		      "CONFIG_DEBUG_INFO_BTF", VMLINUX_BTF, strerror(errno));
	vml = btf__load_vmlinux_btf();
	ck_assert_msg(vml != NULL, "btf__load_vmlinux_btf() failed: %s", strerror(errno));
	btf__add_struct(local, "sock", 0);
	btf__add_struct(local, "task_struct", 0);
	btf__add_struct(local, "sk_buff", 0);
	cut = kw_core_btf_cut(vml, local);
	ck_assert_msg(cut != NULL, "cut failed: %s", strerror(errno));
	same_struct(cut, vml, "sock");
	same_struct(cut, vml, "sock_common");	/* sock's first field, by value */
	same_struct(cut, vml, "task_struct");
	same_struct(cut, vml, "sk_buff");
	/* a small part of the kernel's types: the point of the cut */
	ck_assert_uint_lt(btf__type_cnt(cut), btf__type_cnt(vml) / 10);
	btf__free(cut);
	btf__free(local);
	btf__free(vml);
}
END_TEST

Suite *corebtf_suite(void)
{
	Suite *s = suite_create("corebtf");
	TCase *c = tcase_create("cut");

	tcase_set_timeout(c, 30);
	tcase_add_test(c, synthetic);
	tcase_add_test(c, running_kernel);
	suite_add_tcase(s, c);
	return s;
}
