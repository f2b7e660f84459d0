// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libFuzzer target for everything after the trace reader: decoded events
 * (every type of include/kwhy/events.h), flush points and counters through
 * the pipeline (core/: the model, the explanations, the repeat summaries)
 * into every renderer the offline commands and watch have: JSON lines and
 * text (replay, export jsonl, watch), OTLP logs (export otlp), Chrome
 * trace JSON (export perfetto), the Markdown and HTML report, the
 * Prometheus and OTLP metrics, and the stats records.  The input is a
 * trace's frames uncompressed, after a small prelude
 * (tests/fuzz/pipeline_input.h); a custom mutator works on whole frames
 * and on the fields of the events (fuzz_mutate.c), so the fuzzer builds
 * stories (a listener, its close, its owner's death, the refused connect)
 * rather than failing to decode.
 *
 * Besides "no crash, no leak, no undefined behaviour" it checks what the
 * outputs promise: every JSON line, the OTLP logs and metrics and the
 * perfetto document parse as JSON (util/jsonq.c: strict RFC 8259); text,
 * Markdown, HTML and Prometheus output hold no control character but
 * newlines (every untrusted string is escaped); the HTML holds no tag it
 * does not write itself.
 *
 * Built and run by tests/fuzz/run.sh (the Makefile builds it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/metrics.h"
#include "core/target.h"
#include "output/metrics.h"
#include "output/otlp.h"
#include "output/perfetto.h"
#include "output/report.h"
#include "output/sinks.h"
#include "output/status.h"
#include "util/jsonq.h"
#include "trace/trace.h"
#include "pipeline_input.h"

/* util/jsonq.c without coverage instrumentation (jsoncheck.c) */
struct jq_val *fz_jq_parse(const char *text, char *err, size_t errlen);
void fz_jq_free(struct jq_val *v);

#define FZ_MAX_FRAMES 2048
#define FZ_OUT_MAX (8u << 20)		/* bytes of one output kept and checked */

static void check(int ok, const char *what, const char *detail)
{
	if (!ok) {
		fprintf(stderr, "fuzz_pipeline: broken promise: %s\n%.2000s\n", what,
			detail ? detail : "");
		abort();
	}
}

/* ---- the input ---- */

struct fz_frame {
	uint16_t kind;
	struct kw_event *ev;		/* KW_FRAME_EVENT that decoded */
	uint64_t flush_ns;
	bool flush_has_time;
	struct kw_counters *counters;
};

static struct fz_prelude pre;
static struct fz_frame frames[FZ_MAX_FRAMES];
static struct kw_event events[FZ_MAX_FRAMES];
static struct kw_counters counters[64];
static uint32_t nr_frames;
static struct kw_trace_info info;
static char trace_file[256];
/* the offline filters */
static bool filtered;
static uint32_t filter_pid;
static uint16_t filter_port;
static char filter_want[256];
static struct kw_target target;

static void info_string(const uint8_t *p, uint32_t len)
{
	static const struct { size_t off, size; } where[FZ_INFO_N] = {
		[FZ_INFO_HOST] = { offsetof(struct kw_trace_info, host), sizeof(info.host) },
		[FZ_INFO_KERNEL] = { offsetof(struct kw_trace_info, kernel), sizeof(info.kernel) },
		[FZ_INFO_VERSION] = { offsetof(struct kw_trace_info, kwhy_version),
				      sizeof(info.kwhy_version) },
		[FZ_INFO_BOOT_ID] = { offsetof(struct kw_trace_info, boot_id),
				      sizeof(info.boot_id) },
		[FZ_INFO_STARTED] = { offsetof(struct kw_trace_info, started),
				      sizeof(info.started) },
		[FZ_INFO_TARGET] = { offsetof(struct kw_trace_info, target), sizeof(info.target) },
		[FZ_INFO_ATTACHED] = { offsetof(struct kw_trace_info, attached),
				       sizeof(info.attached) },
	};
	char *dst;
	size_t size, n;

	if (!len)
		return;
	if (p[0] % FZ_INFO_N == FZ_INFO_FILE) {
		dst = trace_file;
		size = sizeof(trace_file);
	} else {
		dst = (char *)&info + where[p[0] % FZ_INFO_N].off;
		size = where[p[0] % FZ_INFO_N].size;
	}
	/* as the header's reader copies a JSON string: up to its first NUL */
	n = strnlen((const char *)p + 1, len - 1);
	if (n >= size)
		n = size - 1;
	memcpy(dst, p + 1, n);
	dst[n] = '\0';
}

static void parse(const uint8_t *data, size_t size)
{
	uint32_t nr_counters = 0, nr_events = 0, len, v;
	const uint8_t *p;
	size_t at, used;
	uint16_t kind;
	char err[160];

	nr_frames = 0;
	filtered = false;
	memset(&info, 0, sizeof(info));
	info.format = KW_TRACE_VERSION;
	info.abi = KW_ABI_VERSION;
	snprintf(info.host, sizeof(info.host), "fuzz");
	snprintf(trace_file, sizeof(trace_file), "fuzz.kwt");
	fz_prelude_get(data, &pre);
	info.boot_to_wall_ns = pre.boot_to_wall;
	for (at = FZ_PRELUDE; nr_frames < FZ_MAX_FRAMES; at += used) {
		used = fz_frame_get(data + at, size - at, &kind, &p, &len);
		if (!used)
			break;
		if (len > KW_TRACE_FRAME_MAX)
			continue;
		switch (kind) {
		case KW_FRAME_EVENT:
			/* what the reader would refuse is skipped here: the
			 * reader is fuzz_trace's */
			if (kw_decode(p, len, &events[nr_events], err, sizeof(err)))
				break;
			frames[nr_frames++] = (struct fz_frame){ .kind = kind,
								 .ev = &events[nr_events++] };
			break;
		case KW_FRAME_FLUSH:
			frames[nr_frames] = (struct fz_frame){ .kind = kind };
			if (len >= 8) {
				memcpy(&frames[nr_frames].flush_ns, p, 8);
				frames[nr_frames].flush_ns = le64toh(frames[nr_frames].flush_ns);
				frames[nr_frames].flush_has_time = true;
			}
			nr_frames++;
			break;
		case KW_FRAME_COUNTERS:
			if (nr_counters == sizeof(counters) / sizeof(counters[0]))
				break;
			memset(&counters[nr_counters], 0, sizeof(counters[0]));
			memcpy(&counters[nr_counters], p,
			       len < sizeof(counters[0]) ? len : sizeof(counters[0]));
			frames[nr_frames++] = (struct fz_frame){
				.kind = kind, .counters = &counters[nr_counters++] };
			break;
		case FZ_FRAME_ENUM:
			if (len < 5)
				break;
			memcpy(&v, p + 1, 4);
			{
				char name[KW_ENUM_NAME_LEN + 1];
				size_t n = strnlen((const char *)p + 5, len - 5);

				if (n > KW_ENUM_NAME_LEN)
					n = KW_ENUM_NAME_LEN;
				memcpy(name, p + 5, n);
				name[n] = '\0';
				kw_enum_add(p[0] % 2 ? &info.drop_reasons : &info.rst_reasons,
					    le32toh(v), name, NULL);
			}
			break;
		case FZ_FRAME_INFO:
			info_string(p, len);
			break;
		case FZ_FRAME_FILTER:
			if (len < 6)
				break;
			filtered = true;
			memcpy(&filter_pid, p, 4);
			memcpy(&filter_port, p + 4, 2);
			filter_pid = le32toh(filter_pid);
			filter_port = le16toh(filter_port);
			v = (uint32_t)strnlen((const char *)p + 6, len - 6);
			if (v >= sizeof(filter_want))
				v = sizeof(filter_want) - 1;
			memcpy(filter_want, p + 6, v);
			filter_want[v] = '\0';
			/* no bytes: no --container (an empty one is refused
			 * by the option parser) */
			if (len == 6)
				filter_want[0] = '\0';
			break;
		default:
			break;
		}
	}
}

/* The target of the filters, as kw_offline_target finds it in a trace:
 * false when --container names nothing there (the command stops). */
static bool find_target(void)
{
	static struct kw_target_scan sc;
	int passes = 0;

	kw_target_scan_init(&sc, &target, filtered && filter_want[0] ? filter_want : NULL,
			    filtered ? filter_pid : 0);
	if (!target.on)
		return true;
	do {
		for (uint32_t i = 0; i < nr_frames; i++)
			if (frames[i].kind == KW_FRAME_EVENT)
				kw_target_scan_event(&sc, &target, frames[i].ev);
		check(++passes < 16, "the target's scan does not end", NULL);
	} while (kw_target_scan_next(&sc));
	return kw_target_scan_found(&sc, &target);
}

static bool wanted(const struct kw_event *ev)
{
	return kw_target_wants_any(&target, filtered ? filter_port : 0, ev);
}

/* ---- outputs, kept in memory and checked ---- */

struct fz_out {
	char *buf;
	FILE *f;
};

static void out_open(struct fz_out *o)
{
	if (!o->buf) {
		o->buf = malloc(FZ_OUT_MAX + 1);
		if (!o->buf)
			abort();
	}
	o->f = fmemopen(o->buf, FZ_OUT_MAX, "w+");
	if (!o->f)
		abort();
}

/* the output, NUL-terminated; NULL when it did not fit (not checked) */
static const char *out_close(struct fz_out *o, size_t *len)
{
	long n;
	bool full;

	fflush(o->f);
	n = ftell(o->f);
	full = ferror(o->f) || n < 0 || (size_t)n >= FZ_OUT_MAX;
	fclose(o->f);
	o->f = NULL;
	if (full)
		return NULL;
	o->buf[n] = '\0';
	*len = (size_t)n;
	return o->buf;
}

static void check_json(const char *what, const char *text)
{
	char err[160];
	struct jq_val *v = fz_jq_parse(text, err, sizeof(err));

	if (!v)
		fprintf(stderr, "fuzz_pipeline: %s: %s\n", what, err);
	check(v != NULL, what, text);
	fz_jq_free(v);
}

/* every line of text a JSON text */
static void check_json_lines(const char *what, char *text, size_t len)
{
	char *line = text, *nl;

	check(!len || text[len - 1] == '\n', what, "the last line has no newline");
	while ((nl = strchr(line, '\n'))) {
		*nl = '\0';
		check_json(what, line);
		line = nl + 1;
	}
}

/* no control character but the newline: every untrusted string escaped */
static void check_plain(const char *what, const char *text, size_t len, bool color)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = text[i];

		if (c == '\n' || (color && c == 0x1b) || (c >= 0x20 && c != 0x7f))
			continue;
		fprintf(stderr, "fuzz_pipeline: %s: byte 0x%02x at %zu\n", what, c, i);
		check(0, what, text + (i > 200 ? i - 200 : 0));
	}
}

