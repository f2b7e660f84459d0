/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The start-up snapshot of listening UNIX sockets: every network
 * namespace a process is in is asked by sock_diag (host/unixdiag.h), the
 * holders of each socket found through /proc/<pid>/fd, and one
 * KW_EV_UNIX_LISTEN record (source KW_UL_SNAPSHOT, flags KW_F_SNAPSHOT |
 * KW_F_NETNS, KW_F_TASK with the lowest pid holding it) emitted per
 * socket, stamped with the time the scan began.  Bounded as the TCP
 * snapshot is (host/snapshot.h).
 */
#ifndef KWHY_UNIXSNAP_H
#define KWHY_UNIXSNAP_H

#include <stddef.h>
#include "host/snapshot.h"

#define KW_UNIX_SNAP_MAX 16384	/* listeners kept */

/* The number of records emitted, or -errno (nothing emitted then). */
int kw_unix_snapshot(const char *proc_root, kw_emit_fn emit, void *ctx);

#endif
