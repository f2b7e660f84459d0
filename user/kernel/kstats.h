/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What the kernel says of kwhy's BPF side while it runs, for the metrics:
 * how full each ring buffer is (its producer and consumer positions, read
 * through a read-only mapping of the map), and each program's run time and
 * count when kernel.bpf_stats_enabled is on (bpf_obj_get_info_by_fd). */
#ifndef KWHY_KERNEL_KSTATS_H
#define KWHY_KERNEL_KSTATS_H

#include "core/metrics.h"
#include "kernel/loader.h"

struct kw_kstats {
	const struct kw_loader *l;
	void *pos[2];			/* consumer page, then producer page */
	uint64_t size[2];		/* rare, bulk */
	size_t map_len;
};

/* 0, or -errno when a ring could not be mapped (the rest still works) */
int kw_kstats_open(struct kw_kstats *k, const struct kw_loader *l);
void kw_kstats_close(struct kw_kstats *k);
/* rings, bpf_stats and the programs' run times into h */
void kw_kstats_read(struct kw_kstats *k, struct kw_metrics_host *h);

#endif
