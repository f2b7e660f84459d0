/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Where the pipeline's results go: events, explanations and summaries as
 * JSON lines or text, the same for watch, replay and export jsonl. */
#ifndef KWHY_OUTPUT_H
#define KWHY_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>
#include "output/format.h"
#include "core/pipeline.h"

struct kw_output {
	FILE *f;			/* NULL: nothing is printed (record) */
	bool json;
	bool failed;			/* a write failed: closed pipe, full disk */
	int err;			/* its errno */
	/* lines not written because the output would have blocked (EAGAIN:
	 * kwhy was stopping and its reader was not reading) or a write was
	 * interrupted (EINTR: by the stop itself) */
	uint64_t not_written;
	struct kw_fmt_ctx fmt;
	char line[16384];
};

void kw_output_init(struct kw_output *o, FILE *f, bool json, const struct kw_fmt_ctx *fmt);
/* sinks for kw_pipeline_init that print to o */
struct kw_sinks kw_output_sinks(struct kw_output *o);
/* b, then a newline, to f; a truncated record is dropped, not cut */
void kw_output_line(struct kw_output *o, FILE *f, struct kw_buf *b);
/* fflush(o->f), its failure counted as kw_output_line's */
void kw_output_flush(struct kw_output *o);

#endif
