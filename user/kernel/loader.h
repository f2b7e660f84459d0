/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The BPF side's lifecycle: open the embedded skeleton, enable the program
 * variants the plan chose, load, attach each one and report what did not
 * work, expose the ring buffers, counters and the aggregation map. */
#ifndef KWHY_LOADER_H
#define KWHY_LOADER_H

#include <bpf/libbpf.h>
#include "kernel/aggseen.h"
#include "core/event.h"
#include "kernel/probe.h"
#include "cmd/opts.h"
#include "host/target.h"

struct kwhy_bpf;

struct kw_loader {
	struct kwhy_bpf *skel;
	struct ring_buffer *rb;
	struct kw_plan plan;		/* enabled flags updated by what attached */
	struct bpf_link *links[KW_PLAN_MAX][KW_PLAN_PROGS];
	struct kw_agg_seen agg_seen;
	int ncpus;
};

/* Returns 0, or -1 with a message in err (the cause and what to do). */
int kw_loader_start(struct kw_loader *l, const struct kw_opts *o, const struct kw_features *f,
		    const struct kw_target *t, ring_buffer_sample_fn on_record, void *cb_ctx,
		    char *err, size_t errlen);
void kw_loader_stop(struct kw_loader *l);

/* Sum of the per-CPU counters. */
int kw_loader_counters(struct kw_loader *l, struct kw_counters *sum);

/* Turn new in-kernel repeat counts into REPEAT records, via emit(). */
typedef void (*kw_emit_fn)(const struct kw_event *ev, void *ctx);
void kw_loader_drain_repeats(struct kw_loader *l, kw_emit_fn emit, void *ctx);

/* A process holding a listening socket opened before kwhy: report its exit */
void kw_loader_note_listener_proc(struct kw_loader *l, uint32_t tgid);

/* Route libbpf's messages: debug ones only when verbose; the last error
 * lines are kept for kw_loader_start's message. */
void kw_loader_set_verbose(bool verbose);

#endif
