// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* -o OUT of export and report (see outfile.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cmd/outfile.h"

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

FILE *kw_outfile_open(const struct kw_opts *o, struct kw_newfile *nf, int *code)
{
	char err[PATH_MAX + 128];
	FILE *f;

	nf->fd = -1;
	nf->replace = false;
	if (!o->out)
		return stdout;
	if (same_file(o->out, o->file)) {
		fprintf(stderr, "kwhy: -o %s is the trace itself\n", o->out);
		*code = KW_EXIT_USAGE;
		return NULL;
	}
	if (kw_newfile_open(nf, o->out, o->force, err, sizeof(err))) {
		fprintf(stderr, "kwhy: %s\n", err);
		*code = KW_EXIT_RUNTIME;
		return NULL;
	}
	f = fdopen(nf->fd, "w");
	if (!f) {
		fprintf(stderr, "kwhy: cannot write %s: %m\n", o->out);
		kw_newfile_abort(nf);
		close(nf->fd);
		if (!nf->replace)
			unlink(o->out);
		*code = KW_EXIT_RUNTIME;
	}
	return f;
}

bool kw_outfile_close(const struct kw_opts *o, FILE *f, struct kw_newfile *nf, bool ok)
{
	bool bad = fflush(f) != 0 || ferror(f);

	if (f == stdout) {
		if (bad)
			fprintf(stderr, "kwhy: writing the output failed\n");
		return !bad;
	}
	bad |= fsync(fileno(f)) != 0;
	bad |= fclose(f) != 0;
	if (!bad && ok) {
		if (!kw_newfile_commit(nf))
			return true;
		fprintf(stderr, "kwhy: cannot replace %s: %m\n", o->out);
	} else if (bad) {
		fprintf(stderr, "kwhy: writing %s failed%s\n", o->out,
			nf->replace ? "; it was left as it was" : "");
	}
	/* nothing half-written stays: the temporary file, or the new one */
	if (nf->replace)
		kw_newfile_abort(nf);
	else
		unlink(o->out);
	return false;
}
