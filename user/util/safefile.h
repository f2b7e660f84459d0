/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Files kwhy creates (traces, exports), created safely: kwhy runs as root,
 * often in a directory others can write to (/var/tmp, a shared volume),
 * where a symlink planted under the name it will write would make it
 * truncate and overwrite whatever the link points to.
 *
 * A new file is opened O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, mode 0600:
 * nothing that exists under its name (a file, a symlink, dangling or not)
 * is ever opened.  Replacing one is asked for (--force): the new content is
 * written to a fresh temporary file in the same directory, then renamed
 * over the name, which replaces the directory entry itself (a symlink is
 * replaced, never followed) and is atomic: a reader sees the old file or
 * the new one.
 */
#ifndef KWHY_SAFEFILE_H
#define KWHY_SAFEFILE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct kw_newfile {
	int fd;				/* -1 when not open */
	bool replace;			/* written to tmp, renamed over path */
	char path[PATH_MAX];
	char tmp[PATH_MAX + 16];
};

/* Create path for writing.  Without replace, an existing path (of any
 * kind) is refused with EEXIST and err says to give --force.  With
 * replace, nf->fd is a new temporary file next to path, which becomes path
 * at kw_newfile_commit.  0, or -errno with a message in err. */
int kw_newfile_open(struct kw_newfile *nf, const char *path, bool replace, char *err,
		    size_t errlen);
/* replace: rename the temporary file over path (the fd stays open);
 * otherwise nothing.  0 or -errno. */
int kw_newfile_commit(struct kw_newfile *nf);
/* replace, not committed: remove the temporary file.  Closes nothing. */
void kw_newfile_abort(struct kw_newfile *nf);
/* does anything (a file, a directory, a symlink, dangling or not) exist
 * under path */
bool kw_path_taken(const char *path);

#endif
