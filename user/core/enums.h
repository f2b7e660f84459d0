/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Names of kernel enums that move between kernels (enum sk_rst_reason,
 * enum skb_drop_reason).  kernel/kenum.c fills a table from the running
 * kernel's BTF (never hard-coded); the table is plain data, so a recorded
 * trace carries it and the pure pipeline reads names from it.
 */
#ifndef KWHY_CORE_ENUMS_H
#define KWHY_CORE_ENUMS_H

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

void kw_enum_clear(struct kw_enum_table *t);
/* add one value; the prefix (e.g. "SK_RST_REASON_") is stripped, and a
 * byte that cannot be in a C identifier becomes '?' */
int kw_enum_add(struct kw_enum_table *t, uint32_t value, const char *name, const char *prefix);
const char *kw_enum_name(const struct kw_enum_table *t, uint32_t value);

struct kw_ev_conn;
/* The name of a reset's reason, or of the drop reason for the kfree_skb
 * source; NULL when the event has none or the table does not know it. */
const char *kw_reset_reason_name(const struct kw_ev_conn *c, const struct kw_enum_table *rst,
				 const struct kw_enum_table *drop);

#endif
