/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The cgroup filesystem, read the way BPF sees it: a directory's kernfs id,
 * which entries are cgroups, a cgroup's directory under its mount.
 */
#ifndef KWHY_CGROUPFS_H
#define KWHY_CGROUPFS_H

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * The kernfs id of directory name under dirfd, as BPF reports it: the
 * 8-byte kernfs file handle, which is right on every kernel, else (not a
 * kernfs mount, or no export support before 4.16) the inode number.
 * Returns 0 or -errno.
 */
int kw_cgroup_id_at(int dirfd, const char *name, uint64_t *id);

/* A child cgroup: a directory other than "." and "..".  cgroupfs fills
 * d_type; other filesystems (the tests') may need a stat. */
bool kw_cgroup_is_child(int dirfd, const struct dirent *de);

/* The directory of cgroup path ("/a/b", "/" the root) under mount,
 * O_DIRECTORY | O_NOFOLLOW below the mount.  fd or -errno. */
int kw_cgroup_open(const char *mount, const char *path);

/* The same as a directory stream; NULL with errno set on failure. */
DIR *kw_cgroup_opendir(const char *mount, const char *path);

/* A memory cgroup's usage from its directory fd: memory.usage_in_bytes
 * (v1) or memory.current (v2).  False when there is no such file (the
 * memory controller is not enabled there). */
bool kw_memcg_usage_at(int dirfd, bool v1, uint64_t *bytes);

#endif