/* every '<' of the page starts a tag the report writes itself */
static void check_html_tags(const char *text)
{
	static const char *const tags[] = {
		"!DOCTYPE", "a", "b", "body", "circle", "clipPath", "code", "defs", "details",
		"div", "em", "g", "h1", "h2", "h3", "head", "html", "i", "li", "line", "meta",
		"p", "path", "polyline", "pre", "rect", "section", "small", "span", "style",
		"summary", "svg", "table", "td", "text", "th", "title", "tr", "tspan", "ul",
	};
	const char *p = text;

	while ((p = strchr(p, '<'))) {
		const char *name = p + 1 + (p[1] == '/');
		bool ok = false;

		for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]) && !ok; i++) {
			size_t n = strlen(tags[i]);

			ok = !strncmp(name, tags[i], n) &&
			     (name[n] == ' ' || name[n] == '>' || name[n] == '/' || name[n] == '\n');
		}
		check(ok, "the HTML report holds a tag it does not write", p);
		p++;
	}
}

/* ---- one pipeline for the line outputs, the metrics, OTLP and the report ---- */

static struct kw_output out_json, out_text;
static struct kw_metrics metrics;
static struct kw_exporter x_otlp, x_report, x_pf;
static struct kw_otlp otlp;
static struct kw_report report;
static struct kw_perfetto pf;
static struct kw_sinks s_otlp, s_report;
static struct fz_out o_json, o_text, o_otlp, o_md, o_html, o_pf, ex_md, ex_html;

