// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Ring buffer fill and BPF run time: see kstats.h. */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "kernel/kstats.h"
#include "kwhy.skel.h"

#define BPF_STATS_SYSCTL "/proc/sys/kernel/bpf_stats_enabled"

int kw_kstats_open(struct kw_kstats *k, const struct kw_loader *l)
{
	const struct bpf_map *maps[2] = { l->skel->maps.kw_rb_rare, l->skel->maps.kw_rb_bulk };
	long page = sysconf(_SC_PAGESIZE);
	int err = 0;

	memset(k, 0, sizeof(*k));
	k->l = l;
	k->map_len = 2 * page;
	for (int i = 0; i < 2; i++) {
		/* read-only: the kernel allows any range then, and it is
		 * libbpf's reader that moves the consumer position */
		void *p = mmap(NULL, k->map_len, PROT_READ, MAP_SHARED, bpf_map__fd(maps[i]), 0);

		if (p == MAP_FAILED) {
			err = -errno;
			continue;
		}
		k->pos[i] = p;
		k->size[i] = bpf_map__max_entries(maps[i]);
	}
	return err;
}

void kw_kstats_close(struct kw_kstats *k)
{
	for (int i = 0; i < 2; i++)
		if (k->pos[i])
			munmap(k->pos[i], k->map_len);
	memset(k, 0, sizeof(*k));
}

static int bpf_stats_enabled(void)
{
	FILE *f = fopen(BPF_STATS_SYSCTL, "re");
	int v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

void kw_kstats_read(struct kw_kstats *k, struct kw_metrics_host *h)
{
	long page = (long)k->map_len / 2;
	struct bpf_program *prog;

	h->have_rings = k->pos[0] && k->pos[1];
	for (int i = 0; i < 2 && h->have_rings; i++) {
		const unsigned long *cons = k->pos[i];
		const unsigned long *prod = (const void *)((const char *)k->pos[i] + page);
		unsigned long c = __atomic_load_n(cons, __ATOMIC_ACQUIRE);
		unsigned long p = __atomic_load_n(prod, __ATOMIC_ACQUIRE);

		h->ring_size[i] = k->size[i];
		h->ring_used[i] = p > c ? p - c : 0;
	}
	h->bpf_stats = bpf_stats_enabled();
	h->n_progs = 0;
	if (h->bpf_stats != 1)
		return;
	bpf_object__for_each_program(prog, k->l->skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		struct kw_metrics_prog *mp;
		int fd = bpf_program__fd(prog);

		if (fd < 0 || h->n_progs == KW_METRICS_PROGS ||
		    bpf_obj_get_info_by_fd(fd, &info, &len))
			continue;
		mp = &h->progs[h->n_progs++];
		snprintf(mp->name, sizeof(mp->name), "%s", bpf_program__name(prog));
		mp->run_ns = info.run_time_ns;
		mp->run_cnt = info.run_cnt;
	}
}
