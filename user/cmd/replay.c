// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `kwhy replay FILE` and `kwhy info FILE`: no root, no BPF.  A trace holds
 * exactly what the live pipeline was fed (events, enrichment records, flush
 * points), so replay runs the same pipeline into the same output code and
 * gives the same explanations.  --container, --pid and --port filter
 * offline, from the cgroup records in the trace (target_offline.c).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util/json.h"
#include "core/names.h"
#include "output/sinks.h"
#include "cmd/replay.h"
#include "util/escape.h"
#include "cmd/target_offline.h"
#include "trace/trace.h"

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

/* ---- reading a whole trace ---- */

int kw_read_trace(const char *path, struct kw_trace_info *info, kw_frame_fn fn, void *ctx,
		  const char *done)
{
	FILE *f = fopen(path, "rb");
	struct kw_trace_reader *r;
	static struct kw_frame fr;
	char err[320];
	int ret = KW_EXIT_OK, n;

	if (!f) {
		fprintf(stderr, "kwhy: cannot open %s: %m\n", path);
		return KW_EXIT_RUNTIME;
	}
	r = kw_trace_read_open(f, info, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "kwhy: %s: %s\n", path, err);
		fclose(f);
		return KW_EXIT_RUNTIME;
	}
	while ((n = kw_trace_next(r, &fr, err, sizeof(err))) == 1)
		if (fn)
			fn(ctx, &fr);
	if (kw_trace_truncated(r)) {
		/* the file just ends: what a killed recorder leaves */
		fprintf(stderr, "kwhy: %s ends without its end mark (the recorder was stopped "
			"hard?)%s%s; everything before was %s\n", path, n < 0 ? ": " : "",
			n < 0 ? err : "", done);
	} else if (n < 0) {
		fprintf(stderr, "kwhy: %s: %s; what came before it was %s\n", path, err, done);
		ret = KW_EXIT_RUNTIME;
	}
	kw_trace_read_close(r);
	fclose(f);
	return ret;
}

/* ---- replay ---- */

struct replay {
	const struct kw_opts *o;
	struct kw_target target;
	struct kw_output out;
	struct kw_pipeline pipeline;
};

static void replay_frame(void *ctx, const struct kw_frame *fr)
{
	struct replay *rp = ctx;

	switch (fr->kind) {
	case KW_FRAME_EVENT:
		if (kw_target_wants_any(&rp->target, rp->o->port, &fr->ev))
			kw_pipeline_event(&rp->pipeline, &fr->ev);
		break;
	case KW_FRAME_FLUSH:
		kw_pipeline_flush_at(&rp->pipeline, fr->flush_ns);
		break;
	default:
		break;
	}
}

int kw_trace_header(const char *path, struct kw_trace_info *info)
{
	FILE *f = fopen(path, "rb");
	struct kw_trace_reader *r;
	char err[320];

	if (!f) {
		fprintf(stderr, "kwhy: cannot open %s: %m\n", path);
		return KW_EXIT_RUNTIME;
	}
	r = kw_trace_read_open(f, info, err, sizeof(err));
	if (!r)
		fprintf(stderr, "kwhy: %s: %s\n", path, err);
	kw_trace_read_close(r);
	fclose(f);
	return r ? 0 : KW_EXIT_RUNTIME;
}

int kw_replay_into(const struct kw_opts *o, FILE *out, bool json)
{
	static struct replay rp;
	static struct kw_trace_info info;
	struct kw_fmt_ctx fmt = {};
	struct kw_pipeline_cfg pc = {};
	struct kw_sinks sinks;
	int ret;

	memset(&rp, 0, sizeof(rp) - sizeof(rp.pipeline));
	rp.o = o;
	ret = kw_trace_header(o->file, &info) ?: kw_offline_target(o, &rp.target);
	if (ret)
		return ret;
	fmt.boot_to_wall_ns = info.boot_to_wall_ns;
	fmt.rst_reasons = &info.rst_reasons;
	fmt.drop_reasons = &info.drop_reasons;
	fmt.utc = o->utc;
	fmt.color = !json && out == stdout && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	kw_output_init(&rp.out, out, json, &fmt);
	pc.model.recent_ns = o->window_ns;
	pc.rst_reasons = &info.rst_reasons;
	pc.drop_reasons = &info.drop_reasons;
	sinks = kw_output_sinks(&rp.out);
	kw_pipeline_init(&rp.pipeline, &pc, &sinks);
	ret = kw_read_trace(o->file, &info, replay_frame, &rp, "replayed");
	kw_pipeline_finish(&rp.pipeline);
	if (fflush(out) || rp.out.failed) {
		fprintf(stderr, "kwhy: writing the output failed\n");
		ret = KW_EXIT_RUNTIME;
	}
	return ret;
}

int kw_replay(const struct kw_opts *o)
{
	return kw_replay_into(o, stdout, o->json);
}

/* ---- info ---- */

