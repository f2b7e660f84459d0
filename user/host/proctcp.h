/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The listeners of a process's network namespace as its net/tcp and
 * net/tcp6 print them: the reader for kernels where sock_diag cannot
 * answer (inet_diag is a module, and not every box can load it).  It
 * knows the address, the port, the socket inode and the accept queue's
 * length, not IPV6_V6ONLY nor the backlog.
 */
#ifndef KWHY_PROCTCP_H
#define KWHY_PROCTCP_H

#include <stdint.h>
#include "host/sockdiag.h"

/*
 * Each LISTEN line of /proc/<pid>/net/tcp (family AF_INET) or net/tcp6
 * (AF_INET6) into fn, as a kw_diag_listener with its accept queue's
 * length (the rx_queue column), backlog_known false and v6only false.  At most max_lines lines are read; *truncated is bumped when
 * the file had more.  0, or -errno when the file cannot be opened.
 */
int kw_proc_tcp_listeners(int proc_fd, uint32_t pid, int family, long max_lines,
			  kw_diag_fn fn, void *ctx, uint32_t *truncated);

#endif
