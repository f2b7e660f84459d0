// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The target of replay and export: the trace is read once per pass of
 * core/target.c's scan, which applies the same --container rule as live
 * watching to the cgroup records the trace holds.
 */
#include <stdio.h>
#include "cmd/replay.h"
#include "cmd/target_offline.h"

struct offline_scan {
	struct kw_target_scan *sc;
	struct kw_target *t;
};

static void scan_frame(void *ctx, const struct kw_frame *fr)
{
	struct offline_scan *s = ctx;

	if (fr->kind == KW_FRAME_EVENT)
		kw_target_scan_event(s->sc, s->t, &fr->ev);
}

int kw_offline_target(const struct kw_opts *o, struct kw_target *t)
{
	struct kw_trace_info info;
	struct kw_target_scan sc;
	struct offline_scan ctx = { &sc, t };
	int ret;

	kw_target_scan_init(&sc, t, o->container, o->pid);
	if (!t->on)
		return 0;
	do {
		ret = kw_read_trace(o->file, &info, scan_frame, &ctx, "read");
	} while (ret == KW_EXIT_OK && kw_target_scan_next(&sc));
	if (ret)
		return ret;
	if (!kw_target_scan_found(&sc, t)) {
		fprintf(stderr, "kwhy: --container %s: no such container in %s (compare the names "
			"in 'kwhy export %s --format jsonl', type cgroup)\n", o->container, o->file,
			o->file);
		return KW_EXIT_USAGE;
	}
	return 0;
}
