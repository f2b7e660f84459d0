// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Kernel enum names from the running kernel's BTF, into a core/enums.h table. */
#include <bpf/btf.h>
#include "kernel/kenum.h"

int kw_enum_load(struct kw_enum_table *t, const struct btf *btf, const char *enum_name,
		 const char *prefix)
{
	const struct btf_type *type;
	const struct btf_enum *vals;
	int id, added = 0;

	kw_enum_clear(t);
	id = btf__find_by_name_kind(btf, enum_name, BTF_KIND_ENUM);
	if (id < 0)
		return -1;
	type = btf__type_by_id(btf, id);
	vals = btf_enum(type);
	for (int i = 0; i < btf_vlen(type); i++) {
		if (kw_enum_add(t, vals[i].val, btf__name_by_offset(btf, vals[i].name_off),
				prefix))
			break;
		added++;
	}
	return added;
}
