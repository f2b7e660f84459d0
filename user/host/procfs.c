// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The one /proc opener (see procfs.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include "host/procfs.h"
#include "host/readfile.h"

#define PROC_REL_MAX 128	/* "<pid>/<name>": names here are short */

const char *kw_proc_root(const char *root)
{
	return root && *root ? root : KW_PROC_ROOT;
}

int kw_proc_open_root(const char *root)
{
	int fd = open(kw_proc_root(root), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int kw_proc_rel(char *buf, size_t len, uint32_t pid, const char *name)
{
	int n;

	if (pid == KW_PROC_SELF)
		n = snprintf(buf, len, "self%s%s", *name ? "/" : "", name);
	else
		n = snprintf(buf, len, "%u%s%s", pid, *name ? "/" : "", name);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int kw_proc_openat(int proc_fd, uint32_t pid, const char *name, int flags)
{
	char rel[PROC_REL_MAX];
	int fd, err = kw_proc_rel(rel, sizeof(rel), pid, name);

	if (err)
		return err;
	fd = openat(proc_fd, rel, flags | O_CLOEXEC | O_NOCTTY);
	return fd < 0 ? -errno : fd;
}

int kw_proc_open(const char *root, uint32_t pid, const char *name, int flags)
{
	int dfd = kw_proc_open_root(root), fd;

	if (dfd < 0)
		return dfd;
	fd = kw_proc_openat(dfd, pid, name, flags);
	close(dfd);
	return fd;
}

int kw_proc_statat(int proc_fd, uint32_t pid, const char *name, struct stat *st)
{
	char rel[PROC_REL_MAX];
	int err = kw_proc_rel(rel, sizeof(rel), pid, name);

	if (err)
		return err;
	return fstatat(proc_fd, rel, st, 0) ? -errno : 0;
}

int kw_proc_stat(const char *root, uint32_t pid, const char *name, struct stat *st)
{
	int dfd = kw_proc_open_root(root), err;

	if (dfd < 0)
		return dfd;
	err = kw_proc_statat(dfd, pid, name, st);
	close(dfd);
	return err;
}

ssize_t kw_proc_readat(int proc_fd, uint32_t pid, const char *name, char *buf, size_t cap)
{
	int fd = kw_proc_openat(proc_fd, pid, name, O_RDONLY | O_NOFOLLOW);
	size_t n;

	if (fd < 0)
		return fd;
	n = kw_read_full(fd, buf, cap - 1);
	close(fd);
	buf[n] = '\0';
	return (ssize_t)n;
}

ssize_t kw_proc_read(const char *root, uint32_t pid, const char *name, char *buf, size_t cap)
{
	int dfd = kw_proc_open_root(root);
	ssize_t n;

	if (dfd < 0)
		return dfd;
	n = kw_proc_readat(dfd, pid, name, buf, cap);
	close(dfd);
	return n;
}