struct info {
	uint64_t frames, flushes;
	uint64_t per_type[KW_EV_MAX];
	uint64_t per_cause[KW_CAUSE_MAX];
	uint64_t first_ns, last_ns;
	struct kw_counters counters;
	bool have_counters;
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
		in->counters = fr->counters;
		in->have_counters = true;
	} else {
		if (fr->ev.hdr.type < KW_EV_MAX)
			in->per_type[fr->ev.hdr.type]++;
		if (ts && fr->ev.hdr.type != KW_EV_REPEAT) {
			if (!in->first_ns || ts < in->first_ns)
				in->first_ns = ts;
			if (ts > in->last_ns)
				in->last_ns = ts;
		}
		kw_pipeline_event(&in->pipeline, &fr->ev);
	}
}

int kw_info(const struct kw_opts *o)
{
	static struct info in;
	static struct kw_trace_info info;
	struct kw_pipeline_cfg pc = {};
	struct kw_sinks sinks = { .explanation = info_expl, .ctx = &in };
	char line[16384], t0[48], t1[48];
	struct kw_buf b = KW_BUF_INIT(line), b0 = KW_BUF_INIT(t0), b1 = KW_BUF_INIT(t1);
	struct kw_json j;
	uint64_t lost = 0;
	int ret;

	memset(&in, 0, sizeof(in) - sizeof(in.pipeline));
	ret = kw_trace_header(o->file, &info);
	if (ret)
		return ret;
	pc.rst_reasons = &info.rst_reasons;
	pc.drop_reasons = &info.drop_reasons;
	kw_pipeline_init(&in.pipeline, &pc, &sinks);
	ret = kw_read_trace(o->file, &info, info_frame, &in, "counted");
	kw_pipeline_finish(&in.pipeline);
	kw_fmt_time_rfc3339(&b0, (int64_t)in.first_ns + info.boot_to_wall_ns);
	kw_fmt_time_rfc3339(&b1, (int64_t)in.last_ns + info.boot_to_wall_ns);
	for (int t = 0; t < KW_EV_MAX; t++)
		lost += in.counters.lost[t];

	kw_json_init(&j, &b);
	kw_json_obj_begin(&j, NULL);
	kw_json_str(&j, "file", o->file);
	kw_json_u64(&j, "format", info.format);
	kw_json_str(&j, "kwhy", info.kwhy_version);
	kw_json_str(&j, "host", info.host);
	kw_json_str(&j, "kernel", info.kernel);
	kw_json_str(&j, "boot_id", info.boot_id);
	kw_json_str(&j, "started", info.started);
	kw_json_u64(&j, "part", info.part);
	kw_json_str(&j, "target", info.target[0] ? info.target : NULL);
	kw_json_str(&j, "attached", info.attached);
	kw_json_str(&j, "first_event", in.first_ns ? t0 : NULL);
	kw_json_str(&j, "last_event", in.last_ns ? t1 : NULL);
	kw_json_u64(&j, "frames", in.frames);
	kw_json_u64(&j, "flush_points", in.flushes);
	kw_json_obj_begin(&j, "events");
	for (int t = 1; t < KW_EV_MAX; t++)
		if (in.per_type[t])
			kw_json_u64(&j, kw_event_name(t), in.per_type[t]);
	kw_json_obj_end(&j);
	kw_json_obj_begin(&j, "explanations");
	for (int c = 1; c < KW_CAUSE_MAX; c++)
		if (in.per_cause[c])
			kw_json_u64(&j, kw_cause_name(c), in.per_cause[c]);
	kw_json_obj_end(&j);
	if (in.have_counters)
		kw_json_u64(&j, "lost_events", lost);
	else
		kw_json_null(&j, "lost_events");
	kw_json_obj_end(&j);
	if (o->json) {
		puts(line);
		return ret;
	}
	printf("trace       %s (format %u, kwhy %s, part %u)\n", esc(o->file), info.format,
	       esc(info.kwhy_version), info.part);
	printf("recorded on %s, kernel %s, boot %s\n", esc(info.host), esc(info.kernel),
	       esc(info.boot_id));
	printf("target      %s\n", info.target[0] ? esc(info.target) : "the whole host");
	printf("time        %s .. %s\n", in.first_ns ? t0 : "-", in.last_ns ? t1 : "-");
	printf("attached    %s\n", esc(info.attached));
	printf("events     ");
	for (int t = 1; t < KW_EV_MAX; t++)
		if (in.per_type[t])
			printf(" %s %" PRIu64, kw_event_name(t), in.per_type[t]);
	printf("\nexplained  ");
	for (int c = 1; c < KW_CAUSE_MAX; c++)
		if (in.per_cause[c])
			printf(" %s %" PRIu64, kw_cause_name(c), in.per_cause[c]);
	if (in.have_counters)
		printf("\nlost        %" PRIu64 " events (ring buffer full)\n", lost);
	else
		printf("\nlost        unknown (no counters in the trace)\n");
	return ret;
}
