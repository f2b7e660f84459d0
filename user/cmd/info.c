// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `kwhy info FILE`: what a trace holds (host, kernel, time span, events,
 * the causes found in it, losses), as text or one JSON object.  No root, no
 * BPF: the trace runs through the pipeline only to count the explanations.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "cmd/commands.h"
#include "cmd/tracefile.h"
#include "core/names.h"
#include "core/pipeline.h"
#include "util/escape.h"
#include "util/json.h"
#include "util/textfmt.h"

/* an untrusted string from the trace, escaped for the terminal */
static const char *esc(const char *s)
{
	static char out[4][1200];
	static int k;
	struct kw_buf b = KW_BUF_INIT(out[k]);

	k = (k + 1) % 4;
	kw_escape_term(&b, s, strlen(s));
	return b.p;
}

struct info {
	uint32_t part;			/* 0, or a part after rotation */
	uint64_t frames, flushes;
	uint64_t per_type[KW_EV_MAX];
	uint64_t per_cause[KW_CAUSE_MAX];
	uint64_t first_ns, last_ns;
	/* the kernel's counters are since the recording began: a rotated
	 * part starts with them, the base its own losses are counted from */
	struct kw_counters base, counters;
	bool have_base, have_counters;
	struct kw_pipeline pipeline;
};

static void info_expl(void *ctx, const struct kw_explanation *ex)
{
	struct info *in = ctx;

	if (ex->cause < KW_CAUSE_MAX)
		in->per_cause[ex->cause]++;
}

static void info_frame(void *ctx, const struct kw_frame *fr)
{
	struct info *in = ctx;
	uint64_t ts = fr->ev.hdr.ts_boot_ns;

	in->frames++;
	if (fr->kind == KW_FRAME_FLUSH) {
		in->flushes++;
		kw_pipeline_flush_at(&in->pipeline, fr->flush_ns);
	} else if (fr->kind == KW_FRAME_COUNTERS) {
		if (in->part && !in->have_base) {
			in->base = fr->counters;
			in->have_base = true;
		}
		in->counters = fr->counters;
		in->have_counters = true;
	} else {
		if (fr->ev.hdr.type < KW_EV_MAX)
			in->per_type[fr->ev.hdr.type]++;
		/* a part's span: the listeners it starts with (snapshot records)
		 * are dated when they began to listen, often before the part */
		if (ts && fr->ev.hdr.type != KW_EV_REPEAT &&
		    !(in->part && (fr->ev.hdr.flags & KW_F_SNAPSHOT))) {
			if (!in->first_ns || ts < in->first_ns)
				in->first_ns = ts;
			if (ts > in->last_ns)
				in->last_ns = ts;
		}
		kw_pipeline_event(&in->pipeline, &fr->ev);
	}
}

/* What info says of a trace: its header and what was counted in it.
 * first and last are NULL when the trace has no dated event. */
struct info_report {
	const char *file;
	const struct kw_trace_info *hdr;
	const struct info *in;
	const char *first, *last;
	uint64_t lost;			/* in this file */
	uint64_t lost_all;		/* since the recording began */
};

static void print_json(const struct info_report *r)
{
	static char line[16384];
	struct kw_buf b = KW_BUF_INIT(line);
	const struct info *in = r->in;
	struct kw_json j;

	kw_json_init(&j, &b);
	kw_json_obj_begin(&j, NULL);
	kw_json_str(&j, "file", r->file);
	kw_json_u64(&j, "format", r->hdr->format);
	kw_json_str(&j, "kwhy", r->hdr->kwhy_version);
	kw_json_str(&j, "host", r->hdr->host);
	kw_json_str(&j, "kernel", r->hdr->kernel);
	kw_json_str(&j, "boot_id", r->hdr->boot_id);
	kw_json_str(&j, "started", r->hdr->started);
	kw_json_u64(&j, "part", r->hdr->part);
	kw_json_str(&j, "target", r->hdr->target[0] ? r->hdr->target : NULL);
	kw_json_str(&j, "attached", r->hdr->attached);
	kw_json_str(&j, "first_event", r->first);
	kw_json_str(&j, "last_event", r->last);
	kw_json_u64(&j, "frames", in->frames);
	kw_json_u64(&j, "flush_points", in->flushes);
	kw_json_obj_begin(&j, "events");
	for (int t = 1; t < KW_EV_MAX; t++)
		if (in->per_type[t])
			kw_json_u64(&j, kw_event_name(t), in->per_type[t]);
	kw_json_obj_end(&j);
	kw_json_obj_begin(&j, "explanations");
	for (int c = 1; c < KW_CAUSE_MAX; c++)
		if (in->per_cause[c])
			kw_json_u64(&j, kw_cause_name(c), in->per_cause[c]);
	kw_json_obj_end(&j);
	if (in->have_counters)
		kw_json_u64(&j, "lost_events", r->lost);
	else
		kw_json_null(&j, "lost_events");
	if (in->have_counters)
		kw_json_u64(&j, "lost_events_since_start", r->lost_all);
	else
		kw_json_null(&j, "lost_events_since_start");
	kw_json_obj_end(&j);
	puts(line);
}

