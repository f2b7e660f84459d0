// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The post-mortem as one self-contained HTML page: inline CSS, the
 * timeline as inline SVG, no script and nothing fetched.  Its Content
 * Security Policy forbids anything else, so a page that tried would say
 * so in the browser's console (tests/report/run.sh looks).  Every string
 * from the trace goes through kw_escape_html.
 */
#include <inttypes.h>
#include <string.h>
#include "core/names.h"
#include "output/explanation.h"
#include "output/report.h"
#include "util/escape.h"
#include "util/version.h"

static void h(FILE *f, const char *s, size_t n)
{
	kw_report_escaped(f, kw_escape_html, s, n);
}

static void h_str(FILE *f, const char *s)
{
	h(f, s, strlen(s));
}

static const char css[] =
	"body{font-family:sans-serif;margin:24px auto;max-width:1120px;color:#222;"
	"line-height:1.45;padding:0 12px}\n"
	"h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #ddd;"
	"padding-bottom:.2em;margin-top:1.6em}\n"
	"h3{margin-bottom:.3em}.muted{color:#666}.fix{background:#eef6ee;padding:6px 10px;"
	"border-left:4px solid #2ca02c}\n"
	"table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;"
	"padding:3px 8px;text-align:left;vertical-align:top}\n"
	"td.n,th.n{text-align:right}tr.why td{background:#fff7e6}\n"
	"pre{background:#f6f6f6;padding:8px;overflow-x:auto;white-space:pre-wrap;"
	"word-break:break-all;font-size:.85em}\n"
	"section.ex{border-top:1px solid #eee}.timeline{overflow-x:auto}\n";

void kw_report_html_explanation(struct kw_report *r, const struct kw_explanation *ex)
{
	FILE *f = r->ctx;
	struct kw_buf jb = KW_BUF_INIT(r->c->rec);
	char when[32], where[400];
	struct kw_buf wb = KW_BUF_INIT(when), pb = KW_BUF_INIT(where);

	kw_report_clock(&wb, r, ex->ts_ns);
	kw_place_text(&pb, &ex->place);
	fprintf(f, "<section class=\"ex\" id=\"ex-%" PRIu64 "\">\n<h3>%" PRIu64 ". %s: %s</h3>\n",
		ex->id, ex->id, kw_cause_name(ex->cause) ?: "?", kw_report_cause_title(ex->cause));
	fprintf(f, "<p class=\"muted\">%s UTC &middot; ", when);
	h_str(f, where);
	fputs("</p>\n<p>", f);
	h(f, ex->text, sizeof(ex->text));
	fputs("</p>\n<p class=\"fix\"><b>Fix:</b> ", f);
	h(f, ex->fix, sizeof(ex->fix));
	fputs("</p>\n", f);
	kw_format_explanation(&jb, true, ex, &r->c->fmt);
	if (jb.truncated) {
		fputs("<p>(its facts are too big for this report: see kwhy replay --json)</p>\n", f);
	} else {
		fputs("<details><summary>Facts (as kwhy replay --json prints them)</summary>"
		      "<pre>", f);
		h(f, jb.p, jb.len);
		fputs("</pre></details>\n", f);
	}
	fputs("</section>\n", f);
}

/* <tr><td>what</td><td>value</td></tr>, the value escaped */
static void row(FILE *f, const char *what, const char *val)
{
	fprintf(f, "<tr><th>%s</th><td>", what);
	h_str(f, val);
	fputs("</td></tr>\n", f);
}

