// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The post-mortem as Markdown (CommonMark with GFM tables): a summary, the
 * timeline, each explanation with its facts and fix, repeats, counts,
 * losses, the host and kernel.  Every string from the trace goes through
 * kw_escape_md; the facts are the JSON record replay --json prints, in a
 * code fence longer than any run of backticks in it.
 */
#include <inttypes.h>
#include <string.h>
#include "core/names.h"
#include "output/explanation.h"
#include "output/report.h"
#include "util/escape.h"
#include "util/version.h"

/* s escaped for Markdown, bounded */
static void md(FILE *f, const char *s, size_t n)
{
	kw_report_escaped(f, kw_escape_md, s, n);
}

static void md_str(FILE *f, const char *s)
{
	md(f, s, strlen(s));
}

/* a fence of backticks longer than any run in s (CommonMark) */
static void fence(FILE *f, const char *s)
{
	size_t run = 0, longest = 0;

	for (; *s; s++) {
		run = *s == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	for (size_t i = 0; i < (longest < 3 ? 3 : longest + 1); i++)
		fputc('`', f);
}

void kw_report_md_explanation(struct kw_report *r, const struct kw_explanation *ex)
{
	FILE *f = r->ctx;
	struct kw_buf jb = KW_BUF_INIT(r->c->rec);
	char when[32], where[400];
	struct kw_buf wb = KW_BUF_INIT(when), pb = KW_BUF_INIT(where);

	kw_report_clock(&wb, r, ex->ts_ns);
	kw_place_text(&pb, &ex->place);
	fprintf(f, "### %" PRIu64 ". %s: %s\n\n", ex->id, kw_cause_name(ex->cause) ?: "?",
		kw_report_cause_title(ex->cause));
	fprintf(f, "**When:** %s UTC · **Where:** ", when);
	md_str(f, where);
	fputs("\n\n", f);
	md(f, ex->text, sizeof(ex->text));
	fputs("\n\n**Fix:** ", f);
	md(f, ex->fix, sizeof(ex->fix));
	fputs("\n\n", f);
	kw_format_explanation(&jb, true, ex, &r->c->fmt);
	if (jb.truncated) {
		fputs("(its facts are too big for this report: see `kwhy replay --json`)\n\n", f);
		return;
	}
	fputs("Facts, as `kwhy replay --json` prints them:\n\n", f);
	fence(f, jb.p);
	fputs("json\n", f);
	fputs(jb.p, f);
	fputc('\n', f);
	fence(f, jb.p);
	fputs("\n\n", f);
}

static void summary(FILE *f, const struct kw_report *r)
{
	const struct kw_trace_info *h = &r->c->info;
	uint64_t refused = 0, oom = 0, deaths = 0, resets = 0;
	char t0[48], t1[48];
	struct kw_buf b0 = KW_BUF_INIT(t0), b1 = KW_BUF_INIT(t1);
	bool first = true;

	for (int c = 1; c < KW_CAUSE_MAX; c++) {
		if (kw_cause_is_refusal(c))
			refused += r->occurrences[c];
		else if (c == KW_CAUSE_MEMCG_LIMIT || c == KW_CAUSE_GLOBAL_OOM)
			oom += r->explained[c];
		else if (kw_cause_is_death(c))
			deaths += r->explained[c];
		else
			resets += r->occurrences[c];
	}
	kw_report_date(&b0, r, r->c->first_ns);
	kw_report_date(&b1, r, r->c->last_ns);
	fputs("## Summary\n\n", f);
	if (!r->c->first_ns)
		fputs("- **When:** the trace holds no dated event.\n", f);
	else
		fprintf(f, "- **When:** %s to %s (%.1f s).\n", t0, t1,
			(r->c->last_ns - r->c->first_ns) / 1e9);
	fputs("- **Where:** host ", f);
	md_str(f, h->host);
	fputs(", kernel ", f);
	md_str(f, h->kernel);
	fputs("; kwhy watched ", f);
	if (h->target[0])
		md_str(f, h->target);
	else
		fputs("the whole host", f);
	fputs(".\n", f);
	fprintf(f, "- **What:** %" PRIu64 " explanation%s", r->nr_explanations,
		r->nr_explanations == 1 ? "" : "s");
	for (int c = 1; c < KW_CAUSE_MAX; c++) {
		if (!r->explained[c])
			continue;
		fprintf(f, "%s%" PRIu64 " %s", first ? ": " : ", ", r->explained[c],
			kw_cause_name(c));
		first = false;
	}
	fputs(".\n", f);
	fprintf(f, "- **OOM kills:** %" PRIu64 "; other kills and stops: %" PRIu64 ".\n", oom,
		deaths);
	fprintf(f, "- **Refused connections:** %" PRIu64 "; resets: %" PRIu64 ".\n", refused,
		resets);
	if (!r->c->have_counters)
		fputs("- **Losses:** unknown (the trace holds no counters).\n\n", f);
	else if (kw_report_lost(r))
		fprintf(f, "- **Losses:** %" PRIu64 " events lost (ring buffer full): see "
			"[Losses](#losses).\n\n", kw_report_lost(r));
	else
		fputs("- **Losses:** none.\n\n", f);
}

static void timeline(FILE *f, const struct kw_report *r)
{
	fputs("## Timeline\n\nWhat happened, in time order (UTC): the explanations and the "
	      "events they rest on (deaths, kills, listeners opened and closed, failed "
	      "binds).\n\n| Time | Where | What |\n|---|---|---|\n", f);
	for (uint32_t i = 0; i < r->nr_lines; i++) {
		const struct kw_report_line *l = &r->lines[i];
		char when[32];
		struct kw_buf wb = KW_BUF_INIT(when);

		kw_report_clock(&wb, r, l->ts_ns);
		fprintf(f, "| %s | ", when);
		md_str(f, l->place);
		fputs(" | ", f);
		if (l->kind == KW_LINE_EXPLANATION)
			fprintf(f, "**%s** (explanation %" PRIu64 "): ", kw_cause_name(l->cause),
				l->ex_id);
		md_str(f, l->text);
		fputs(" |\n", f);
	}
	if (r->lines_dropped)
		fprintf(f, "\n%" PRIu64 " later lines are left out (the timeline keeps %d): "
			"`kwhy replay` shows them all.\n", r->lines_dropped, KW_REPORT_TIMELINE);
	fputs("\n", f);
}

static void repeats(FILE *f, const struct kw_report *r)
{
	if (!r->nr_repeats)
		return;
	fputs("## Repeats\n\nThe same failure again and again is explained once and counted:"
	      "\n\n| Explanation | Cause | Destination | Times |\n|---|---|---|---|\n", f);
	for (uint32_t i = 0; i < r->nr_repeats; i++) {
		const struct kw_report_repeat *p = &r->repeats[i];

		fprintf(f, "| %" PRIu64 " | %s | ", p->ex_id, kw_cause_name(p->cause) ?: "?");
		md_str(f, p->dest);
		fprintf(f, " | %" PRIu64 " |\n", p->total);
	}
	if (r->repeats_dropped)
		fprintf(f, "\n%" PRIu64 " more explanations repeated (not listed).\n",
			r->repeats_dropped);
	fputs("\n", f);
}

static void counts(FILE *f, const struct kw_report *r)
{
	fputs("## Counts\n\n| Cause | Explained | Occurrences |\n|---|---:|---:|\n", f);
	for (int c = 1; c < KW_CAUSE_MAX; c++)
		if (r->explained[c] || r->occurrences[c])
			fprintf(f, "| %s | %" PRIu64 " | %" PRIu64 " |\n", kw_cause_name(c),
				r->explained[c], r->occurrences[c]);
	fputs("\n| Event | In the trace |\n|---|---:|\n", f);
	for (int t = 1; t < KW_EV_MAX; t++)
		if (r->per_type[t])
			fprintf(f, "| %s | %" PRIu64 " |\n", kw_event_name(t), r->per_type[t]);
	fputs("\n", f);
}

static void losses(FILE *f, const struct kw_report *r)
{
	const struct kw_counters *k = &r->c->counters;

	fputs("## Losses\n\n", f);
	if (!r->c->have_counters) {
		fputs("The trace holds no counters: whether events were lost is unknown.\n\n", f);
	} else if (!kw_report_lost(r)) {
		fputs("No event was lost: the ring buffers never filled.\n\n", f);
	} else {
		fputs("Events were lost when a ring buffer was full; explanations after a loss "
		      "may lack facts.\n\n| Event | Lost |\n|---|---:|\n", f);
		for (int t = 0; t < KW_EV_COUNTED; t++)
			if (k->lost[t])
				fprintf(f, "| %s | %" PRIu64 " |\n", kw_event_name(t) ?: "?",
					(uint64_t)k->lost[t]);
		fputs("\n", f);
	}
	if (r->resyncs)
		fprintf(f, "The listeners were re-read from the kernel %" PRIu64 " time%s after "
			"losses.\n\n", r->resyncs, r->resyncs == 1 ? "" : "s");
	if (r->open_dropped || r->c->dropped)
		fprintf(f, "Left out of this report: %" PRIu64 " listeners (too many open at "
			"once), %" PRIu64 " records too big.\n\n", r->open_dropped,
			r->c->dropped);
}

static void host(FILE *f, const struct kw_report *r)
{
	const struct kw_trace_info *h = &r->c->info;
	const struct { const char *what, *val; } rows[] = {
		{ "Host", h->host }, { "Kernel", h->kernel }, { "Boot id", h->boot_id },
		{ "Recorded by", h->kwhy_version }, { "Recording started", h->started },
		{ "Target", h->target[0] ? h->target : "the whole host" },
		{ "Attached", h->attached }, { "Trace", r->c->trace_file },
	};

	fputs("## Host and kernel\n\n| | |\n|---|---|\n", f);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		fprintf(f, "| %s | ", rows[i].what);
		md_str(f, rows[i].val);
		fputs(" |\n", f);
	}
	fprintf(f, "| Trace part | %u (format %u) |\n\n", h->part, h->format);
}

void kw_report_md(FILE *out, const struct kw_report *r, FILE *explanations)
{
	char t0[48];
	struct kw_buf b0 = KW_BUF_INIT(t0);

	kw_report_date(&b0, r, r->c->first_ns);
	fputs("# Incident report: ", out);
	md_str(out, r->c->info.host);
	fprintf(out, ", %.10s\n\n", r->c->first_ns ? t0 : "no events");
	fprintf(out, "Drafted by %s from the trace ", kw_exporter_name);
	md_str(out, r->c->trace_file);
	fputs(": the facts are the kernel's; the impact, the people involved and the "
	      "follow-ups are yours to add.\n\n", out);
	summary(out, r);
	timeline(out, r);
	fputs("## What happened and why\n\n", out);
	if (!r->nr_explanations)
		fputs("Nothing in the trace called for an explanation.\n\n", out);
	kw_report_append(out, explanations);
	repeats(out, r);
	counts(out, r);
	losses(out, r);
	host(out, r);
}
