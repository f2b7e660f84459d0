/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Records about kwhy itself rather than the kernel: `ready` (what is
 * attached, which fallbacks, what is unavailable), `stats` (counters) and
 * the doctor report.  Pure formatting of plain structs. */
#ifndef KWHY_META_H
#define KWHY_META_H

#include <stdbool.h>
#include <stdint.h>
#include "util/buf.h"
#include "kernel/probe.h"
#include "output/format.h"
#include "core/runtimes.h"
#include "kwhy/events.h"

struct kw_ready_info {
	const char *version;
	uint32_t pid;			/* kwhy's own */
	uint64_t agg_window_ns;
	int64_t now_wall_ns;
	const char *target;		/* --container/--pid, NULL: whole host */
};

void kw_format_ready(struct kw_buf *b, bool json, const struct kw_plan *p,
		     const struct kw_features *f, const struct kw_ready_info *ri);

struct kw_stats_info {
	const struct kw_counters *c;
	uint64_t decode_errors;		/* records that failed validation */
	bool final;
	int64_t now_wall_ns;
};

void kw_format_stats(struct kw_buf *b, bool json, const struct kw_stats_info *si);
uint64_t kw_counters_lost_total(const struct kw_counters *c);

/* A `target` record: the --container target went away, or came back as
 * the container that now answers to its name or path. */
struct kw_target_info {
	const char *state;		/* "gone", "back" */
	const char *target;		/* what it resolves to now (desc) */
	const char *id;			/* its container id, NULL or "": not one */
	const char *previous_id;	/* "back": the one it was before */
	bool follows;			/* a name or path, watched for its return */
	int64_t now_wall_ns;
};

void kw_format_target(struct kw_buf *b, bool json, const struct kw_target_info *ti);

/* A `trace_error` record: the trace (--record) can no longer be written. */
struct kw_trace_error_info {
	const char *file;		/* the trace's path as given */
	int err;			/* errno */
	bool keep_going;		/* --keep-going: watching on without it */
	int64_t now_wall_ns;
};

void kw_format_trace_error(struct kw_buf *b, bool json, const struct kw_trace_error_info *ti);

/* rt: KW_RUNTIMES_N runtimes (core/runtimes.h), NULL when not looked for */
void kw_format_doctor(struct kw_buf *b, bool json, const struct kw_plan *p,
		      const struct kw_features *f, const struct kw_runtime_found *rt);

#endif