static void summary(FILE *f, const struct kw_report *r)
{
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
	fputs("<h2 id=\"summary\">Summary</h2>\n<ul>\n", f);
	if (r->c->first_ns)
		fprintf(f, "<li><b>When:</b> %s to %s (%.1f s)</li>\n", t0, t1,
			(r->c->last_ns - r->c->first_ns) / 1e9);
	fputs("<li><b>Where:</b> host ", f);
	h_str(f, r->c->info.host);
	fputs(", kernel ", f);
	h_str(f, r->c->info.kernel);
	fputs("; kwhy watched ", f);
	h_str(f, r->c->info.target[0] ? r->c->info.target : "the whole host");
	fprintf(f, "</li>\n<li><b>What:</b> %" PRIu64 " explanation%s", r->nr_explanations,
		r->nr_explanations == 1 ? "" : "s");
	for (int c = 1; c < KW_CAUSE_MAX; c++) {
		if (!r->explained[c])
			continue;
		fprintf(f, "%s%" PRIu64 " %s", first ? ": " : ", ", r->explained[c],
			kw_cause_name(c));
		first = false;
	}
	fprintf(f, "</li>\n<li><b>OOM kills:</b> %" PRIu64 "; other kills and stops: %" PRIu64
		"</li>\n<li><b>Refused connections:</b> %" PRIu64 "; resets: %" PRIu64 "</li>\n",
		oom, deaths, refused, resets);
	if (!r->c->have_counters)
		fputs("<li><b>Losses:</b> unknown (the trace holds no counters)</li>\n", f);
	else if (kw_report_lost(r))
		fprintf(f, "<li><b>Losses:</b> %" PRIu64 " events lost (ring buffer full)</li>\n",
			kw_report_lost(r));
	else
		fputs("<li><b>Losses:</b> none</li>\n", f);
	fputs("</ul>\n", f);
}

