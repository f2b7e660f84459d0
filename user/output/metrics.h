/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The metrics as families of series, walked once (metrics.c) for every
 * format: the Prometheus text exposition (metrics_prom.c) and OTLP/JSON
 * metrics (metrics_otlp.c).  docs/metrics.md lists every family.
 */
#ifndef KWHY_OUTPUT_METRICS_H
#define KWHY_OUTPUT_METRICS_H

#include <stdint.h>
#include "core/metrics.h"
#include "output/otlp.h"
#include "util/buf.h"

enum kw_mtype { KW_M_COUNTER, KW_M_GAUGE, KW_M_HISTOGRAM };

struct kw_mlabel {
	const char *k, *v;
};

#define KW_MLABELS_MAX 3

/* what a format does with each family and each of its points */
struct kw_mwriter {
	/* name without the _total a Prometheus counter gets; unit as UCUM
	 * ("s", "By", "1") */
	void (*family)(void *ctx, const char *name, enum kw_mtype t, const char *help,
		       const char *unit);
	void (*point)(void *ctx, const struct kw_mlabel *l, int n, double v);
	/* buckets not cumulative, one per kw_metrics_bucket_le, then +Inf */
	void (*histogram)(void *ctx, const uint64_t *buckets, uint64_t count, double sum);
	void (*family_end)(void *ctx);
	void *ctx;
};

void kw_metrics_walk(const struct kw_metrics *m, const struct kw_metrics_host *h,
		     const struct kw_mwriter *w);

/* The Prometheus text format (version 0.0.4) into b; b->truncated when it
 * did not fit. */
void kw_metrics_prom(struct kw_buf *b, const struct kw_metrics *m,
		     const struct kw_metrics_host *h);

/* One ExportMetricsServiceRequest (OTLP/HTTP JSON): cumulative sums,
 * gauges and a histogram, stamped now_wall_ns, started start_wall_ns. */
void kw_metrics_otlp(struct kw_buf *b, const struct kw_metrics *m,
		     const struct kw_metrics_host *h, const struct kw_otlp_resource *r,
		     uint64_t now_wall_ns);

#endif
