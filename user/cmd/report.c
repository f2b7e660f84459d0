// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `kwhy report FILE [-o OUT] [--format md|html]`: the post-mortem,
 * drafted from a trace.  The trace runs through the same pipeline as
 * replay (and the same --container/--pid/--port filters); what it says is
 * gathered by output/report_model.c and written by output/report_md.c or
 * report_html.c.  Each explanation is rendered as it comes into an
 * unnamed scratch file (tmpfile), so none is left out however many there
 * are; the page is written once the trace has been read.
 *
 * OUT is created safely (cmd/outfile.c): a new file, mode 0600, never
 * through a symbolic link; an existing one is replaced only with --force,
 * by renaming a new file over it.  A report that fails half-way is removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cmd/commands.h"
#include "cmd/outfile.h"
#include "cmd/replay.h"
#include "output/report.h"

struct report_run {
	const struct kw_opts *o;
	struct kw_target target;
	struct kw_exporter *c;
};

static void report_frame(void *ctx, const struct kw_frame *fr)
{
	struct report_run *rr = ctx;

	switch (fr->kind) {
	case KW_FRAME_EVENT:
		if (kw_target_wants_any(&rr->target, rr->o->port, &fr->ev))
			kw_pipeline_event(&rr->c->pipeline, &fr->ev);
		break;
	case KW_FRAME_FLUSH:
		kw_pipeline_flush_at(&rr->c->pipeline, fr->flush_ns);
		break;
	case KW_FRAME_COUNTERS:
		rr->c->counters = fr->counters;
		rr->c->have_counters = true;
		break;
	}
}

/* html when asked, or when OUT ends in .html/.htm; md otherwise */
static bool wants_html(const struct kw_opts *o)
{
	const char *dot;

	if (o->format)
		return !strcmp(o->format, "html");
	dot = o->out ? strrchr(o->out, '.') : NULL;
	return dot && (!strcmp(dot, ".html") || !strcmp(dot, ".htm"));
}

static int gather(struct report_run *rr, struct kw_report *r)
{
	struct kw_exporter *c = rr->c;
	struct kw_pipeline_cfg pc = {};
	struct kw_sinks sinks;
	int ret;

	ret = kw_offline_target(rr->o, &rr->target);
	if (ret)
		return ret;
	c->trace_file = rr->o->file;
	c->fmt.boot_to_wall_ns = c->info.boot_to_wall_ns;
	c->fmt.rst_reasons = &c->info.rst_reasons;
	c->fmt.drop_reasons = &c->info.drop_reasons;
	c->fmt.utc = true;
	pc.model.recent_ns = rr->o->window_ns;
	pc.rst_reasons = &c->info.rst_reasons;
	pc.drop_reasons = &c->info.drop_reasons;
	sinks = kw_report_sinks(r);
	kw_pipeline_init(&c->pipeline, &pc, &sinks);
	ret = kw_read_trace(rr->o->file, &c->info, report_frame, rr, "reported");
	kw_pipeline_finish(&c->pipeline);
	kw_report_finish(r);
	return ret;
}

int kw_report(const struct kw_opts *o)
{
	/* static: the pipeline and the report's tracks are large */
	static struct kw_exporter common;
	static struct kw_report r;
	struct report_run rr = { .o = o, .c = &common };
	bool html = wants_html(o), bad;
	struct kw_newfile nf;
	FILE *out, *ex;
	int ret;

	memset(&common, 0, offsetof(struct kw_exporter, pipeline));
	memset(&r, 0, sizeof(r));
	/* the trace is readable at all, before an output is created for it */
	ret = kw_trace_header(o->file, &common.info);
	if (ret)
		return ret;
	ex = tmpfile();
	if (!ex) {
		fprintf(stderr, "kwhy: cannot make a scratch file for the explanations: %m "
			"(is /tmp writable?)\n");
		return KW_EXIT_RUNTIME;
	}
	out = kw_outfile_open(o, &nf, &ret);
	if (!out) {
		fclose(ex);
		return ret;
	}
	r.c = &common;
	r.ctx = ex;
	r.on_explanation = html ? kw_report_html_explanation : kw_report_md_explanation;
	common.out = out;
	ret = gather(&rr, &r);
	if (ret != KW_EXIT_USAGE) {	/* damage is reported, what came before still told */
		if (html)
			kw_report_html(out, &r, ex);
		else
			kw_report_md(out, &r, ex);
	}
	bad = ferror(ex);
	fclose(ex);
	if (bad)
		fprintf(stderr, "kwhy: the scratch file of the explanations failed\n");
	/* damage in the trace is told in the report, which is kept; a trace
	 * that is not one (usage) leaves nothing behind */
	if (!kw_outfile_close(o, out, &nf, !bad && ret != KW_EXIT_USAGE) && ret != KW_EXIT_USAGE)
		ret = KW_EXIT_RUNTIME;
	return ret;
}
