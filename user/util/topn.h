/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Keeping the N biggest of a stream of items, biggest first, in a fixed
 * array: a memory cgroup's processes by RSS, the host's cgroups by usage.
 */
#ifndef KWHY_TOPN_H
#define KWHY_TOPN_H

#include <stddef.h>
#include <stdint.h>

typedef uint64_t kw_top_key_fn(const void *item);

/*
 * The slot for an item whose size is key among items[0..*n), each `size`
 * bytes, sorted biggest first, at most cap of them: the smaller ones move
 * down one to make room (the last of a full array falls off) and *n grows
 * when there was room; the caller stores the item there.  -1 when the
 * array is full of items at least as big.  key_of gives an item's size.
 */
int kw_top_slot(void *items, size_t size, uint32_t *n, uint32_t cap, uint64_t key,
		kw_top_key_fn *key_of);

#endif
