/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * From the cgroup ids BPF reports to paths and containers, by reading this
 * host's cgroup mounts and runtime metadata (container_names.h).  Ids are
 * kernfs node ids: per hierarchy, so the v2 hierarchy and the v1 memory
 * hierarchy are separate id spaces.  Everything read is bounded: a cache
 * of fixed size, walks with a depth and directory budget, capped reads.
 */
#ifndef KWHY_CGROUPS_H
#define KWHY_CGROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kwhy/events.h"

#define KW_CG_CACHE_MAX 4096	/* id -> path entries kept */
#define KW_CG_WALK_DIRS 20000	/* directories visited by one walk */
#define KW_CG_WALK_DEPTH 32
#define KW_CG_PATH_MAX 512	/* longer paths are not cached */
#define KW_CG_MISS_MAX 256	/* ids a walk did not find, not walked for again */

struct kw_cgroups;

/* What the cache did, for tests and stats. */
struct kw_cgroups_counts {
	uint64_t walks;		/* hierarchy walks started by misses */
	uint64_t walk_dirs;	/* directories they visited */
	uint64_t hits;
	uint64_t misses;	/* ids not found even after a walk */
	uint64_t evictions;
	uint32_t entries;	/* entries cached now */
};

/*
 * v2_mount: the cgroup2 mount ("/sys/fs/cgroup", "/sys/fs/cgroup/unified"),
 * memcg_v1_mount: the v1 memory controller's; either NULL or "" when absent.
 * Metadata for names is read under "/" (see kw_cgroups_set_meta_root).
 * NULL when out of memory.
 */
struct kw_cgroups *kw_cgroups_new(const char *v2_mount, const char *memcg_v1_mount);
void kw_cgroups_free(struct kw_cgroups *c);

/* Where the host's /var lives, for runtime metadata: "/" normally, "/host"
 * when kwhy runs in a container with the host's root mounted there. */
void kw_cgroups_set_meta_root(struct kw_cgroups *c, const char *root);

/*
 * The path of cgroup id (relative to its mount, starting with "/") in the
 * v1 memory hierarchy (v1_memory) or the v2 one.  A miss walks the mount
 * once and caches what it saw.  Returns 0, -ENOENT when not found, -ENODEV
 * when that hierarchy is not mounted, -ENAMETOOLONG when len is too small.
 */
int kw_cgroups_path(struct kw_cgroups *c, uint64_t id, bool v1_memory,
		    char *path, size_t len);

/*
 * A KW_EV_CGROUP record for id: clears *out, sets hdr.type and hdr.size
 * (the caller sets timestamps), cgroup_id and v1_memory; when the path is
 * found also path (cut to KW_PATH_LEN), runtime, container_id, name, pod,
 * k8s_namespace and resolved = 1.  Names are read from runtime metadata on
 * each call.  Returns 0 when resolved, else the kw_cgroups_path error.
 */
int kw_cgroups_resolve(struct kw_cgroups *c, uint64_t id, bool v1_memory,
		       struct kw_ev_cgroup *out);

void kw_cgroups_counts(const struct kw_cgroups *c, struct kw_cgroups_counts *out);

/* The mount of the v2 or the v1 memory hierarchy, "" when absent. */
const char *kw_cgroups_mount(const struct kw_cgroups *c, bool v1_memory);

#endif
