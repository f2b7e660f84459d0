/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef KWHY_REPLAY_H
#define KWHY_REPLAY_H

#include <stdbool.h>
#include <stdio.h>
#include "cmd/opts.h"
#include "cmd/target_offline.h"
#include "trace/trace.h"

/* `kwhy replay FILE` and `kwhy info FILE`; exit codes as in opts.h */
int kw_replay(const struct kw_opts *o);
int kw_info(const struct kw_opts *o);
/* replay into out, as JSON lines or text: also the jsonl export */
int kw_replay_into(const struct kw_opts *o, FILE *out, bool json);

/* Shared by replay, info and export. */
typedef void (*kw_frame_fn)(void *ctx, const struct kw_frame *fr);
/* the header alone (the output's context); an exit code */
int kw_trace_header(const char *path, struct kw_trace_info *info);
/* Every frame of path into fn.  A file that just ends (a recorder killed
 * between syncs, possibly mid-frame) is read up to there with a warning and
 * exit 0; damage is reported with its offset, after the good frames, as
 * exit 1.  done names what was done with them ("replayed", "exported"). */
int kw_read_trace(const char *path, struct kw_trace_info *info, kw_frame_fn fn, void *ctx,
		  const char *done);

#endif
