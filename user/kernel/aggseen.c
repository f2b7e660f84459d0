// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdlib.h>
#include <string.h>
#include "kernel/aggseen.h"

int kw_agg_seen_init(struct kw_agg_seen *s)
{
	memset(s, 0, sizeof(*s));
	/* calloc'd pages are only touched (and resident) as keys arrive */
	s->slots = calloc(KW_AGG_SEEN_SLOTS, sizeof(*s->slots));
	return s->slots ? 0 : -1;
}

void kw_agg_seen_free(struct kw_agg_seen *s)
{
	free(s->slots);
	s->slots = NULL;
}

static uint32_t hash_key(const struct kw_agg_key *k)
{
	const unsigned char *p = (const unsigned char *)k;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static struct kw_agg_seen_slot *find(struct kw_agg_seen *s, const struct kw_agg_key *k)
{
	uint32_t i = hash_key(k) & (KW_AGG_SEEN_SLOTS - 1);

	for (uint32_t n = 0; n < KW_AGG_SEEN_SLOTS; n++) {
		struct kw_agg_seen_slot *sl = &s->slots[i];

		if (!sl->used || !memcmp(&sl->key, k, sizeof(*k)))
			return sl;
		i = (i + 1) & (KW_AGG_SEEN_SLOTS - 1);
	}
	return NULL;
}

void kw_agg_seen_begin_pass(struct kw_agg_seen *s)
{
	s->pass++;
}

uint64_t kw_agg_seen_delta(struct kw_agg_seen *s, const struct kw_agg_key *key,
			   uint64_t suppressed)
{
	struct kw_agg_seen_slot *sl = s->slots ? find(s, key) : NULL;
	uint64_t delta;

	if (!sl)	/* table full: report everything, remember nothing */
		return suppressed;
	if (!sl->used) {
		sl->used = 1;
		sl->key = *key;
		sl->reported = 0;
		s->nr_used++;
	}
	delta = suppressed >= sl->reported ? suppressed - sl->reported : suppressed;
	sl->reported = suppressed;
	sl->pass = s->pass;
	return delta;
}

void kw_agg_seen_end_pass(struct kw_agg_seen *s)
{
	struct kw_agg_seen_slot *keep;
	uint32_t n = 0;

	if (!s->slots || s->nr_used < KW_AGG_SEEN_SLOTS / 2)
		return;
	keep = malloc(sizeof(*keep) * s->nr_used);
	if (!keep)
		return;
	for (uint32_t i = 0; i < KW_AGG_SEEN_SLOTS; i++)
		if (s->slots[i].used && s->slots[i].pass == s->pass)
			keep[n++] = s->slots[i];
	memset(s->slots, 0, sizeof(*s->slots) * KW_AGG_SEEN_SLOTS);
	s->nr_used = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct kw_agg_seen_slot *sl = find(s, &keep[i].key);

		*sl = keep[i];
		s->nr_used++;
	}
	free(keep);
}
