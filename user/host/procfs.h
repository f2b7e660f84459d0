/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one way into /proc.  Every reader of a process's files goes through
 * here, so the root can be moved (a fake tree in the tests, a host /proc
 * mounted elsewhere) in one place, and every open gets the same care:
 * O_CLOEXEC always, O_NOFOLLOW for the plain files, reads bounded.
 *
 * pid KW_PROC_SELF (0, which is never a process) names "self".
 */
#ifndef KWHY_PROCFS_H
#define KWHY_PROCFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#define KW_PROC_ROOT "/proc"	/* the root when nobody says otherwise */
#define KW_PROC_SELF 0u

/* root, or KW_PROC_ROOT for NULL or "" */
const char *kw_proc_root(const char *root);

/* The directory root itself, O_DIRECTORY: an fd for the *at calls, or -errno. */
int kw_proc_open_root(const char *root);

/*
 * "<pid>/<name>" relative to a /proc fd ("<pid>" for name "", "self/..."
 * for KW_PROC_SELF) into buf.  0 or -ENAMETOOLONG.
 */
int kw_proc_rel(char *buf, size_t len, uint32_t pid, const char *name);

/*
 * Open <pid>/<name> below proc_fd with flags | O_CLOEXEC | O_NOCTTY.
 * Callers add O_NOFOLLOW for plain files; the namespace links (ns/net)
 * must be followed.  fd or -errno.
 */
int kw_proc_openat(int proc_fd, uint32_t pid, const char *name, int flags);

/* stat() of <pid>/<name>, following links (the namespace inodes), below
 * proc_fd or below the directory root (kw_proc_root rules).  0 or -errno. */
int kw_proc_statat(int proc_fd, uint32_t pid, const char *name, struct stat *st);
int kw_proc_stat(const char *root, uint32_t pid, const char *name, struct stat *st);

/*
 * Read at most cap - 1 bytes of <pid>/<name> (a plain file, O_NOFOLLOW)
 * into buf (cap > 0), NUL-terminated, below proc_fd or below root.  The
 * length, or -errno when it cannot be opened.
 */
ssize_t kw_proc_readat(int proc_fd, uint32_t pid, const char *name, char *buf, size_t cap);
ssize_t kw_proc_read(const char *root, uint32_t pid, const char *name, char *buf, size_t cap);

#endif
