/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A listener's accept queue as the kernel reports it now (sock_diag: the
 * connections waiting for accept() and the backlog, as `ss -lt` shows
 * them), who holds the socket, and its namespace's TcpExt ListenOverflows
 * and ListenDrops (/proc/PID/net/netstat), read when an accept queue
 * overflow or a connect timeout calls for it.
 */
#ifndef KWHY_LISTENQ_H
#define KWHY_LISTENQ_H

#include <stdbool.h>
#include <stdint.h>
#include "core/event.h"
#include "host/cgmounts.h"

#define KW_LISTENQ_MAX_NETNS 64	/* namespaces looked into when searching */

/*
 * Find the listener that takes want and read it into out (cleared; its
 * header left to the caller but for netns_ino).  Where: the network
 * namespace of pid when pid is not 0 (any listener that would take want);
 * else, or when nothing there takes it and search is set, the namespaces of
 * the other processes: the one whose inode is netns when that is not 0
 * (any listener taking want), else one listening on want's very address.
 * 0 with out->found set, or -ESRCH when no listener was found, or another
 * -errno.
 */
int kw_listen_queue_read(const char *proc_root, const struct kw_cgroup_mounts *mounts,
			 uint32_t pid, uint32_t netns, const struct kw_addr *want, bool search,
			 struct kw_ev_listen_queue *out);

#endif
