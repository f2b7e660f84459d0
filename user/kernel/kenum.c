// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <bpf/btf.h>
#include <string.h>
#include "kernel/kenum.h"

void kw_enum_clear(struct kw_enum_table *t)
{
	t->n = 0;
}

int kw_enum_add(struct kw_enum_table *t, uint32_t value, const char *name, const char *prefix)
{
	size_t plen = prefix ? strlen(prefix) : 0;
	struct kw_enum_entry *e;

	if (t->n >= KW_ENUM_MAX)
		return -1;
	if (plen && !strncmp(name, prefix, plen))
		name += plen;
	e = &t->e[t->n++];
	e->value = value;
	strncpy(e->name, name, sizeof(e->name) - 1);
	e->name[sizeof(e->name) - 1] = '\0';
	return 0;
}

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

const char *kw_enum_name(const struct kw_enum_table *t, uint32_t value)
{
	if (!t)
		return NULL;
	for (size_t i = 0; i < t->n; i++)
		if (t->e[i].value == value)
			return t->e[i].name;
	return NULL;
}
