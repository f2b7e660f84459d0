// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The report's timeline: one band per container (or the host, a service),
 * time running left to right over the trace, UTC.  In each band, from the
 * top: the listeners' lifetimes (a bar each, lanes so that none overlap),
 * deaths and kills (an OOM kill is a red line through the band with its
 * memory against the limit as a gauge; exits, kills and signals are
 * dots and marks), and refusals per second stacked by cause.  The colours
 * are constants: tests/report/run.sh looks for them in a screenshot.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include "core/names.h"
#include "output/report.h"
#include "output/svg.h"
#include "util/textfmt.h"

#define W 1100.0
#define LABEL_X 8.0
#define PLOT_X 250.0
#define PLOT_W 830.0
#define AXIS_H 30.0
#define HEAD_H 22.0
#define LANE_H 16.0
#define MARK_H 26.0
#define REFUSE_H 40.0
#define GAP_H 14.0
#define LEGEND_H 58.0
#define MAX_LANES 12
#define MAX_BUCKETS 280

#define C_LISTEN "#1f77b4"	/* a listener's life */
#define C_LISTEN_BEFORE "#6baed6" /* ... begun before the trace */
#define C_OOM "#d62728"		/* an OOM kill */
#define C_MEM "#ff9896"		/* memory used, against the limit's frame */
#define C_EXIT "#7f7f7f"	/* an exit with a code */
#define C_KILLED "#8c564b"	/* an exit by a signal */
#define C_SIGNAL "#9467bd"	/* SIGKILL/SIGTERM sent */
#define C_GRID "#e4e4e4"
#define C_TEXT "#222222"
#define C_MUTED "#666666"
#define C_BAND "#f6f6f6"

static const char *cause_color(uint8_t cause)
{
	static const char *const colors[KW_CAUSE_MAX] = {
		[KW_CAUSE_WRONG_ADDRESS] = "#ff7f0e",
		[KW_CAUSE_WRONG_FAMILY] = "#bcbd22",
		[KW_CAUSE_LISTENER_EXITED] = "#e377c2",
		[KW_CAUSE_CRASH_LOOP] = "#843c39",
		[KW_CAUSE_BIND_FAILED] = "#17becf",
		[KW_CAUSE_WRONG_PORT] = "#2ca02c",
		[KW_CAUSE_WRONG_NETNS] = "#393b79",
		[KW_CAUSE_NO_LISTENER] = "#f5b800",
		[KW_CAUSE_REMOTE] = "#637939",
	};

	return cause < KW_CAUSE_MAX && colors[cause] ? colors[cause] : "#999999";
}

/* the time the plot spans, boot ns, never empty */
struct scale {
	uint64_t t0, t1;
	uint64_t bucket_s;		/* seconds per refusal bar */
	uint32_t nr_buckets;
	uint64_t max_bucket;		/* the highest bar, for the height */
};

static double x_of(const struct scale *s, uint64_t ns)
{
	if (ns <= s->t0)
		return PLOT_X;
	if (ns >= s->t1)
		return PLOT_X + PLOT_W;
	return PLOT_X + (double)(ns - s->t0) / (double)(s->t1 - s->t0) * PLOT_W;
}

/* refusals of one track per bucket and cause */
static uint64_t buckets[MAX_BUCKETS][KW_CAUSE_MAX];

static void fill_buckets(const struct scale *s, const struct kw_report_track *t)
{
	uint64_t s0 = s->t0 / 1000000000ULL;

	memset(buckets, 0, sizeof(buckets));
	for (uint32_t i = 0; i < t->nr_points; i++) {
		const struct kw_report_point *p = &t->points[i];
		uint64_t k = p->sec >= s0 ? (p->sec - s0) / s->bucket_s : 0;

		if (k >= s->nr_buckets)
			k = s->nr_buckets - 1;
		if (p->cause < KW_CAUSE_MAX)
			buckets[k][p->cause] += p->count;
	}
}

static void make_scale(struct scale *s, const struct kw_report *r,
		       const struct kw_report_track *const *tracks, uint32_t n)
{
	uint64_t secs;

	s->t0 = r->c->first_ns;
	s->t1 = r->c->last_ns;
	for (uint32_t i = 0; i < n; i++)	/* listeners from before the trace */
		for (uint32_t k = 0; k < tracks[i]->nr_spans; k++)
			if (tracks[i]->spans[k].start_ns && tracks[i]->spans[k].start_ns < s->t0)
				s->t0 = tracks[i]->spans[k].start_ns;
	if (s->t1 < s->t0 + 1000000000ULL)
		s->t1 = s->t0 + 1000000000ULL;
	secs = (s->t1 / 1000000000ULL) - (s->t0 / 1000000000ULL) + 1;
	s->bucket_s = (secs + MAX_BUCKETS - 1) / MAX_BUCKETS;
	if (!s->bucket_s)
		s->bucket_s = 1;
	s->nr_buckets = (secs + s->bucket_s - 1) / s->bucket_s;
	s->max_bucket = 1;
	for (uint32_t i = 0; i < n; i++) {
		fill_buckets(s, tracks[i]);
		for (uint32_t k = 0; k < s->nr_buckets; k++) {
			uint64_t sum = 0;

			for (int c = 0; c < KW_CAUSE_MAX; c++)
				sum += buckets[k][c];
			if (sum > s->max_bucket)
				s->max_bucket = sum;
		}
	}
}

