/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the export back-ends (output/otlp.c, output/perfetto.c) share: the
 * output file, the trace's header, the pipeline the trace runs through and
 * one record buffer.  Every record is built in rec through the JSON writer
 * and written at once; a record that does not fit is dropped (and
 * counted), never cut.
 */
#ifndef KWHY_OUTPUT_EXPORTER_H
#define KWHY_OUTPUT_EXPORTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "core/explain.h"
#include "core/pipeline.h"
#include "output/format.h"
#include "trace/trace.h"

#define KW_EXPORT_REC_MAX (32 * 1024)	/* one log record or trace event */

struct kw_exporter {
	FILE *out;
	const char *trace_file;		/* as named on the command line */
	struct kw_trace_info info;
	struct kw_fmt_ctx fmt;
	uint64_t first_ns, last_ns;	/* event times seen */
	uint64_t dropped;		/* records too big for rec */
	struct kw_counters counters;
	bool have_counters;
	char rec[KW_EXPORT_REC_MAX];
	struct kw_pipeline pipeline;	/* last: the big one */
};

void kw_exporter_write(struct kw_exporter *x, const char *p, size_t n);
void kw_exporter_puts(struct kw_exporter *x, const char *s);
/* wall clock of a boot time, from the trace's header; 0 before the epoch */
uint64_t kw_exporter_wall_ns(const struct kw_exporter *x, uint64_t boot_ns);
/* the span of event times, for what has no end of its own */
void kw_exporter_note_time(struct kw_exporter *x, const struct kw_event *ev);
/* what the trace's cgroup records say of a cgroup or a netns */
void kw_exporter_place(const struct kw_exporter *x, uint64_t id, bool v1, struct kw_place *p);
void kw_exporter_netns_place(const struct kw_exporter *x, uint32_t netns, uint64_t cookie,
			     struct kw_place *p);
/* where an event happened: its subject's cgroup, the event's, its netns */
void kw_exporter_event_place(const struct kw_exporter *x, const struct kw_event *ev,
			     const struct kw_task *t, struct kw_place *p);

bool kw_cause_is_refusal(uint8_t cause);
bool kw_cause_is_death(uint8_t cause);
/* a text line of kwhy's without its leading time, runs of spaces as one */
void kw_strip_time(char *dst, size_t n, const char *src);

#endif