static void fan_event(void *ctx, const struct kw_event *ev, uint64_t id)
{
	struct kw_sinks s = kw_output_sinks(&out_json);

	(void)ctx;
	s.event(s.ctx, ev, id);
	s = kw_output_sinks(&out_text);
	s.event(s.ctx, ev, id);
	kw_metrics_event(&metrics, ev);
	if (s_otlp.event)
		s_otlp.event(s_otlp.ctx, ev, id);
	if (s_report.event)
		s_report.event(s_report.ctx, ev, id);
}

static void otlp_resource(struct kw_otlp_resource *res)
{
	*res = (struct kw_otlp_resource){ .host = info.host, .version = info.kwhy_version,
					  .kernel = info.kernel, .boot_id = info.boot_id,
					  .target = info.target[0] ? info.target : NULL };
}

/* watch --otlp-endpoint's request of one explanation, as telemetry.c
 * builds it */
static void otlp_push_request(const struct kw_explanation *ex)
{
	static char req[64 * 1024];
	struct kw_buf b = KW_BUF_INIT(req);
	struct kw_otlp_resource res;

	otlp_resource(&res);
	kw_otlp_logs_head(&b, &res);
	kw_otlp_explanation_record(&b, ex, (uint64_t)kw_boot_to_wall(ex->ts_ns,
								 info.boot_to_wall_ns));
	kw_buf_puts(&b, KW_OTLP_LOGS_TAIL);
	if (!b.truncated)
		check_json("OTLP push request", req);
}

