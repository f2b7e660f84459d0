/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The biggest processes of a memory cgroup that just OOM-killed, read while
 * they are still there: cgroup.procs of it and its descendants, then each
 * pid's status.  Bounded in pids, status reads and cgroups.
 */
#ifndef KWHY_MEMCG_TOP_H
#define KWHY_MEMCG_TOP_H

#include <stdbool.h>
#include <stdint.h>
#include "host/cgroups.h"
#include "kwhy/events.h"

#define KW_MEMCG_MAX_PIDS (1u << 20)	/* pids counted */
#define KW_MEMCG_MAX_STATUS 16384	/* /proc/<pid>/status files read */
#define KW_MEMCG_WALK_DIRS 4096		/* cgroups read below the memcg */

/*
 * The biggest processes, by RSS, in memory cgroup memcg_id and all its
 * descendants: fills out->procs (biggest first), nr, total_procs,
 * usage_bytes (memory.usage_in_bytes on v1, memory.current on v2),
 * cgroup_id, hdr.type and hdr.size; the caller sets timestamps.  The
 * processes' status is read below proc_root (NULL: KW_PROC_ROOT).
 * Returns 0 or the kw_cgroups_path error.
 */
int kw_memcg_top_procs(struct kw_cgroups *c, const char *proc_root, uint64_t memcg_id, bool v1,
		       struct kw_ev_memcg_procs *out);

#endif
