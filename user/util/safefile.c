// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Creating output files safely: see safefile.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "util/safefile.h"

bool kw_path_taken(const char *path)
{
	struct stat st;

	return !lstat(path, &st) || errno != ENOENT;
}

/* "<dir>/.<base>.XXXXXX": in path's directory, so the rename stays in one
 * file system and one directory */
static int tmp_name(char *out, size_t len, const char *path)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path + 1) : 0;
	int n = snprintf(out, len, "%.*s.%s.XXXXXX", dirlen, path, slash ? slash + 1 : path);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int kw_newfile_open(struct kw_newfile *nf, const char *path, bool replace, char *err,
		    size_t errlen)
{
	int ret;

	memset(nf, 0, sizeof(*nf));
	nf->fd = -1;
	if (snprintf(nf->path, sizeof(nf->path), "%s", path) >= (int)sizeof(nf->path)) {
		snprintf(err, errlen, "%.200s...: the path is too long", path);
		return -ENAMETOOLONG;
	}
	if (!replace) {
		nf->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (nf->fd >= 0)
			return 0;
		ret = -errno;
		if (ret == -EEXIST)
			snprintf(err, errlen, "%s exists (a file, a directory or a symlink); kwhy "
				 "does not write over it: remove it, choose another name, or give "
				 "--force to replace it", path);
		else
			snprintf(err, errlen, "cannot create %s: %s", path, strerror(-ret));
		return ret;
	}
	ret = tmp_name(nf->tmp, sizeof(nf->tmp), path);
	if (ret) {
		snprintf(err, errlen, "%.200s...: the path is too long", path);
		return ret;
	}
	/* mkostemp: O_CREAT|O_EXCL, mode 0600 */
	nf->fd = mkostemp(nf->tmp, O_CLOEXEC);
	if (nf->fd < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot create a temporary file beside %s: %s", path,
			 strerror(-ret));
		return ret;
	}
	nf->replace = true;
	return 0;
}

int kw_newfile_commit(struct kw_newfile *nf)
{
	if (!nf->replace)
		return 0;
	if (rename(nf->tmp, nf->path)) {
		int ret = -errno;

		kw_newfile_abort(nf);
		return ret;
	}
	nf->replace = false;
	return 0;
}

void kw_newfile_abort(struct kw_newfile *nf)
{
	if (nf->replace)
		unlink(nf->tmp);
	nf->replace = false;
}