static void fan_explanation(void *ctx, const struct kw_explanation *ex)
{
	struct kw_sinks s = kw_output_sinks(&out_json);

	(void)ctx;
	s.explanation(s.ctx, ex);
	s = kw_output_sinks(&out_text);
	s.explanation(s.ctx, ex);
	kw_metrics_explanation(&metrics, ex);
	otlp_push_request(ex);
	if (s_otlp.explanation)
		s_otlp.explanation(s_otlp.ctx, ex);
	if (s_report.explanation)
		s_report.explanation(s_report.ctx, ex);
}

static void fan_summary(void *ctx, const struct kw_summary *sm)
{
	struct kw_sinks s = kw_output_sinks(&out_json);

	(void)ctx;
	s.summary(s.ctx, sm);
	s = kw_output_sinks(&out_text);
	s.summary(s.ctx, sm);
	kw_metrics_summary(&metrics, sm);
	if (s_otlp.summary)
		s_otlp.summary(s_otlp.ctx, sm);
	if (s_report.summary)
		s_report.summary(s_report.ctx, sm);
}

/* both renderers' explanations, each into its own scratch file */
static void both_explanations(struct kw_report *r, const struct kw_explanation *ex)
{
	r->ctx = ex_md.f;
	kw_report_md_explanation(r, ex);
	r->ctx = ex_html.f;
	kw_report_html_explanation(r, ex);
}

static void exporter_init(struct kw_exporter *x, FILE *out)
{
	memset(x, 0, offsetof(struct kw_exporter, pipeline));
	x->out = out;
	x->info = info;
	x->trace_file = trace_file;
	x->fmt.boot_to_wall_ns = info.boot_to_wall_ns;
	x->fmt.rst_reasons = &x->info.rst_reasons;
	x->fmt.drop_reasons = &x->info.drop_reasons;
	x->fmt.utc = true;
}

static void pipeline_cfg(struct kw_pipeline_cfg *pc, const struct kw_exporter *x)
{
	memset(pc, 0, sizeof(*pc));
	pc->model.recent_ns = pre.window_s * 1000000000ULL;
	pc->summary_every_ns = pre.summary_ms * 1000000ULL;
	pc->rst_reasons = &x->info.rst_reasons;
	pc->drop_reasons = &x->info.drop_reasons;
}

static void stats(const struct kw_counters *c, bool final)
{
	static char line[16384];
	struct kw_stats_info si = { .c = c, .final = final, .decode_errors = 3,
				    .now_wall_ns = info.boot_to_wall_ns };
	struct kw_buf b = KW_BUF_INIT(line);

	kw_format_stats(&b, true, &si);
	if (!b.truncated)
		check_json("stats record", line);
	kw_buf_reset(&b);
	kw_format_stats(&b, false, &si);
	if (!b.truncated)
		check_plain("stats text", line, b.len, false);
}

/* watch's records of its target and its trace, with the header's strings
 * in place of what watch reads on the host */
