/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Walking the processes of a /proc: every pid with the network namespace
 * it is in, and the sockets a process holds.  Both walks are bounded; what
 * a bound cut short is counted in *truncated.
 */
#ifndef KWHY_PIDWALK_H
#define KWHY_PIDWALK_H

#include <stddef.h>
#include <stdint.h>

#define KW_PIDWALK_MAX_PIDS 100000	/* processes examined */
#define KW_PIDWALK_MAX_FDS 65536	/* fds examined per process */

struct kw_pid_netns {
	uint32_t pid;
	uint64_t netns;		/* inode of <pid>/ns/net, 0 when unknown */
};

/*
 * Every pid below proc_fd (a kw_proc_open_root fd) with its namespace,
 * sorted by (netns, pid) so each namespace is one run.  *pids is malloc'd
 * (NULL when there are none).  0 or -errno.
 */
int kw_pidwalk_netns(int proc_fd, struct kw_pid_netns **pids, size_t *nr, uint32_t *truncated);

/* Called for each "socket:[N]" link among the fds of pid. */
typedef void (*kw_pid_socket_fn)(void *ctx, uint32_t pid, uint64_t sock_ino);

/* The sockets pid holds, in fd order (the same socket once per fd). */
void kw_pid_sockets(int proc_fd, uint32_t pid, kw_pid_socket_fn fn, void *ctx,
		    uint32_t *truncated);

#endif
