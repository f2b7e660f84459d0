/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The pure part of kwhy: decoded events in, events (numbered), explanations
 * and repeat summaries out.  Its only inputs are the events and flush
 * points (the end of each batch the ring buffers delivered), so a recorded
 * stream with its flush points replays into the same output.
 *
 * A refusal is explained when the batch it arrived in ends, so the client
 * side (connect_failed, which follows the server's reset) can be named.
 * The first occurrence of each (cause, namespace, destination) is
 * explained; repeats, including those counted in the kernel, are summed
 * into it and summarised every summary interval and at the end.
 */
#ifndef KWHY_PIPELINE_H
#define KWHY_PIPELINE_H

#include "core/explain.h"
#include "core/enums.h"
#include "core/model.h"

#define KW_PENDING_MAX 32
/* explanations kept for counting repeats: hashed by destination into
 * buckets; a full bucket drops its least recently seen entry */
#define KW_DEDUP_BUCKETS 256
#define KW_DEDUP_WAYS 8
#define KW_DEDUP_MAX (KW_DEDUP_BUCKETS * KW_DEDUP_WAYS)

struct kw_summary {
	uint64_t explanation_id;
	uint8_t cause;
	uint32_t netns;
	struct kw_addr dest;
	uint64_t count;			/* new since the previous summary */
	uint64_t total;			/* since the explanation */
	uint64_t since_ns;		/* window start (previous summary) */
	uint64_t ts_ns;			/* now, by event time */
	bool final;
};

struct kw_sinks {
	void (*event)(void *ctx, const struct kw_event *ev, uint64_t id);
	void (*explanation)(void *ctx, const struct kw_explanation *ex);
	void (*summary)(void *ctx, const struct kw_summary *s);
	void *ctx;
};

struct kw_pipeline_cfg {
	struct kw_model_cfg model;
	uint64_t summary_every_ns;	/* default 5 s */
	const struct kw_enum_table *rst_reasons;
	const struct kw_enum_table *drop_reasons;
};

struct kw_dedup {
	bool used;
	bool server_side;		/* counts come from reset_sent */
	uint8_t cause;
	uint32_t netns;
	struct kw_addr dest;
	uint64_t explanation_id;
	uint64_t count, reported;
	uint64_t first_ns, last_ns, last_summary_ns;
};

/*
 * A SYN dropped by a packet filter waits here for what tells the filter's
 * mode: its client's refusal (a reset: tcp-reset; none: icmp), or the same
 * SYN dropped again (drop, the client got nothing).  Without either, once
 * a retry would have come (the first SYN retransmit is 1 s after), the
 * client was answered: a reset.
 */
#define KW_FW_PENDING 16
#define KW_FW_RETRY_WAIT_NS (1500ULL * 1000000ULL)

struct kw_fw_pending {
	bool used;
	uint64_t deadline_ns;
	struct kw_explanation ex;
};

/* A reset sent by a closed connection (TIME_WAIT, FIN_WAIT2) waits
 * KW_CLIENT_WAIT_NS for its client's reset_after_close: then both are one
 * keepalive_race story. */
#define KW_HELD_RESETS 8

struct kw_held_reset {
	bool used;
	uint64_t id;
	struct kw_ev_conn ev;
};

struct kw_pipeline {
	struct kw_pipeline_cfg cfg;
	struct kw_sinks sinks;
	uint64_t next_event_id;
	uint64_t next_explanation_id;
	uint64_t flush_ns;		/* time of the flush point being made */
	uint32_t nr_pending;
	struct kw_explanation pending[KW_PENDING_MAX];
	struct kw_dedup dedup[KW_DEDUP_MAX];
	struct kw_explanation scratch;
	struct kw_explanation scratch2;	/* the server side of a timeout */
	struct kw_fw_pending fw[KW_FW_PENDING];
	struct kw_held_reset held[KW_HELD_RESETS];
	struct kw_model model;		/* last: the big one */
};

void kw_pipeline_init(struct kw_pipeline *p, const struct kw_pipeline_cfg *cfg,
		      const struct kw_sinks *sinks);
void kw_pipeline_event(struct kw_pipeline *p, const struct kw_event *ev);
/*
 * End of a delivery batch: pending refusals whose client is known, or that
 * already waited one flush point for it, go out; summaries that are due.
 * The caller flushes again soon (a few ms) while kw_pipeline_pending().
 */
void kw_pipeline_flush(struct kw_pipeline *p);
/* the same at a known moment (boot ns): a refusal waits for its client's
 * event until KW_CLIENT_WAIT_NS after it; live, watch passes the clock,
 * and the trace records it for replay */
void kw_pipeline_flush_at(struct kw_pipeline *p, uint64_t now_ns);
bool kw_pipeline_pending(const struct kw_pipeline *p);

#define KW_CLIENT_WAIT_NS (15ULL * 1000000ULL)
/* end of the stream: flush, then final summaries */
void kw_pipeline_finish(struct kw_pipeline *p);

#endif
