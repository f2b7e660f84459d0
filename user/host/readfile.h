/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Bounded reads of files kwhy does not control (cgroupfs, runtime
 * metadata): only regular files are opened, so a FIFO or device planted
 * among them can neither block kwhy nor feed it forever, and no read goes
 * past the size the caller allows.
 */
#ifndef KWHY_READFILE_H
#define KWHY_READFILE_H

#include <stdbool.h>
#include <stddef.h>

/* Read into buf from fd until EOF or cap bytes, retrying EINTR; the count. */
size_t kw_read_full(int fd, char *buf, size_t cap);

/* Read at most cap - 1 bytes (cap > 0) of fd into buf, NUL-terminated,
 * and close fd; the length. */
size_t kw_read_fd_str(int fd, char *buf, size_t cap);

/* Open name under dirfd (AT_FDCWD for a path) for reading if it is a
 * regular file; the fd, or -1. */
int kw_open_regular(int dirfd, const char *name);

/*
 * At most max bytes of a regular file, NUL-terminated, in memory grown only
 * as far as the file goes (most are small); free() it.  NULL when it cannot
 * be opened or memory runs out.
 */
char *kw_read_file_at(int dirfd, const char *name, size_t max);

/* A small regular file into buf (cap > 0), NUL-terminated; false when unreadable. */
bool kw_read_small_at(int dirfd, const char *name, char *buf, size_t cap);

#endif
