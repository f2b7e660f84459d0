/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Who holds a listening socket now, read from /proc the way `ss -p` does:
 * the listeners on a port in a process's network namespace (sock_diag),
 * then every process of that namespace with an fd on that socket.  A
 * prefork server's workers inherit the socket, so the process that opened
 * it may be gone while the port stays taken: this names who has it.
 */
#ifndef KWHY_SOCKHOLDERS_H
#define KWHY_SOCKHOLDERS_H

#include <stdint.h>
#include "core/event.h"
#include "host/cgmounts.h"
#include "host/sockdiag.h"

/*
 * The holders of the listener on want's port (any address; the one whose
 * address would take want's first) in the network namespace whose inode is
 * netns, below proc_root, into out (cleared; its header left to the
 * caller).  The namespace is entered through hint when hint lives there,
 * else through any of its processes; skip_tgid (a process that just died,
 * 0 for none) is never counted.  0, or -ESRCH when nothing listens there
 * or nobody is left in the namespace, or another -errno.
 */
int kw_sock_holders(const char *proc_root, const struct kw_cgroup_mounts *mounts,
		    uint64_t netns, uint32_t hint, uint32_t skip_tgid, const struct kw_addr *want,
		    struct kw_ev_sock_holders *out);

/* The same, also giving the listener found (its queue and backlog; the
 * backlog unknown where sock_diag cannot answer and /proc/net/tcp is read
 * instead), when it matches want at least this well:
 * 1 the port only, 2 a wildcard address of want's family, 3 want's very
 * address (-ESRCH otherwise). */
int kw_sock_holders_diag(const char *proc_root, const struct kw_cgroup_mounts *mounts,
			 uint64_t netns, uint32_t hint, uint32_t skip_tgid,
			 const struct kw_addr *want, int min_score, struct kw_ev_sock_holders *out,
			 struct kw_diag_listener *found);

#endif