static void print_text(const struct info_report *r)
{
	const struct kw_trace_info *hdr = r->hdr;
	const struct info *in = r->in;

	printf("trace       %s (format %u, kwhy %s, part %u)\n", esc(r->file), hdr->format,
	       esc(hdr->kwhy_version), hdr->part);
	printf("recorded on %s, kernel %s, boot %s\n", esc(hdr->host), esc(hdr->kernel),
	       esc(hdr->boot_id));
	printf("target      %s\n", hdr->target[0] ? esc(hdr->target) : "the whole host");
	printf("time        %s .. %s\n", r->first ? r->first : "-", r->last ? r->last : "-");
	printf("attached    %s\n", esc(hdr->attached));
	printf("events     ");
	for (int t = 1; t < KW_EV_MAX; t++)
		if (in->per_type[t])
			printf(" %s %" PRIu64, kw_event_name(t), in->per_type[t]);
	printf("\nexplained  ");
	for (int c = 1; c < KW_CAUSE_MAX; c++)
		if (in->per_cause[c])
			printf(" %s %" PRIu64, kw_cause_name(c), in->per_cause[c]);
	if (in->have_counters && in->part)
		printf("\nlost        %" PRIu64 " events in this part (ring buffer full), %" PRIu64
		       " since the recording began\n", r->lost, r->lost_all);
	else if (in->have_counters)
		printf("\nlost        %" PRIu64 " events (ring buffer full)\n", r->lost);
	else
		printf("\nlost        unknown (no counters in the trace)\n");
}

int kw_info(const struct kw_opts *o)
{
	static struct info in;
	static struct kw_trace_info info;
	struct kw_pipeline_cfg pc = {};
	struct kw_sinks sinks = { .explanation = info_expl, .ctx = &in };
	struct info_report r = { .file = o->file, .hdr = &info, .in = &in };
	char t0[48], t1[48];
	struct kw_buf b0 = KW_BUF_INIT(t0), b1 = KW_BUF_INIT(t1);
	int ret;

	memset(&in, 0, sizeof(in) - sizeof(in.pipeline));
	ret = kw_trace_header(o->file, &info);
	if (ret)
		goto out;
	in.part = info.part;
	pc.rst_reasons = &info.rst_reasons;
	pc.drop_reasons = &info.drop_reasons;
	kw_pipeline_init(&in.pipeline, &pc, &sinks);
	/* damage is reported, and what came before it still counted */
	ret = kw_read_trace(o->file, &info, info_frame, &in, "counted");
	kw_pipeline_finish(&in.pipeline);
	kw_fmt_time_rfc3339(&b0, kw_boot_to_wall(in.first_ns, info.boot_to_wall_ns));
	kw_fmt_time_rfc3339(&b1, kw_boot_to_wall(in.last_ns, info.boot_to_wall_ns));
	r.first = in.first_ns ? t0 : NULL;
	r.last = in.last_ns ? t1 : NULL;
	for (int t = 0; t < KW_EV_COUNTED; t++) {
		r.lost_all += in.counters.lost[t];
		/* counters only grow; a damaged trace is not trusted to */
		if (in.counters.lost[t] > in.base.lost[t])
			r.lost += in.counters.lost[t] - in.base.lost[t];
	}
	if (o->json)
		print_json(&r);
	else
		print_text(&r);
out:
	return ret;
}