/* lanes: the first whose last span ended before this one began */
static uint32_t lanes_of(const struct kw_report_track *t, uint8_t *lane)
{
	uint64_t end[MAX_LANES] = {};
	uint32_t used = 0;
	uint32_t order[KW_REPORT_SPANS];

	for (uint32_t i = 0; i < t->nr_spans; i++)
		order[i] = i;
	/* by start: insertion sort, few spans */
	for (uint32_t i = 1; i < t->nr_spans; i++)
		for (uint32_t k = i; k > 0 && t->spans[order[k]].start_ns <
					      t->spans[order[k - 1]].start_ns; k--) {
			uint32_t x = order[k];

			order[k] = order[k - 1];
			order[k - 1] = x;
		}
	for (uint32_t i = 0; i < t->nr_spans; i++) {
		const struct kw_report_span *sp = &t->spans[order[i]];
		uint32_t l = 0;

		while (l < used && end[l] > sp->start_ns)
			l++;
		if (l == MAX_LANES)	/* all taken: the last one, overlapping */
			l = MAX_LANES - 1;
		if (l == used && used < MAX_LANES)
			used++;
		end[l] = sp->end_ns;
		lane[order[i]] = l;
	}
	return used ? used : 1;
}

static double track_height(uint32_t lanes)
{
	return HEAD_H + lanes * LANE_H + MARK_H + REFUSE_H + GAP_H;
}

/* a round step for about 8 ticks over span ns */
static uint64_t tick_step(uint64_t span)
{
	static const uint64_t steps_ms[] = {
		10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000,
		120000, 300000, 600000, 900000, 1800000, 3600000, 7200000, 21600000, 43200000,
		86400000,
	};

	for (size_t i = 0; i < sizeof(steps_ms) / sizeof(steps_ms[0]); i++)
		if (span / (steps_ms[i] * 1000000ULL) <= 8)
			return steps_ms[i] * 1000000ULL;
	/* days: still about 8 ticks, however long the span (a crafted trace's
	 * times may be centuries apart) */
	return (span / 8 / (86400000ULL * 1000000ULL) + 1) * (86400000ULL * 1000000ULL);
}

static void axis(FILE *f, const struct kw_report *r, const struct scale *s, double h)
{
	uint64_t step = tick_step(s->t1 - s->t0);
	int64_t off = r->c->info.boot_to_wall_ns;
	/* ticks at round wall-clock times; the times and the offset come from
	 * the trace, so the wall clock saturates (kw_boot_to_wall) and the
	 * ticks are counted in boot time, stopping where that would wrap */
	int64_t w0 = kw_boot_to_wall(s->t0, off);
	uint64_t into = (uint64_t)((w0 % (int64_t)step + (int64_t)step) % (int64_t)step);
	uint64_t t;

	kw_svg_text(f, LABEL_X, 18, "start", 12, C_MUTED, "time (UTC)");
	if (__builtin_add_overflow(s->t0, step - into, &t))
		return;
	while (t <= s->t1) {
		double x = x_of(s, t);
		char label[32];
		struct kw_buf b = KW_BUF_INIT(label);

		kw_fmt_time_short(&b, kw_boot_to_wall(t, off), true);
		if (step >= 1000000000ULL)	/* whole seconds: no .000 */
			label[8] = '\0';
		kw_svg_line(f, x, AXIS_H - 6, x, h - LEGEND_H, C_GRID, 1);
		kw_svg_text(f, x, 18, "middle", 11, C_MUTED, label);
		if (__builtin_add_overflow(t, step, &t))
			break;
	}
}

