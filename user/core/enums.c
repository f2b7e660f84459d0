// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>
#include "core/enums.h"
#include "kwhy/events.h"

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
	/* the names are C identifiers; a trace's header may say anything, and
	 * the names go into text, JSON, HTML and metric labels alike */
	for (char *c = e->name; *c; c++)
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		      (*c >= '0' && *c <= '9') || *c == '_'))
			*c = '?';
	return 0;
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

const char *kw_reset_reason_name(const struct kw_ev_conn *c, const struct kw_enum_table *rst,
				 const struct kw_enum_table *drop)
{
	if (!c->has_reason)
		return NULL;
	if (c->source == KW_SRC_KFREE_SKB)
		return kw_enum_name(drop, c->reason);
	return kw_enum_name(rst, c->reason);
}
