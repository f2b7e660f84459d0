/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The container runtimes on this host, for `kwhy doctor`: Docker,
 * containerd, CRI-O and podman, found by their sockets and metadata
 * directories under the host root; their cgroup driver and layout from
 * the cgroup of one running container (/proc), when one runs; whether
 * kwhy can read their containers' names.
 */
#ifndef KWHY_RUNTIMES_H
#define KWHY_RUNTIMES_H

#include "core/runtimes.h"

#define KW_RUNTIMES_PROCS_MAX 20000	/* processes read for the layouts */

/* Every runtime of KW_RUNTIMES_N, in a fixed order; root NULL is "/". */
void kw_runtimes_find(const char *root, const char *proc_root,
		      struct kw_runtime_found out[KW_RUNTIMES_N]);

#endif