static void records(void)
{
	static char line[16384];
	struct kw_buf b = KW_BUF_INIT(line);
	struct kw_target_info ti = { .state = pre.opts & FZ_OPT_BACK ? "back" : "gone", .target = info.target,
				     .id = info.boot_id, .previous_id = info.kernel,
				     .follows = pre.opts & FZ_OPT_FOLLOWS, .now_wall_ns = info.boot_to_wall_ns };
	struct kw_trace_error_info te = { .file = trace_file, .err = (int)pre.summary_ms % 200,
					  .keep_going = pre.opts & FZ_OPT_FOLLOWS,
					  .now_wall_ns = info.boot_to_wall_ns };

	for (int json = 0; json < 2; json++) {
		kw_buf_reset(&b);
		kw_format_target(&b, json, &ti);
		if (!b.truncated && json)
			check_json("target record", line);
		else if (!b.truncated)
			check_plain("target text", line, b.len, false);
		kw_buf_reset(&b);
		kw_format_trace_error(&b, json, &te);
		if (!b.truncated && json)
			check_json("trace_error record", line);
		else if (!b.truncated)
			check_plain("trace_error text", line, b.len, false);
	}
}

static void metrics_render(const struct kw_counters *c)
{
	static char page[1 << 20];
	static struct kw_metrics_host h;
	struct kw_otlp_resource res;
	struct kw_buf b = { .p = page, .cap = sizeof(page) - 1 };

	otlp_resource(&res);
	memset(&h, 0, sizeof(h));
	h.bpf_stats = -1;
	if (c) {
		/* what watch reads besides the pipeline, made up from the
		 * counters (the kernel's, the push's: trusted numbers) */
		h.have_counters = true;
		h.counters = *c;
		h.decode_errors = c->lost[0];
		h.have_rings = true;
		h.ring_size[0] = h.ring_size[1] = 1 << 20;
		h.ring_used[0] = c->emitted[0];
		h.ring_used[1] = c->emitted[1];
		h.bpf_stats = (int)(c->filtered[0] % 3) - 1;
		h.n_progs = (uint32_t)(c->aggregated[0] % KW_METRICS_PROGS);
		for (uint32_t i = 0; i < h.n_progs; i++) {
			snprintf(h.progs[i].name, sizeof(h.progs[i].name), "kw_prog_%u", i);
			h.progs[i].run_ns = c->emitted[i % KW_EV_COUNTED];
			h.progs[i].run_cnt = c->lost[i % KW_EV_COUNTED];
		}
		h.have_otlp = c->filtered[1] & 1;
		for (int i = 0; i < 2; i++) {
			h.otlp_sent[i] = c->emitted[2 + i];
			h.otlp_failed[i] = c->lost[2 + i];
			h.otlp_dropped[i] = c->filtered[2 + i];
		}
		h.start_wall_ns = (uint64_t)info.boot_to_wall_ns;
	}
	kw_metrics_prom(&b, &metrics, &h);
	if (!b.truncated)
		check_plain("prometheus metrics", page, b.len, false);
	kw_buf_reset(&b);
	kw_metrics_otlp(&b, &metrics, &h, &res, (uint64_t)info.boot_to_wall_ns);
	if (!b.truncated) {
		page[b.len] = '\0';
		check_json("OTLP metrics", page);
	}
}

