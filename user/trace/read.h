/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A whole trace file, read frame by frame: what replay, info and export
 * share.  Nothing is printed here; how the reading ended and why is
 * returned, for the command to tell the user.
 */
#ifndef KWHY_TRACE_READ_H
#define KWHY_TRACE_READ_H

#include <stddef.h>
#include "trace/trace.h"

/* room for err: a path and what the reader says */
#define KW_TRACE_ERR_MAX (4096 + 400)

typedef void (*kw_frame_fn)(void *ctx, const struct kw_frame *fr);

/* How reading a trace file ended; err says more for all but OK. */
enum kw_trace_end {
	KW_TRACE_END_OK = 0,	/* at its end mark */
	/* The file just ends, what a recorder killed between syncs leaves
	 * (possibly mid-frame): err is empty, or what the reader stopped at.
	 * Every frame before was delivered. */
	KW_TRACE_END_CUT,
	/* A damaged frame: err says what and at which offset.  The frames
	 * before it were delivered. */
	KW_TRACE_END_DAMAGED,
	/* Not opened, not a trace, or a damaged header: err says why and
	 * names the file.  No frame was delivered. */
	KW_TRACE_END_UNREADABLE,
};

/* Every frame of path into fn (which may be NULL: the file is only
 * checked), the header into info. */
enum kw_trace_end kw_trace_read_file(const char *path, struct kw_trace_info *info,
				     kw_frame_fn fn, void *ctx, char *err, size_t errlen);
/* The header alone: 0, or -1 with err as for KW_TRACE_END_UNREADABLE. */
int kw_trace_read_header(const char *path, struct kw_trace_info *info, char *err,
			 size_t errlen);

#endif
