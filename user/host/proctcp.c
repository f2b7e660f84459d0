// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Listeners from /proc/<pid>/net/tcp{,6} (see proctcp.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "host/procfs.h"
#include "host/procparse.h"
#include "host/proctcp.h"

#define TCP_STATE_SYN_RECV 3

int kw_proc_tcp_listeners(int proc_fd, uint32_t pid, int family, long max_lines,
			  kw_diag_fn fn, void *ctx, uint32_t *truncated)
{
	char line[512];
	bool skipping = false;
	FILE *f;
	int fd;

	fd = kw_proc_openat(proc_fd, pid, family == AF_INET ? "net/tcp" : "net/tcp6",
			    O_RDONLY | O_NOFOLLOW);
	if (fd < 0)
		return fd;
	f = fdopen(fd, "r");
	if (!f) {
		int err = -errno;

		close(fd);
		return err;
	}
	for (long n = 0; fgets(line, sizeof(line), f); n++) {
		bool whole = strchr(line, '\n') != NULL;
		struct kw_diag_listener l = { 0 };	/* backlog unknown */
		unsigned int state;

		if (n >= max_lines) {
			(*truncated)++;
			break;
		}
		if (skipping) {		/* the rest of an over-long line */
			skipping = !whole;
			continue;
		}
		skipping = !whole && !feof(f);
		if (kw_parse_proc_net_tcp_line(line, family, &l.local, &state, &l.ino, &l.queued))
			continue;	/* the header, or junk */
		if (state != KW_TCP_STATE_LISTEN) {
			/*
			 * The kernel prints the listening hash first, then the
			 * established one, which holds no listener.  Old
			 * kernels show SYN_RECV requests among the listeners;
			 * anything else means the listeners are done: stop
			 * before walking every connection on a busy host.
			 */
			if (state != TCP_STATE_SYN_RECV)
				break;
			continue;
		}
		fn(ctx, &l);
	}
	fclose(f);
	return 0;
}