static void spans(FILE *f, const struct kw_report *r, const struct scale *s,
		  const struct kw_report_track *t, double y, unsigned int *clip)
{
	uint8_t lane[KW_REPORT_SPANS];

	lanes_of(t, lane);
	kw_svg_text(f, LABEL_X + 10, y + 12, "start", 11, C_MUTED, "listeners");
	for (uint32_t i = 0; i < t->nr_spans; i++) {
		const struct kw_report_span *sp = &t->spans[i];
		double x0 = x_of(s, sp->start_ns), x1 = x_of(s, sp->end_ns);
		double ly = y + lane[i] * LANE_H + 2;
		char title[400], a[32], b[32];
		struct kw_buf tb = KW_BUF_INIT(title), ab = KW_BUF_INIT(a), bb = KW_BUF_INIT(b);

		if (x1 - x0 < 2)
			x1 = x0 + 2;
		kw_report_clock(&ab, r, sp->start_ns);
		kw_report_clock(&bb, r, sp->end_ns);
		kw_buf_printf(&tb, "listen %s: %s%s to %s, %s", sp->label,
			      sp->from_before ? "before the trace, seen at " : "", a, b, sp->end);
		kw_svg_rect(f, x0, ly, x1 - x0, LANE_H - 4,
			    sp->from_before ? C_LISTEN_BEFORE : C_LISTEN, title);
		if (x1 - x0 > 40)
			kw_svg_text_clipped(f, x0 + 3, ly + 10, x1 - x0 - 6, 10, "#ffffff",
					    sp->label, (*clip)++);
	}
	if (t->spans_dropped) {
		char more[64];

		snprintf(more, sizeof(more), "+%" PRIu64 " more not drawn", t->spans_dropped);
		kw_svg_text(f, LABEL_X + 10, y + 26, "start", 10, C_MUTED, more);
	}
}

static void oom_mark(FILE *f, const struct kw_report_mark *m, double x, double y,
		     double band_top, double band_bottom, bool label)
{
	char title[400], used[32], lim[32];
	struct kw_buf tb = KW_BUF_INIT(title), ub = KW_BUF_INIT(used), lb = KW_BUF_INIT(lim);
	double frac = 1, gh = MARK_H - 6;

	kw_fmt_bytes(&ub, m->usage_bytes);
	if (m->limit_bytes != ~0ULL && m->limit_bytes) {
		kw_fmt_bytes(&lb, m->limit_bytes);
		frac = (double)m->usage_bytes / (double)m->limit_bytes;
		if (frac > 1)
			frac = 1;
		kw_buf_printf(&tb, "OOM kill, %s used of %s: %s", used, lim, m->label);
	} else {
		kw_buf_printf(&tb, "OOM kill (host-wide, no cgroup limit): %s", m->label);
	}
	kw_svg_rect(f, x - 1, band_top, 2, band_bottom - band_top, C_OOM, title);
	/* the gauge: the frame is the limit, the fill what was used */
	kw_svg_rect(f, x + 3, y + 3 + gh * (1 - frac), 7, gh * frac, C_MEM, title);
	kw_svg_frame(f, x + 3, y + 3, 7, gh, C_OOM);
	kw_svg_tri(f, x, y + 12, 11, C_OOM, title);
	if (label && m->limit_bytes != ~0ULL && m->limit_bytes) {
		char g[80];

		snprintf(g, sizeof(g), "%s / %s", used, lim);
		if (x + 110 < PLOT_X + PLOT_W)
			kw_svg_text(f, x + 13, y + 16, "start", 9, C_OOM, g);
		else	/* at the right edge: on the left of the mark */
			kw_svg_text(f, x - 7, y + 16, "end", 9, C_OOM, g);
	}
}

static void marks(FILE *f, const struct scale *s, const struct kw_report_track *t, double y,
		  double band_top, double band_bottom)
{
	double label_end = 0;	/* the gauges' labels do not overlap */

	kw_svg_text(f, LABEL_X + 10, y + 16, "start", 11, C_MUTED, "exits, kills, OOM");
	/* the OOM kills last: on top */
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t i = 0; i < t->nr_marks; i++) {
			const struct kw_report_mark *m = &t->marks[i];
			double x = x_of(s, m->ts_ns);

			if ((m->kind == KW_MARK_OOM) != (pass == 1))
				continue;
			switch (m->kind) {
			case KW_MARK_OOM:
				oom_mark(f, m, x, y, band_top, band_bottom, x > label_end);
				if (x > label_end)
					label_end = x + 110;
				break;
			case KW_MARK_EXIT:
				kw_svg_circle(f, x, y + MARK_H / 2, 3.5, C_EXIT, m->label);
				break;
			case KW_MARK_KILLED:
				kw_svg_circle(f, x, y + MARK_H / 2, 4.5, C_KILLED, m->label);
				break;
			default:
				kw_svg_tri(f, x, y + MARK_H / 2 + 4, 8, C_SIGNAL, m->label);
				break;
			}
		}
}

