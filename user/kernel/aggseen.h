/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Remembers, per aggregation key, how many suppressed repeats were already
 * reported, so each drain reports only the new ones.  The kernel's counter
 * is monotonic and never reset from userspace (a reset would race with
 * increments and lose counts).  Fixed capacity: keys the kernel's LRU map
 * has evicted are dropped when the table is compacted.
 */
#ifndef KWHY_AGGSEEN_H
#define KWHY_AGGSEEN_H

#include <linux/types.h>
#include <stdint.h>
#include "kwhy/events.h"

#define KW_AGG_SEEN_SLOTS 32768	/* twice the kernel map's entries */

struct kw_agg_seen_slot {
	struct kw_agg_key key;
	uint64_t reported;	/* suppressed count already reported */
	uint32_t pass;		/* last drain pass that saw the key */
	uint32_t used;
};

struct kw_agg_seen {
	struct kw_agg_seen_slot *slots;
	uint32_t nr_used;
	uint32_t pass;
};

int kw_agg_seen_init(struct kw_agg_seen *s);
void kw_agg_seen_free(struct kw_agg_seen *s);
void kw_agg_seen_begin_pass(struct kw_agg_seen *s);
/* how many repeats of key are new since the last report */
uint64_t kw_agg_seen_delta(struct kw_agg_seen *s, const struct kw_agg_key *key,
			   uint64_t suppressed);
/* after a pass: forget keys the pass did not see, when the table fills */
void kw_agg_seen_end_pass(struct kw_agg_seen *s);

#endif
