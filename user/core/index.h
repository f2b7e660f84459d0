/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A chained hash index over the slots of a fixed table: bucket heads and
 * one link per slot, doubly linked so a slot leaves its chain in O(1) and
 * a slot moved elsewhere in the table keeps its place in the chain.
 * Links and heads hold slot + 1; 0 ends a chain (zeroed memory is an
 * empty index).  A bucket may hold other keys: walkers compare keys.
 */
#ifndef KWHY_CORE_INDEX_H
#define KWHY_CORE_INDEX_H

#include <stdint.h>

struct kw_ix_link {
	uint32_t next, prev;
};

/* slot goes first in the chain at *head */
static inline void kw_ix_add(uint32_t *head, struct kw_ix_link *lk, uint32_t slot)
{
	lk[slot].prev = 0;
	lk[slot].next = *head;
	if (*head)
		lk[*head - 1].prev = slot + 1;
	*head = slot + 1;
}

static inline void kw_ix_del(uint32_t *head, struct kw_ix_link *lk, uint32_t slot)
{
	const struct kw_ix_link l = lk[slot];

	if (l.prev)
		lk[l.prev - 1].next = l.next;
	else
		*head = l.next;
	if (l.next)
		lk[l.next - 1].prev = l.prev;
}

/* the entry of slot from moved to slot to, at the same place in its chain */
static inline void kw_ix_move(uint32_t *head, struct kw_ix_link *lk, uint32_t from, uint32_t to)
{
	const struct kw_ix_link l = lk[from];

	lk[to] = l;
	if (l.prev)
		lk[l.prev - 1].next = to + 1;
	else
		*head = to + 1;
	if (l.next)
		lk[l.next - 1].prev = to + 1;
}

/* for each slot s in the chain starting at head (s is a uint32_t) */
#define KW_IX_FOR(s, head, lk) \
	for (uint32_t s##_n = (head); s##_n && ((s = s##_n - 1), 1); s##_n = (lk)[s].next)

/* a 32-bit mix (murmur3's finaliser) for bucket numbers */
static inline uint32_t kw_ix_hash(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	x *= 0xc2b2ae35u;
	x ^= x >> 16;
	return x;
}

static inline uint32_t kw_ix_hash64(uint64_t x)
{
	return kw_ix_hash((uint32_t)x ^ kw_ix_hash((uint32_t)(x >> 32)));
}

#endif
