// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The Prometheus text exposition format, version 0.0.4: # HELP and # TYPE
 * once per family, then one line per series; label values escaped as the
 * format says (backslash, double quote, newline), and other control bytes
 * of untrusted names (containers) replaced by '?'. */
#include <math.h>
#include <stdio.h>
#include "output/metrics.h"

struct prom {
	struct kw_buf *b;
	const char *name;
	enum kw_mtype type;
};

static void value(struct kw_buf *b, double v)
{
	if (isinf(v))
		kw_buf_puts(b, v > 0 ? "+Inf" : "-Inf");
	else if (v > -1e15 && v < 1e15 && (double)(int64_t)v == v)
		kw_buf_i64(b, (int64_t)v);
	else
		kw_buf_double(b, v);
}

static void label_value(struct kw_buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '\\' || c == '"') {
			kw_buf_putc(b, '\\');
			kw_buf_putc(b, c);
		} else if (c == '\n') {
			kw_buf_puts(b, "\\n");
		} else {
			kw_buf_putc(b, c < 0x20 || c == 0x7f ? '?' : c);
		}
	}
}

static void labels(struct kw_buf *b, const struct kw_mlabel *l, int n, const char *le)
{
	if (!n && !le)
		return;
	kw_buf_putc(b, '{');
	for (int i = 0; i < n; i++) {
		kw_buf_printf(b, "%s%s=\"", i ? "," : "", l[i].k);
		label_value(b, l[i].v);
		kw_buf_putc(b, '"');
	}
	if (le)
		kw_buf_printf(b, "%sle=\"%s\"", n ? "," : "", le);
	kw_buf_putc(b, '}');
}

static void family(void *ctx, const char *name, enum kw_mtype t, const char *help,
		   const char *unit)
{
	struct prom *p = ctx;
	static const char *const types[] = { "counter", "gauge", "histogram" };
	const char *total = t == KW_M_COUNTER ? "_total" : "";

	(void)unit;
	p->name = name;
	p->type = t;
	kw_buf_printf(p->b, "# HELP %s%s %s\n# TYPE %s%s %s\n", name, total, help, name, total,
		      types[t]);
}

static void point(void *ctx, const struct kw_mlabel *l, int n, double v)
{
	struct prom *p = ctx;

	kw_buf_puts(p->b, p->name);
	if (p->type == KW_M_COUNTER)
		kw_buf_puts(p->b, "_total");
	labels(p->b, l, n, NULL);
	kw_buf_putc(p->b, ' ');
	value(p->b, v);
	kw_buf_putc(p->b, '\n');
}

static void histogram(void *ctx, const uint64_t *buckets, uint64_t count, double sum)
{
	struct prom *p = ctx;
	uint64_t cum = 0;
	char le[24];

	for (int i = 0; i < KW_METRICS_BUCKETS; i++) {
		cum += buckets[i];
		snprintf(le, sizeof(le), "%g", kw_metrics_bucket_le[i]);
		kw_buf_printf(p->b, "%s_bucket", p->name);
		labels(p->b, NULL, 0, le);
		kw_buf_putc(p->b, ' ');
		kw_buf_u64(p->b, cum);
		kw_buf_putc(p->b, '\n');
	}
	kw_buf_printf(p->b, "%s_bucket{le=\"+Inf\"} ", p->name);
	kw_buf_u64(p->b, count);
	kw_buf_printf(p->b, "\n%s_sum ", p->name);
	value(p->b, sum);
	kw_buf_printf(p->b, "\n%s_count ", p->name);
	kw_buf_u64(p->b, count);
	kw_buf_putc(p->b, '\n');
}

static void family_end(void *ctx)
{
	(void)ctx;
}

void kw_metrics_prom(struct kw_buf *b, const struct kw_metrics *m,
		     const struct kw_metrics_host *h)
{
	struct prom p = { .b = b };
	struct kw_mwriter w = { .family = family, .point = point, .histogram = histogram,
				.family_end = family_end, .ctx = &p };

	kw_metrics_walk(m, h, &w);
}