static void run_lines_otlp_report(void)
{
	static struct kw_pipeline p;
	const struct kw_counters *last = NULL;
	struct kw_fmt_ctx fmt = { .boot_to_wall_ns = info.boot_to_wall_ns,
				  .rst_reasons = &info.rst_reasons,
				  .drop_reasons = &info.drop_reasons,
				  .utc = pre.opts & FZ_OPT_UTC };
	struct kw_sinks fan = { .event = fan_event, .explanation = fan_explanation,
				.summary = fan_summary };
	struct kw_pipeline_cfg pc;
	const char *text;
	size_t len;

	out_open(&o_json);
	out_open(&o_text);
	out_open(&o_otlp);
	out_open(&o_md);
	out_open(&o_html);
	out_open(&ex_md);
	out_open(&ex_html);
	kw_output_init(&out_json, o_json.f, true, &fmt);
	fmt.color = pre.opts & FZ_OPT_COLOR;
	kw_output_init(&out_text, o_text.f, false, &fmt);
	kw_metrics_init(&metrics, &info.rst_reasons, &info.drop_reasons);
	exporter_init(&x_otlp, o_otlp.f);
	memset(&otlp, 0, sizeof(otlp));
	otlp.c = &x_otlp;
	kw_otlp_begin(&otlp);
	s_otlp = kw_otlp_sinks(&otlp);
	exporter_init(&x_report, NULL);
	memset(&report, 0, sizeof(report));
	report.c = &x_report;
	report.on_explanation = both_explanations;
	s_report = kw_report_sinks(&report);

	pipeline_cfg(&pc, &x_otlp);
	kw_pipeline_init(&p, &pc, &fan);
	for (uint32_t i = 0; i < nr_frames; i++) {
		const struct fz_frame *fr = &frames[i];

		switch (fr->kind) {
		case KW_FRAME_EVENT:
			if (wanted(fr->ev))
				kw_pipeline_event(&p, fr->ev);
			break;
		case KW_FRAME_FLUSH:
			if (fr->flush_has_time) {
				kw_metrics_set_now(&metrics, fr->flush_ns);
				kw_pipeline_flush_at(&p, fr->flush_ns);
			} else {
				kw_pipeline_flush(&p);
			}
			/* what watch asks to know when to flush again */
			(void)kw_pipeline_pending(&p);
			break;
		case KW_FRAME_COUNTERS:
			x_otlp.counters = x_report.counters = *fr->counters;
			x_otlp.have_counters = x_report.have_counters = true;
			last = fr->counters;
			stats(fr->counters, false);
			break;
		}
	}
	kw_pipeline_finish(&p);
	kw_otlp_finish(&otlp);
	kw_report_finish(&report);
	kw_report_md(o_md.f, &report, ex_md.f);
	kw_report_html(o_html.f, &report, ex_html.f);
	if (last)
		stats(last, true);
	metrics_render(last);

	fclose(ex_md.f);
	fclose(ex_html.f);
	if ((text = out_close(&o_json, &len)))
		check_json_lines("JSON lines", (char *)text, len);
	if ((text = out_close(&o_text, &len)))
		check_plain("text lines", text, len, pre.opts & FZ_OPT_COLOR);
	if ((text = out_close(&o_otlp, &len)))
		check_json_lines("OTLP logs", (char *)text, len);
	if ((text = out_close(&o_md, &len)))
		check_plain("Markdown report", text, len, false);
	if ((text = out_close(&o_html, &len))) {
		check_plain("HTML report", text, len, false);
		check_html_tags(text);
	}
}

/* ---- perfetto: its own pipeline, fed through kw_perfetto_event ---- */

static void run_perfetto(void)
{
	struct kw_pipeline_cfg pc;
	struct kw_sinks s;
	const char *text;
	size_t len;

	out_open(&o_pf);
	exporter_init(&x_pf, o_pf.f);
	memset(&pf, 0, sizeof(pf));
	pf.c = &x_pf;
	pipeline_cfg(&pc, &x_pf);
	s = kw_perfetto_sinks(&pf);
	kw_perfetto_begin(&pf);
	kw_pipeline_init(&x_pf.pipeline, &pc, &s);
	for (uint32_t i = 0; i < nr_frames; i++) {
		const struct fz_frame *fr = &frames[i];

		switch (fr->kind) {
		case KW_FRAME_EVENT:
			if (wanted(fr->ev))
				kw_perfetto_event(&pf, fr->ev);
			break;
		case KW_FRAME_FLUSH:
			if (fr->flush_has_time)
				kw_pipeline_flush_at(&x_pf.pipeline, fr->flush_ns);
			else
				kw_pipeline_flush(&x_pf.pipeline);
			break;
		case KW_FRAME_COUNTERS:
			x_pf.counters = *fr->counters;
			x_pf.have_counters = true;
			break;
		}
	}
	kw_pipeline_finish(&x_pf.pipeline);
	kw_perfetto_finish(&pf);
	if ((text = out_close(&o_pf, &len)))
		check_json("perfetto trace", text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < FZ_PRELUDE)
		return 0;
	parse(data, size);
	if (!find_target())
		return 0;
	records();
	run_lines_otlp_report();
	run_perfetto();
	return 0;
}
