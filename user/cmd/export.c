// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `kwhy export`: see export.h.  jsonl is replay's own output
 * (kw_replay_into).  otlp and perfetto run the same pipeline as replay
 * with the sinks of their back-end (output/otlp.c, output/perfetto.c);
 * this file opens the trace and the output, applies the filters and picks
 * the back-end.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <limits.h>
#include "cmd/export.h"
#include "cmd/outfile.h"
#include "cmd/replay.h"
#include "host/target.h"
#include "output/otlp.h"
#include "output/perfetto.h"
#include "trace/trace.h"

/* one export: the shared state, the back-end's and the filters */
struct export_run {
	const struct kw_opts *o;
	struct kw_target target;	/* --container/--pid, from the trace */
	struct kw_exporter *c;
	struct kw_otlp *otlp;		/* NULL: perfetto */
	struct kw_perfetto *pf;
};

static void export_frame(void *ctx, const struct kw_frame *fr)
{
	struct export_run *r = ctx;
	const struct kw_event *ev = &fr->ev;

	switch (fr->kind) {
	case KW_FRAME_EVENT:
		if (!kw_target_wants_any(&r->target, r->o->port, ev))
			break;
		if (r->otlp)
			kw_pipeline_event(&r->c->pipeline, ev);
		else
			kw_perfetto_event(r->pf, ev);
		break;
	case KW_FRAME_FLUSH:
		kw_pipeline_flush_at(&r->c->pipeline, fr->flush_ns);
		break;
	case KW_FRAME_COUNTERS:
		r->c->counters = fr->counters;
		r->c->have_counters = true;
		break;
	}
}

static int run(struct export_run *r)
{
	const struct kw_opts *o = r->o;
	struct kw_exporter *c = r->c;
	struct kw_pipeline_cfg pc = {};
	struct kw_sinks sinks;
	int ret;

	ret = kw_trace_header(o->file, &c->info) ?: kw_offline_target(o, &r->target);
	if (ret)
		return ret;
	c->trace_file = o->file;
	c->fmt.boot_to_wall_ns = c->info.boot_to_wall_ns;
	c->fmt.rst_reasons = &c->info.rst_reasons;
	c->fmt.drop_reasons = &c->info.drop_reasons;
	c->fmt.utc = true;
	pc.model.recent_ns = o->window_ns;
	pc.rst_reasons = &c->info.rst_reasons;
	pc.drop_reasons = &c->info.drop_reasons;
	if (r->otlp) {
		sinks = kw_otlp_sinks(r->otlp);
		kw_otlp_begin(r->otlp);
	} else {
		sinks = kw_perfetto_sinks(r->pf);
		kw_perfetto_begin(r->pf);
	}
	kw_pipeline_init(&c->pipeline, &pc, &sinks);
	ret = kw_read_trace(o->file, &c->info, export_frame, r, "exported");
	kw_pipeline_finish(&c->pipeline);
	if (r->otlp)
		kw_otlp_finish(r->otlp);
	else
		kw_perfetto_finish(r->pf);
	if (c->dropped)
		fprintf(stderr, "kwhy: %" PRIu64 " records too big to export were left out\n",
			c->dropped);
	return ret;
}

int kw_export(const struct kw_opts *o)
{
	/* static: the pipeline and the perfetto tables are large */
	static struct kw_exporter common;
	static struct kw_otlp otlp;
	static struct kw_perfetto pf;
	struct export_run r = { .o = o, .c = &common };
	const char *format = o->format ? o->format : "jsonl";
	bool jsonl = !strcmp(format, "jsonl");
	struct kw_newfile nf;
	FILE *f;
	int ret;

	if (!jsonl && strcmp(format, "otlp") && strcmp(format, "perfetto")) {
		fprintf(stderr, "kwhy: --format: '%s' is not jsonl, otlp or perfetto\n", format);
		return KW_EXIT_USAGE;
	}
	/* the trace is readable at all, before an output is created for it */
	ret = kw_trace_header(o->file, &common.info);
	if (ret)
		return ret;
	f = kw_outfile_open(o, &nf, &ret);
	if (!f)
		return ret;
	if (jsonl) {
		ret = kw_replay_into(o, f, true);
	} else {
		memset(&common, 0, offsetof(struct kw_exporter, pipeline));
		common.out = f;
		if (!strcmp(format, "otlp")) {
			memset(&otlp, 0, sizeof(otlp));
			otlp.c = &common;
			r.otlp = &otlp;
		} else {
			memset(&pf, 0, sizeof(pf));
			pf.c = &common;
			r.pf = &pf;
		}
		ret = run(&r);
	}
	/* a damaged trace is said, what came before it still exported */
	if (!kw_outfile_close(o, f, &nf, true))
		ret = KW_EXIT_RUNTIME;
	return ret;
}
