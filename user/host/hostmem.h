/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The host's memory when it ran out: /proc/meminfo and the biggest
 * top-level memory cgroups, read when a host-wide OOM kill arrives.
 * Bounded: one small file, and at most KW_HOST_MEM_DIRS cgroups.
 */
#ifndef KWHY_HOSTMEM_H
#define KWHY_HOSTMEM_H

#include <stdbool.h>
#include "kwhy/events.h"

#define KW_HOST_MEM_DIRS 1024	/* top-level cgroups visited */

/*
 * A KW_EV_HOST_MEM record: clears *out, sets hdr.type and hdr.size (the
 * caller sets timestamps and victim_pid), the meminfo fields read below
 * proc_root (NULL: KW_PROC_ROOT) and the biggest children of the memory
 * hierarchy mounted at cg_mount (the v1 memory controller's when v1;
 * NULL or "": none) by usage.  What cannot be read is left out: zeros,
 * has_meminfo 0, nr_cgroups 0.
 */
void kw_host_mem_read(const char *proc_root, const char *cg_mount, bool v1,
		      struct kw_ev_host_mem *out);

#endif
