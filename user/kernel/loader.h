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
#include "host/target.h"

struct kwhy_bpf;

/* What the command asks of the BPF side, filled from its options; the
 * kernel filter's ids come separately, in the target. */
struct kw_loader_cfg {
	uint64_t agg_window_ns;		/* in-kernel repeat counting window, 0: off */
	uint32_t ring_rare_kb;		/* ring buffer sizes in KiB, powers of two */
	uint32_t ring_bulk_kb;
	uint16_t filter_port;		/* only this port in the kernel, 0: any */
};

struct kw_loader {
	struct kwhy_bpf *skel;
	/* The rings are read apart so that the rare one comes first: see
	 * kw_loader_poll.  epfd waits on both. */
	struct ring_buffer *rb_rare, *rb_bulk;
	int epfd;
	ring_buffer_sample_fn on_record;
	void *cb_ctx;
	uint32_t bulk_n;		/* bulk records read in this batch */
	struct kw_plan plan;		/* enabled flags updated by what attached */
	struct bpf_link *links[KW_PLAN_MAX][KW_PLAN_PROGS];
	struct kw_agg_seen agg_seen;
	int ncpus;
	bool netns_by_cookie;		/* kw_target_netns keys: cookies, else inodes */
};

/* Returns 0, or -1 with a message in err (the cause and what to do).
 * vmlinux, the kernel's BTF as kwhy parsed it (or NULL), is taken: the
 * CO-RE target is cut from it (kernel/corebtf.h) and it is freed before
 * libbpf reads the kernel's BTF again. */
int kw_loader_start(struct kw_loader *l, const struct kw_loader_cfg *cfg,
		    const struct kw_features *f, const struct kw_target *t, struct btf *vmlinux,
		    ring_buffer_sample_fn on_record, void *cb_ctx, char *err, size_t errlen);
void kw_loader_stop(struct kw_loader *l);

/* Wait up to timeout_ms for records (0: do not wait), then hand them to
 * on_record: the rare ring (exits, listeners, binds, OOM kills) is emptied
 * first and again after every KW_BULK_BATCH records of the bulk ring, so a
 * storm filling the bulk ring faster than it is read never holds the rare
 * one back.  Returns after at most KW_BULK_ROUNDS bulk batches (the caller
 * flushes, then calls again: the rings stay ready).  The number of records
 * read, or a negative errno (-EINTR on a signal). */
#define KW_BULK_BATCH 256
#define KW_BULK_ROUNDS 64
int kw_loader_poll(struct kw_loader *l, int timeout_ms);

/* The target changed while running (it came back as another container,
 * or more of it was found): the filter maps get what t has and old had
 * not, then lose what old had and t has not.  0, or -1 when an id could
 * not be added. */
int kw_loader_retarget(struct kw_loader *l, const struct kw_target *old,
		       const struct kw_target *t);

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
