// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * `kwhy replay FILE`: no root, no BPF.  A trace holds
 * exactly what the live pipeline was fed (events, enrichment records, flush
 * points), so replay runs the same pipeline into the same output code and
 * gives the same explanations.  --container, --pid and --port filter
 * offline, from the cgroup records in the trace (target_offline.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "output/sinks.h"
#include "cmd/replay.h"
#include "trace/trace.h"

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
		goto out;
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
out:
	return ret;
}

int kw_replay(const struct kw_opts *o)
{
	return kw_replay_into(o, stdout, o->json);
}
