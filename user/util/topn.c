// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The N biggest, in place (see topn.h). */
#include <string.h>
#include "util/topn.h"

int kw_top_slot(void *items, size_t size, uint32_t *n, uint32_t cap, uint64_t key,
		kw_top_key_fn *key_of)
{
	char *a = items;
	uint32_t i = *n;

	if (i >= cap) {
		if (!cap || key <= key_of(a + (size_t)(cap - 1) * size))
			return -1;
		i = cap - 1;
	} else {
		(*n)++;
	}
	for (; i > 0 && key_of(a + (size_t)(i - 1) * size) < key; i--)
		memcpy(a + (size_t)i * size, a + (size_t)(i - 1) * size, size);
	return (int)i;
}
