/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Names of kernel enums that move between kernels (enum sk_rst_reason,
 * enum skb_drop_reason): read from the running kernel's BTF, never
 * hard-coded.  A table is plain data so a recorded trace can carry it.
 */
#ifndef KWHY_KENUM_H
#define KWHY_KENUM_H

#include <stddef.h>
#include <stdint.h>

#define KW_ENUM_MAX 512
#define KW_ENUM_NAME_LEN 48

struct kw_enum_entry {
	uint32_t value;
	char name[KW_ENUM_NAME_LEN];
};

struct kw_enum_table {
	size_t n;
	struct kw_enum_entry e[KW_ENUM_MAX];
};

struct btf;

void kw_enum_clear(struct kw_enum_table *t);
/* add one value; the prefix (e.g. "SK_RST_REASON_") is stripped */
int kw_enum_add(struct kw_enum_table *t, uint32_t value, const char *name, const char *prefix);
/* load every value of `enum enum_name` from btf; returns the count or -1 */
int kw_enum_load(struct kw_enum_table *t, const struct btf *btf, const char *enum_name,
		 const char *prefix);
const char *kw_enum_name(const struct kw_enum_table *t, uint32_t value);

#endif
