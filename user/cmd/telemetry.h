/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * `watch --metrics` and `--otlp-endpoint`: the pipeline's results counted
 * (core/metrics.c) on their way to the printing sinks, the metrics page
 * served from the event loop (net/http.c), and metrics and explanations
 * pushed over OTLP by a worker thread (net/otlp_push.c).  Nothing here
 * waits: the page is rendered when asked, a push is a copy into a bounded
 * queue.
 */
#ifndef KWHY_CMD_TELEMETRY_H
#define KWHY_CMD_TELEMETRY_H

#include <stdbool.h>
#include <stdint.h>
#include "core/metrics.h"
#include "core/pipeline.h"
#include "kernel/kstats.h"
#include "kernel/loader.h"
#include "net/http.h"
#include "net/otlp_push.h"
#include "output/metrics.h"

#define KW_TELEMETRY_PAGE_MAX (1u << 20)	/* a metrics page or request */
#define KW_TELEMETRY_LOGS_MAX (256u << 10)	/* a logs request */
#define KW_TELEMETRY_LOGS_BATCH 128		/* log records per request */
#define KW_TELEMETRY_LOGS_EVERY_NS (1ULL * 1000000000ULL)
#define KW_TELEMETRY_PUSH_EVERY_NS (5ULL * 1000000000ULL)
#define KW_TELEMETRY_STOP_WAIT_MS 5000		/* the last pushes, at exit */

struct kw_telemetry {
	bool on;			/* --metrics or --otlp-endpoint */
	const char *endpoint;
	struct kw_metrics metrics;
	struct kw_sinks out;		/* where everything goes on to */
	struct kw_http *http;
	struct kw_push *push;
	struct kw_loader *loader;	/* NULL until attached */
	struct kw_kstats kstats;
	const uint64_t *decode_errors;
	uint64_t start_wall_ns;
	int64_t boot_to_wall_ns;
	/* OTLP */
	struct kw_otlp_resource res;
	char host[256], kernel[65], boot_id[40], target[256];
	char *page;			/* a metrics request */
	char *logs;			/* a logs request being filled */
	struct kw_buf logs_b;
	size_t logs_head_len;
	uint32_t logs_n;
	uint64_t logs_since_ns, next_push_ns;
};

/* Before the BPF side: listen (a taken port fails now), start the push.
 * 0, or an exit code after saying why on stderr. */
int kw_telemetry_start(struct kw_telemetry *t, const char *metrics, const char *endpoint,
		       const char *kernel, const char *target, const struct kw_enum_table *rst,
		       const struct kw_enum_table *drop, int64_t boot_to_wall_ns);
/* the BPF side is up: its counters, rings and programs */
void kw_telemetry_attach(struct kw_telemetry *t, struct kw_loader *l,
			 const uint64_t *decode_errors);
/* sinks for the pipeline that count, then pass on to out */
struct kw_sinks kw_telemetry_sinks(struct kw_telemetry *t, const struct kw_sinks *out);
/* the clock of the explanations that follow (boot ns) */
void kw_telemetry_now(struct kw_telemetry *t, uint64_t boot_ns);
/* an fd to wait on with the rings, -1 when nothing is served */
int kw_telemetry_fd(const struct kw_telemetry *t);
/* answer scrapes, push what is due, say a failed push once (mono ns) */
void kw_telemetry_tick(struct kw_telemetry *t, uint64_t now_mono_ns);
/* the last pushes (bounded wait), then everything closed */
void kw_telemetry_stop(struct kw_telemetry *t);

#endif
