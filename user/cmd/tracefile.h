/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A trace file read for a command (replay, info, export): trace/read.h's
 * reading, told to the user on stderr and turned into an exit code.
 */
#ifndef KWHY_TRACEFILE_H
#define KWHY_TRACEFILE_H

#include "trace/read.h"

/* the header alone (the output's context); an exit code */
int kw_trace_header(const char *path, struct kw_trace_info *info);
/* Every frame of path into fn.  A file that just ends (a recorder killed
 * between syncs, possibly mid-frame) is read up to there with a warning and
 * exit 0; damage is reported with its offset, after the good frames, as
 * exit 1.  done names what was done with them ("replayed", "exported"). */
int kw_read_trace(const char *path, struct kw_trace_info *info, kw_frame_fn fn, void *ctx,
		  const char *done);

#endif
