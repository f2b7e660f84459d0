// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The bounded walks of /proc's processes and their fds (see pidwalk.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "host/pidwalk.h"
#include "host/procfs.h"
#include "host/procparse.h"

/* non-pid entries of /proc ("self", "sys", ...) read beyond the pid bound */
#define NON_PID_ENTRIES 4096

static int cmp_pid_ns(const void *a, const void *b)
{
	const struct kw_pid_netns *x = a, *y = b;

	if (x->netns != y->netns)
		return x->netns < y->netns ? -1 : 1;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* Room for one more pid: grows by doubling up to the bound. */
static int grow(struct kw_pid_netns **pids, size_t nr, size_t *cap)
{
	size_t ncap = *cap ? *cap * 2 : 1024;
	struct kw_pid_netns *np;

	if (nr < *cap)
		return 0;
	if (ncap > KW_PIDWALK_MAX_PIDS)
		ncap = KW_PIDWALK_MAX_PIDS;
	np = realloc(*pids, ncap * sizeof(*np));
	if (!np)
		return -ENOMEM;
	*pids = np;
	*cap = ncap;
	return 0;
}

int kw_pidwalk_netns(int proc_fd, struct kw_pid_netns **pids, size_t *nr, uint32_t *truncated)
{
	size_t cap = 0;
	struct dirent *de;
	DIR *d;
	int fd = openat(proc_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	*pids = NULL;
	*nr = 0;
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		int err = -errno;

		close(fd);
		return err;
	}
	/* bounded: non-pid entries are few, pids stop at KW_PIDWALK_MAX_PIDS */
	for (size_t seen = 0; (de = readdir(d)) != NULL; seen++) {
		struct stat st;
		uint32_t pid;

		if (seen >= KW_PIDWALK_MAX_PIDS + NON_PID_ENTRIES) {
			(*truncated)++;
			break;
		}
		if (kw_parse_pid(de->d_name, &pid))
			continue;
		if (*nr >= KW_PIDWALK_MAX_PIDS) {
			(*truncated)++;
			break;
		}
		if (grow(pids, *nr, &cap)) {
			closedir(d);
			free(*pids);
			*pids = NULL;
			*nr = 0;
			return -ENOMEM;
		}
		(*pids)[*nr] = (struct kw_pid_netns){ .pid = pid };
		if (!kw_proc_statat(proc_fd, pid, "ns/net", &st))
			(*pids)[*nr].netns = st.st_ino;
		(*nr)++;
	}
	closedir(d);
	if (*nr)
		qsort(*pids, *nr, sizeof(**pids), cmp_pid_ns);
	return 0;
}

void kw_pid_sockets(int proc_fd, uint32_t pid, kw_pid_socket_fn fn, void *ctx,
		    uint32_t *truncated)
{
	char target[64];
	struct dirent *de;
	DIR *d;
	int fd = kw_proc_openat(proc_fd, pid, "fd", O_RDONLY | O_DIRECTORY);

	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	for (int n = 0; (de = readdir(d)) != NULL; n++) {
		uint64_t ino;
		ssize_t k;

		if (n >= KW_PIDWALK_MAX_FDS + 2) {	/* "." and ".." */
			(*truncated)++;
			break;
		}
		if (de->d_name[0] == '.')
			continue;
		k = readlinkat(fd, de->d_name, target, sizeof(target) - 1);
		if (k <= 0)
			continue;
		target[k] = '\0';
		if (!kw_parse_socket_link(target, &ino))
			fn(ctx, pid, ino);
	}
	closedir(d);
}