static void refusals(FILE *f, const struct kw_report *r, const struct scale *s,
		     const struct kw_report_track *t, double y)
{
	double base = y + REFUSE_H - 4, unit = (REFUSE_H - 8) / (double)s->max_bucket;
	char label[64];

	snprintf(label, sizeof(label), s->bucket_s == 1 ? "refused per second" :
		 "refused per %" PRIu64 " s", s->bucket_s);
	kw_svg_text(f, LABEL_X + 10, y + 22, "start", 11, C_MUTED, label);
	kw_svg_line(f, PLOT_X, base, PLOT_X + PLOT_W, base, C_GRID, 1);
	fill_buckets(s, t);
	for (uint32_t k = 0; k < s->nr_buckets; k++) {
		uint64_t at = (s->t0 / 1000000000ULL + k * s->bucket_s) * 1000000000ULL;
		/* the bucket's part of the plot: the first and last are cut
		 * by the trace's start and end */
		double x = x_of(s, at), x1 = x_of(s, at + s->bucket_s * 1000000000ULL);
		double bw = x1 - x > 3 ? x1 - x - 1 : 2, top = base;

		for (int c = 0; c < KW_CAUSE_MAX; c++) {
			char title[160], when[32];
			struct kw_buf tb = KW_BUF_INIT(title), wb = KW_BUF_INIT(when);
			double h = buckets[k][c] * unit;

			if (!buckets[k][c])
				continue;
			if (h < 2)
				h = 2;
			kw_report_clock(&wb, r, at);
			kw_buf_printf(&tb, "%.8s UTC: %" PRIu64 " refused, %s", when,
				      buckets[k][c], kw_cause_name(c));
			kw_svg_rect(f, x, top - h, bw, h, cause_color(c), title);
			top -= h;
		}
	}
}

static void legend(FILE *f, const struct kw_report *r, double y)
{
	static const struct { const char *color, *what; } fixed[] = {
		{ C_LISTEN, "listening" }, { C_LISTEN_BEFORE, "listening since before the trace" },
		{ C_OOM, "OOM kill (gauge: memory used of the limit)" },
		{ C_KILLED, "killed by a signal" }, { C_EXIT, "exited" },
		{ C_SIGNAL, "SIGKILL/SIGTERM sent" },
	};
	double x = LABEL_X;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		kw_svg_rect(f, x, y, 10, 10, fixed[i].color, NULL);
		kw_svg_text(f, x + 14, y + 9, "start", 11, C_TEXT, fixed[i].what);
		x += 24 + 6.2 * strlen(fixed[i].what);
	}
	x = LABEL_X;
	kw_svg_text(f, x, y + 31, "start", 11, C_MUTED, "refused, by cause:");
	x += 110;
	for (int c = 1; c < KW_CAUSE_MAX; c++) {
		if (!kw_cause_is_refusal(c) || !r->occurrences[c])
			continue;
		kw_svg_rect(f, x, y + 22, 10, 10, cause_color(c), NULL);
		kw_svg_text(f, x + 14, y + 31, "start", 11, C_TEXT, kw_cause_name(c));
		x += 24 + 6.2 * strlen(kw_cause_name(c));
	}
}

void kw_report_svg(FILE *f, const struct kw_report *r)
{
	static struct scale s;
	const struct kw_report_track *tracks[KW_REPORT_TRACKS + 1];
	uint32_t n = kw_report_track_list(r, tracks, KW_REPORT_TRACKS + 1);
	uint8_t lane[KW_REPORT_SPANS];
	uint32_t lanes[KW_REPORT_TRACKS + 1];
	unsigned int clip = 0;
	double h = AXIS_H + LEGEND_H, y = AXIS_H;

	memset(&s, 0, sizeof(s));
	make_scale(&s, r, tracks, n);
	for (uint32_t i = 0; i < n; i++) {
		lanes[i] = lanes_of(tracks[i], lane);
		h += track_height(lanes[i]);
	}
	kw_svg_open(f, W, h, "timeline per container: listeners, OOM kills, exits and kills, "
		    "refusals per second by cause");
	axis(f, r, &s, h);
	for (uint32_t i = 0; i < n; i++) {
		const struct kw_report_track *t = tracks[i];
		double th = track_height(lanes[i]), top = y;
		char sub[160];

		kw_svg_rect(f, 0, y, W, th - GAP_H / 2, C_BAND, NULL);
		kw_svg_text_clipped(f, LABEL_X, y + 15, PLOT_X - LABEL_X - 4, 13, C_TEXT, t->name,
				    clip++);
		snprintf(sub, sizeof(sub), "%" PRIu64 " refused, %" PRIu64 " OOM kill%s",
			 t->refusals, t->ooms, t->ooms == 1 ? "" : "s");
		kw_svg_text(f, PLOT_X + PLOT_W, y + 15, "end", 11, C_MUTED, sub);
		y += HEAD_H;
		spans(f, r, &s, t, y, &clip);
		y += lanes[i] * LANE_H;
		marks(f, &s, t, y, top + HEAD_H, top + th - GAP_H);
		y += MARK_H;
		refusals(f, r, &s, t, y);
		y += REFUSE_H + GAP_H;
	}
	legend(f, r, y + 6);
	kw_svg_close(f);
}