static void timeline(FILE *f, const struct kw_report *r)
{
	fputs("<h2 id=\"timeline\">Timeline</h2>\n<div class=\"timeline\">\n", f);
	kw_report_svg(f, r);
	fputs("</div>\n<table>\n<tr><th>Time (UTC)</th><th>Where</th><th>What</th></tr>\n", f);
	for (uint32_t i = 0; i < r->nr_lines; i++) {
		const struct kw_report_line *l = &r->lines[i];
		bool why = l->kind == KW_LINE_EXPLANATION;
		char when[32];
		struct kw_buf wb = KW_BUF_INIT(when);

		kw_report_clock(&wb, r, l->ts_ns);
		fprintf(f, "<tr%s><td>%s</td><td>", why ? " class=\"why\"" : "", when);
		h_str(f, l->place);
		fputs("</td><td>", f);
		if (why)
			fprintf(f, "<a href=\"#ex-%" PRIu64 "\"><b>%s</b></a>: ", l->ex_id,
				kw_cause_name(l->cause));
		h_str(f, l->text);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	if (r->lines_dropped)
		fprintf(f, "<p>%" PRIu64 " later lines are left out (the timeline keeps %d): "
			"kwhy replay shows them all.</p>\n", r->lines_dropped, KW_REPORT_TIMELINE);
}

static void repeats(FILE *f, const struct kw_report *r)
{
	if (!r->nr_repeats)
		return;
	fputs("<h2 id=\"repeats\">Repeats</h2>\n<table>\n<tr><th>Explanation</th><th>Cause</th>"
	      "<th>Destination</th><th class=\"n\">Times</th></tr>\n", f);
	for (uint32_t i = 0; i < r->nr_repeats; i++) {
		const struct kw_report_repeat *p = &r->repeats[i];

		fprintf(f, "<tr><td><a href=\"#ex-%" PRIu64 "\">%" PRIu64 "</a></td><td>%s</td><td>",
			p->ex_id, p->ex_id, kw_cause_name(p->cause) ?: "?");
		h_str(f, p->dest);
		fprintf(f, "</td><td class=\"n\">%" PRIu64 "</td></tr>\n", p->total);
	}
	fputs("</table>\n", f);
}

static void counts(FILE *f, const struct kw_report *r)
{
	fputs("<h2 id=\"counts\">Counts</h2>\n<table>\n<tr><th>Cause</th><th class=\"n\">"
	      "Explained</th><th class=\"n\">Occurrences</th></tr>\n", f);
	for (int c = 1; c < KW_CAUSE_MAX; c++)
		if (r->explained[c] || r->occurrences[c])
			fprintf(f, "<tr><td>%s</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%"
				PRIu64 "</td></tr>\n", kw_cause_name(c), r->explained[c],
				r->occurrences[c]);
	fputs("</table>\n<table>\n<tr><th>Event</th><th class=\"n\">In the trace</th></tr>\n", f);
	for (int t = 1; t < KW_EV_MAX; t++)
		if (r->per_type[t])
			fprintf(f, "<tr><td>%s</td><td class=\"n\">%" PRIu64 "</td></tr>\n",
				kw_event_name(t), r->per_type[t]);
	fputs("</table>\n", f);
}

static void losses(FILE *f, const struct kw_report *r)
{
	fputs("<h2 id=\"losses\">Losses</h2>\n", f);
	if (!r->c->have_counters) {
		fputs("<p>The trace holds no counters: whether events were lost is unknown.</p>\n",
		      f);
	} else if (!kw_report_lost(r)) {
		fputs("<p>No event was lost: the ring buffers never filled.</p>\n", f);
	} else {
		fputs("<p>Events were lost when a ring buffer was full; explanations after a loss "
		      "may lack facts.</p>\n<table>\n<tr><th>Event</th><th class=\"n\">Lost</th>"
		      "</tr>\n", f);
		for (int t = 0; t < KW_EV_COUNTED; t++)
			if (r->c->counters.lost[t])
				fprintf(f, "<tr><td>%s</td><td class=\"n\">%" PRIu64 "</td></tr>\n",
					kw_event_name(t) ?: "?",
					(uint64_t)r->c->counters.lost[t]);
		fputs("</table>\n", f);
	}
	if (r->resyncs)
		fprintf(f, "<p>The listeners were re-read from the kernel %" PRIu64 " time%s after "
			"losses.</p>\n", r->resyncs, r->resyncs == 1 ? "" : "s");
	if (r->open_dropped || r->c->dropped)
		fprintf(f, "<p>Left out of this report: %" PRIu64 " listeners (too many open at "
			"once), %" PRIu64 " records too big.</p>\n", r->open_dropped,
			r->c->dropped);
}

static void host(FILE *f, const struct kw_report *r)
{
	const struct kw_trace_info *hd = &r->c->info;
	char part[48];

	fputs("<h2 id=\"host\">Host and kernel</h2>\n<table>\n", f);
	row(f, "Host", hd->host);
	row(f, "Kernel", hd->kernel);
	row(f, "Boot id", hd->boot_id);
	row(f, "Recorded by", hd->kwhy_version);
	row(f, "Recording started", hd->started);
	row(f, "Target", hd->target[0] ? hd->target : "the whole host");
	row(f, "Attached", hd->attached);
	row(f, "Trace", r->c->trace_file);
	snprintf(part, sizeof(part), "%u (format %u)", hd->part, hd->format);
	row(f, "Trace part", part);
	fputs("</table>\n", f);
}

void kw_report_html(FILE *out, const struct kw_report *r, FILE *explanations)
{
	char t0[48];
	struct kw_buf b0 = KW_BUF_INIT(t0);

	kw_report_date(&b0, r, r->c->first_ns);
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<title>Incident report: ", out);
	h_str(out, r->c->info.host);
	fprintf(out, ", %.10s</title>\n<style>\n%s</style>\n</head>\n<body>\n",
		r->c->first_ns ? t0 : "no events", css);
	fputs("<h1>Incident report: ", out);
	h_str(out, r->c->info.host);
	fprintf(out, ", %.10s</h1>\n<p class=\"muted\">Drafted by ",
		r->c->first_ns ? t0 : "no events");
	h_str(out, kw_exporter_name);
	fputs(" from the trace ", out);
	h_str(out, r->c->trace_file);
	fputs(": the facts are the kernel's; the impact, the people involved and the follow-ups "
	      "are yours to add.</p>\n", out);
	summary(out, r);
	timeline(out, r);
	fputs("<h2 id=\"why\">What happened and why</h2>\n", out);
	if (!r->nr_explanations)
		fputs("<p>Nothing in the trace called for an explanation.</p>\n", out);
	kw_report_append(out, explanations);
	repeats(out, r);
	counts(out, r);
	losses(out, r);
	host(out, r);
	fputs("</body>\n</html>\n", out);
}
