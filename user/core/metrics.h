/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The numbers `watch --metrics` serves and `--otlp-endpoint` pushes,
 * counted from what the pipeline puts out (events, explanations, repeat
 * summaries) and from the kernel's counters the caller hands in.  Pure:
 * the clock enters as kw_metrics_set_now(), so a replay counts the same.
 *
 * Label cardinality is bounded (docs/metrics.md): the first
 * KW_METRICS_CONTAINERS containers and KW_METRICS_PORTS destination ports
 * that refusals or deaths name get series of their own for the life of the
 * process; later ones are counted under "other".  Admission is final, so a
 * counter never moves between series (Prometheus counters must not go
 * down, and the sum over a family stays exact).
 */
#ifndef KWHY_CORE_METRICS_H
#define KWHY_CORE_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include "core/enums.h"
#include "core/explain.h"
#include "core/pipeline.h"

#define KW_METRICS_CONTAINERS 16	/* container label values, then "other" */
#define KW_METRICS_PORTS 16		/* destination port label values, then "other" */
#define KW_METRICS_REASONS 24		/* reset reason label values, then "other" */
#define KW_METRICS_LABEL_LEN 128
#define KW_METRICS_OTHER "other"
#define KW_METRICS_HOST "host"		/* not in a container */

/* explanation latency buckets, seconds (upper bounds; +Inf is implied) */
#define KW_METRICS_BUCKETS 12
extern const double kw_metrics_bucket_le[KW_METRICS_BUCKETS];

/* explanation id -> refusal series, for the repeat summaries */
#define KW_METRICS_EX_MAP 4096

enum kw_reset_dir { KW_RESET_SENT_DIR, KW_RESET_RECEIVED_DIR, KW_RESET_DIRS };

struct kw_metrics_reason {
	bool used;
	uint8_t source;			/* enum kw_conn_source: which table */
	uint32_t code;
	char name[KW_ENUM_NAME_LEN];
};

struct kw_metrics {
	/* label tables: slot n (the count) is "other" */
	uint32_t n_containers;
	char containers[KW_METRICS_CONTAINERS][KW_METRICS_LABEL_LEN];
	uint32_t n_ports;
	uint16_t ports[KW_METRICS_PORTS];
	struct kw_metrics_reason reasons[KW_METRICS_REASONS];

	/* refused connections: explanations and their repeats */
	uint64_t refusals[KW_CAUSE_MAX][KW_METRICS_CONTAINERS + 1][KW_METRICS_PORTS + 1];
	/* deaths: OOM kills (memcg_limit, global_oom) and kills */
	uint64_t deaths[KW_CAUSE_MAX][KW_METRICS_CONTAINERS + 1];
	uint64_t explanations[KW_CAUSE_MAX];
	/* resets by direction and reason (slot KW_METRICS_REASONS: other,
	 * slot KW_METRICS_REASONS + 1: no reason known) */
	uint64_t resets[KW_RESET_DIRS][KW_METRICS_REASONS + 2];
	/* what reached the pipeline, by event type */
	uint64_t delivered[KW_EV_MAX];

	/* explanation latency: from the first event to the explanation */
	uint64_t lat_buckets[KW_METRICS_BUCKETS];	/* not cumulative */
	uint64_t lat_count;
	uint64_t lat_sum_ns;

	struct {
		uint64_t id;
		uint8_t cause;
		uint8_t ctr, port;
	} ex_map[KW_METRICS_EX_MAP];

	uint64_t now_ns;		/* boot ns, from the caller; 0: unknown */
	const struct kw_enum_table *rst_reasons, *drop_reasons;
};

/* What the caller reads elsewhere (the kernel, the HTTP and OTLP sides)
 * and hands to the renderers with the counts above. */
#define KW_METRICS_PROGS 48

struct kw_metrics_prog {
	char name[32];
	uint64_t run_ns, run_cnt;
};

struct kw_metrics_host {
	bool have_counters;
	struct kw_counters counters;
	uint64_t decode_errors;
	bool have_rings;
	uint64_t ring_size[2], ring_used[2];	/* rare, bulk */
	int bpf_stats;			/* kernel.bpf_stats_enabled: 1, 0, -1 unknown */
	uint32_t n_progs;
	struct kw_metrics_prog progs[KW_METRICS_PROGS];
	bool have_otlp;			/* --otlp-endpoint */
	uint64_t otlp_sent[2], otlp_failed[2], otlp_dropped[2];	/* metrics, logs */
	uint64_t start_wall_ns;		/* kwhy started, wall clock */
};

void kw_metrics_init(struct kw_metrics *m, const struct kw_enum_table *rst,
		     const struct kw_enum_table *drop);
/* the boot-clock time of the explanations that follow (live: now) */
void kw_metrics_set_now(struct kw_metrics *m, uint64_t boot_ns);
/* what the pipeline's sinks get */
void kw_metrics_event(struct kw_metrics *m, const struct kw_event *ev);
void kw_metrics_explanation(struct kw_metrics *m, const struct kw_explanation *ex);
void kw_metrics_summary(struct kw_metrics *m, const struct kw_summary *s);

/* label values of a slot; "other" past the table */
const char *kw_metrics_container(const struct kw_metrics *m, uint32_t slot);
/* "other" for the last slot; else the port in buf */
const char *kw_metrics_port(const struct kw_metrics *m, uint32_t slot, char *buf, size_t len);
const char *kw_metrics_reason(const struct kw_metrics *m, uint32_t slot);
bool kw_metrics_is_death(uint8_t cause);

#endif
