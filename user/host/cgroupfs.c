// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The cgroup filesystem (see cgroupfs.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "host/cgroupfs.h"
#include "host/readfile.h"

#ifndef FILEID_KERNFS
#define FILEID_KERNFS 0xfe	/* include/linux/exportfs.h: the u64 kernfs id */
#endif

int kw_cgroup_id_at(int dirfd, const char *name, uint64_t *id)
{
	union {
		struct file_handle fh;
		unsigned char raw[sizeof(struct file_handle) + MAX_HANDLE_SZ];
	} h;
	struct stat st;
	int mount_id;

	h.fh.handle_bytes = MAX_HANDLE_SZ;
	if (!name_to_handle_at(dirfd, name, &h.fh, &mount_id, 0) &&
	    h.fh.handle_type == FILEID_KERNFS && h.fh.handle_bytes == sizeof(*id)) {
		memcpy(id, h.fh.f_handle, sizeof(*id));
		return 0;
	}
	/* the inode is the id on 64-bit kernels >= 5.5, and a stable key
	 * on any other filesystem (tests walk ordinary directories) */
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	*id = st.st_ino;
	return 0;
}

bool kw_cgroup_is_child(int dirfd, const struct dirent *de)
{
	struct stat st;

	if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
		return false;
	if (de->d_type != DT_UNKNOWN)
		return de->d_type == DT_DIR;
	return !fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) && S_ISDIR(st.st_mode);
}

int kw_cgroup_open(const char *mount, const char *path)
{
	int mfd = open(mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd;
	const char *rel = path + strspn(path, "/");

	if (mfd < 0)
		return -errno;
	fd = openat(mfd, *rel ? rel : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		fd = -errno;
	close(mfd);
	return fd;
}

DIR *kw_cgroup_opendir(const char *mount, const char *path)
{
	int fd = kw_cgroup_open(mount, path), err;
	DIR *d;

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	d = fdopendir(fd);
	if (!d) {
		err = errno;
		close(fd);
		errno = err;
	}
	return d;
}

bool kw_memcg_usage_at(int dirfd, bool v1, uint64_t *bytes)
{
	char num[32];

	if (!kw_read_small_at(dirfd, v1 ? "memory.usage_in_bytes" : "memory.current", num,
			      sizeof(num)))
		return false;
	*bytes = strtoull(num, NULL, 10);
	return true;
}
