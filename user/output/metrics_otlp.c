// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The metrics as one OTLP ExportMetricsServiceRequest in JSON (proto3 JSON
 * mapping: 64-bit integers as strings): counters as cumulative monotonic
 * sums, gauges, the latency as an explicit-bucket histogram.  A family
 * without points is left out (receivers reject empty metrics). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "output/fields.h"
#include "output/metrics.h"
#include "util/version.h"

struct otlpm {
	struct kw_json j;
	char now[24], start[24];
	/* the family being written, opened at its first point */
	const char *name, *help, *unit;
	enum kw_mtype type;
	bool open;
};

static void family(void *ctx, const char *name, enum kw_mtype t, const char *help,
		   const char *unit)
{
	struct otlpm *o = ctx;

	o->name = name;
	o->type = t;
	o->help = help;
	/* "1" would make Prometheus' translation add _ratio to gauges */
	o->unit = strcmp(unit, "1") ? unit : "";
	o->open = false;
}

static void open_family(struct otlpm *o)
{
	struct kw_json *j = &o->j;

	if (o->open)
		return;
	o->open = true;
	kw_json_obj_begin(j, NULL);
	kw_json_str(j, "name", o->name);
	kw_json_str(j, "description", o->help);
	kw_json_str(j, "unit", o->unit);
	switch (o->type) {
	case KW_M_COUNTER:
		kw_json_obj_begin(j, "sum");
		kw_json_u64(j, "aggregationTemporality", 2);	/* CUMULATIVE */
		kw_json_bool(j, "isMonotonic", true);
		break;
	case KW_M_GAUGE:
		kw_json_obj_begin(j, "gauge");
		break;
	case KW_M_HISTOGRAM:
		kw_json_obj_begin(j, "histogram");
		kw_json_u64(j, "aggregationTemporality", 2);
		break;
	}
	kw_json_arr_begin(j, "dataPoints");
}

static void point_begin(struct otlpm *o, const struct kw_mlabel *l, int n)
{
	struct kw_json *j = &o->j;
	struct kw_fields f = kw_fields_otlp(j);

	open_family(o);
	kw_json_obj_begin(j, NULL);
	kw_json_arr_begin(j, "attributes");
	for (int i = 0; i < n; i++)
		kw_f_str(&f, KW_OTLP_ONLY(l[i].k), l[i].v);
	kw_json_arr_end(j);
	if (o->type != KW_M_GAUGE)
		kw_json_str(j, "startTimeUnixNano", o->start);
	kw_json_str(j, "timeUnixNano", o->now);
}

static void point(void *ctx, const struct kw_mlabel *l, int n, double v)
{
	struct otlpm *o = ctx;
	char s[32];

	point_begin(o, l, n);
	if (v >= 0 && v < 9e15 && (double)(uint64_t)v == v) {
		snprintf(s, sizeof(s), "%" PRIu64, (uint64_t)v);
		kw_json_str(&o->j, "asInt", s);
	} else {
		kw_json_double(&o->j, "asDouble", v);
	}
	kw_json_obj_end(&o->j);
}

static void histogram(void *ctx, const uint64_t *buckets, uint64_t count, double sum)
{
	struct otlpm *o = ctx;
	struct kw_json *j = &o->j;
	char s[32];

	point_begin(o, NULL, 0);
	snprintf(s, sizeof(s), "%" PRIu64, count);
	kw_json_str(j, "count", s);
	kw_json_double(j, "sum", sum);
	kw_json_arr_begin(j, "bucketCounts");
	for (int i = 0; i <= KW_METRICS_BUCKETS; i++) {
		uint64_t below = 0;

		if (i == KW_METRICS_BUCKETS) {	/* +Inf: what no bound held */
			for (int k = 0; k < KW_METRICS_BUCKETS; k++)
				below += buckets[k];
			snprintf(s, sizeof(s), "%" PRIu64, count - below);
		} else {
			snprintf(s, sizeof(s), "%" PRIu64, buckets[i]);
		}
		kw_json_str(j, NULL, s);
	}
	kw_json_arr_end(j);
	kw_json_arr_begin(j, "explicitBounds");
	for (int i = 0; i < KW_METRICS_BUCKETS; i++)
		kw_json_double(j, NULL, kw_metrics_bucket_le[i]);
	kw_json_arr_end(j);
	kw_json_obj_end(j);
}

static void family_end(void *ctx)
{
	struct otlpm *o = ctx;

	if (!o->open)
		return;
	kw_json_arr_end(&o->j);		/* dataPoints */
	kw_json_obj_end(&o->j);		/* sum, gauge, histogram */
	kw_json_obj_end(&o->j);		/* the metric */
	o->open = false;
}

void kw_metrics_otlp(struct kw_buf *b, const struct kw_metrics *m,
		     const struct kw_metrics_host *h, const struct kw_otlp_resource *r,
		     uint64_t now_wall_ns)
{
	struct otlpm o = {};
	struct kw_mwriter w = { .family = family, .point = point, .histogram = histogram,
				.family_end = family_end, .ctx = &o };
	struct kw_json *j = &o.j;

	snprintf(o.now, sizeof(o.now), "%" PRIu64, now_wall_ns);
	snprintf(o.start, sizeof(o.start), "%" PRIu64,
		 h->start_wall_ns ? h->start_wall_ns : now_wall_ns);
	kw_json_init(j, b);
	kw_json_obj_begin(j, NULL);
	kw_json_arr_begin(j, "resourceMetrics");
	kw_json_obj_begin(j, NULL);
	kw_otlp_resource_json(j, r);
	kw_json_arr_begin(j, "scopeMetrics");
	kw_json_obj_begin(j, NULL);
	kw_json_obj_begin(j, "scope");
	kw_json_str(j, "name", "kwhy");
	kw_json_str(j, "version", kw_version);
	kw_json_obj_end(j);
	kw_json_arr_begin(j, "metrics");
	kw_metrics_walk(m, h, &w);
	kw_json_arr_end(j);
	kw_json_obj_end(j);
	kw_json_arr_end(j);
	kw_json_obj_end(j);
	kw_json_arr_end(j);
	kw_json_obj_end(j);
}
