// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Bounded reads of regular files (see readfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include "host/readfile.h"

#define READ_CALLS_MAX 65536	/* read() calls per file: a bound, not a size */

size_t kw_read_full(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	for (int i = 0; i < READ_CALLS_MAX && n < cap; i++) {
		ssize_t r = read(fd, buf + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	return n;
}

int kw_open_regular(int dirfd, const char *name)
{
	struct stat st;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	return fd;
}

char *kw_read_file_at(int dirfd, const char *name, size_t max)
{
	size_t cap = 4096, n = 0;
	int fd = kw_open_regular(dirfd, name);
	char *buf, *nb;

	if (fd < 0)
		return NULL;
	if (cap > max)
		cap = max;
	buf = malloc(cap + 1);
	while (buf) {
		n += kw_read_full(fd, buf + n, cap - n);
		if (n < cap || cap >= max)
			break;
		cap = cap * 2 < max ? cap * 2 : max;
		nb = realloc(buf, cap + 1);
		if (!nb)
			free(buf);
		buf = nb;
	}
	close(fd);
	if (buf)
		buf[n] = '\0';
	return buf;
}

size_t kw_read_fd_str(int fd, char *buf, size_t cap)
{
	size_t n = kw_read_full(fd, buf, cap - 1);

	close(fd);
	buf[n] = '\0';
	return n;
}

bool kw_read_small_at(int dirfd, const char *name, char *buf, size_t cap)
{
	int fd = kw_open_regular(dirfd, name);

	if (fd < 0)
		return false;
	kw_read_fd_str(fd, buf, cap);
	return true;
}
