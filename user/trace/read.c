// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "trace/read.h"

/* the file opened and its header read, or NULL with err naming the file */
static struct kw_trace_reader *open_trace(const char *path, FILE **f,
					  struct kw_trace_info *info, char *err, size_t errlen)
{
	struct kw_trace_reader *r;
	struct stat st;
	char why[320];

	*f = fopen(path, "rb");
	if (!*f) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	/* what it is, when that is why it cannot be a trace: said precisely
	 * rather than as a missing magic */
	if (!fstat(fileno(*f), &st) && (S_ISDIR(st.st_mode) || (S_ISREG(st.st_mode) &&
	    st.st_size < KW_TRACE_PREAMBLE))) {
		if (S_ISDIR(st.st_mode))
			snprintf(err, errlen, "%s is a directory, not a trace file", path);
		else
			snprintf(err, errlen, "%s is %lld bytes long, too short for a kwhy trace (its "
				 "first %d bytes are the magic, version and header length)", path,
				 (long long)st.st_size, KW_TRACE_PREAMBLE);
		fclose(*f);
		*f = NULL;
		return NULL;
	}
	r = kw_trace_read_open(*f, info, why, sizeof(why));
	if (!r) {
		snprintf(err, errlen, "%s: %s", path, why);
		fclose(*f);
		*f = NULL;
	}
	return r;
}

enum kw_trace_end kw_trace_read_file(const char *path, struct kw_trace_info *info,
				     kw_frame_fn fn, void *ctx, char *err, size_t errlen)
{
	/* static: a frame holds a whole event and the counters */
	static struct kw_frame fr;
	enum kw_trace_end end = KW_TRACE_END_OK;
	struct kw_trace_reader *r;
	FILE *f;
	int n;

	r = open_trace(path, &f, info, err, errlen);
	if (!r)
		return KW_TRACE_END_UNREADABLE;
	err[0] = '\0';
	while ((n = kw_trace_next(r, &fr, err, errlen)) == 1)
		if (fn)
			fn(ctx, &fr);
	/* a cut is checked first: a frame cut in half also reads as damage */
	if (kw_trace_truncated(r)) {
		end = KW_TRACE_END_CUT;
		if (n >= 0)
			err[0] = '\0';
	} else if (n < 0) {
		end = KW_TRACE_END_DAMAGED;
	}
	kw_trace_read_close(r);
	fclose(f);
	return end;
}

int kw_trace_read_header(const char *path, struct kw_trace_info *info, char *err,
			 size_t errlen)
{
	struct kw_trace_reader *r;
	FILE *f;

	r = open_trace(path, &f, info, err, errlen);
	if (!r)
		return -1;
	kw_trace_read_close(r);
	fclose(f);
	return 0;
}
