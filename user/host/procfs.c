// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The one /proc opener (see procfs.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

/*
 * Where <pid>/<name> is: below root when root is given (a path, with
 * *dirfd AT_FDCWD), else below proc_fd.  0 or -ENAMETOOLONG.
 */
static int locate(const char *root, int proc_fd, uint32_t pid, const char *name, int *dirfd,
		  char *path, size_t len)
{
	char rel[PROC_REL_MAX];
	int err = kw_proc_rel(rel, sizeof(rel), pid, name);

	if (err)
		return err;
	*dirfd = root ? AT_FDCWD : proc_fd;
	if ((size_t)snprintf(path, len, "%s%s%s", root ? root : "", root ? "/" : "", rel) >= len)
		return -ENAMETOOLONG;
	return 0;
}

static int open_at(const char *root, int proc_fd, uint32_t pid, const char *name, int flags)
{
	char path[PATH_MAX];
	int dirfd, fd, err = locate(root, proc_fd, pid, name, &dirfd, path, sizeof(path));

	if (err)
		return err;
	fd = openat(dirfd, path, flags | O_CLOEXEC | O_NOCTTY);
	return fd < 0 ? -errno : fd;
}

static int stat_at(const char *root, int proc_fd, uint32_t pid, const char *name,
		   struct stat *st)
{
	char path[PATH_MAX];
	int dirfd, err = locate(root, proc_fd, pid, name, &dirfd, path, sizeof(path));

	if (err)
		return err;
	return fstatat(dirfd, path, st, 0) ? -errno : 0;
}

static ssize_t read_at(const char *root, int proc_fd, uint32_t pid, const char *name, char *buf,
		       size_t cap)
{
	int fd = open_at(root, proc_fd, pid, name, O_RDONLY | O_NOFOLLOW);

	return fd < 0 ? fd : (ssize_t)kw_read_fd_str(fd, buf, cap);
}

int kw_proc_openat(int proc_fd, uint32_t pid, const char *name, int flags)
{
	return open_at(NULL, proc_fd, pid, name, flags);
}

int kw_proc_statat(int proc_fd, uint32_t pid, const char *name, struct stat *st)
{
	return stat_at(NULL, proc_fd, pid, name, st);
}

int kw_proc_stat(const char *root, uint32_t pid, const char *name, struct stat *st)
{
	return stat_at(kw_proc_root(root), -1, pid, name, st);
}

ssize_t kw_proc_readat(int proc_fd, uint32_t pid, const char *name, char *buf, size_t cap)
{
	return read_at(NULL, proc_fd, pid, name, buf, cap);
}

ssize_t kw_proc_read(const char *root, uint32_t pid, const char *name, char *buf, size_t cap)
{
	return read_at(kw_proc_root(root), -1, pid, name, buf, cap);
}
