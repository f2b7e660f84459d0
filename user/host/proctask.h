/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A process's identity as BPF would report it, read from /proc instead:
 * comm, uid, network and mount namespaces, the cgroup v2 id and the memory
 * cgroup id.  For processes that were there before kwhy (the snapshot).
 */
#ifndef KWHY_PROCTASK_H
#define KWHY_PROCTASK_H

#include <stdint.h>
#include "core/event.h"
#include "host/cgmounts.h"

/*
 * Fill t for pid below proc_fd (t is cleared; pid and tgid are pid).  The
 * cgroup ids are the inodes of the directories /proc/PID/cgroup names
 * under mounts; the memory cgroup is the v1 memory hierarchy's when it is
 * mounted (memcg_hier set), else the nearest v2 ancestor with the memory
 * controller.  What cannot be read stays 0.
 */
void kw_proc_task(int proc_fd, const struct kw_cgroup_mounts *mounts, uint32_t pid,
		  struct kw_task *t);

#endif
