/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Kernel enum names (enum sk_rst_reason, enum skb_drop_reason) read from the
 * running kernel's BTF, never hard-coded. */
#ifndef KWHY_KENUM_H
#define KWHY_KENUM_H

#include "core/enums.h"

struct btf;

/* load every value of `enum enum_name` from btf; returns the count or -1 */
int kw_enum_load(struct kw_enum_table *t, const struct btf *btf, const char *enum_name,
		 const char *prefix);

#endif
