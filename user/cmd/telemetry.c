// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Metrics served and pushed while watching: see telemetry.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cmd/opts.h"
#include "cmd/telemetry.h"
#include "util/version.h"
#include "util/zero.h"

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void read_line(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "re");

	out[0] = '\0';
	if (f && fgets(out, len, f))
		out[strcspn(out, "\n")] = '\0';
	if (f)
		fclose(f);
}

/* ---- the sinks: count, then pass on ---- */

static void logs_add(struct kw_telemetry *t, const struct kw_explanation *ex);

static void tee_event(void *ctx, const struct kw_event *ev, uint64_t id)
{
	struct kw_telemetry *t = ctx;

	if (t->out.event)
		t->out.event(t->out.ctx, ev, id);
	kw_metrics_event(&t->metrics, ev);
}

static void tee_explanation(void *ctx, const struct kw_explanation *ex)
{
	struct kw_telemetry *t = ctx;

	if (t->out.explanation)
		t->out.explanation(t->out.ctx, ex);
	kw_metrics_explanation(&t->metrics, ex);
	if (t->push)
		logs_add(t, ex);
}

static void tee_summary(void *ctx, const struct kw_summary *s)
{
	struct kw_telemetry *t = ctx;

	if (t->out.summary)
		t->out.summary(t->out.ctx, s);
	kw_metrics_summary(&t->metrics, s);
}

struct kw_sinks kw_telemetry_sinks(struct kw_telemetry *t, const struct kw_sinks *out)
{
	t->out = *out;
	return (struct kw_sinks){ .event = tee_event, .explanation = tee_explanation,
				  .summary = tee_summary, .ctx = t };
}

void kw_telemetry_now(struct kw_telemetry *t, uint64_t boot_ns)
{
	kw_metrics_set_now(&t->metrics, boot_ns);
}

/* ---- what the metrics read besides the pipeline ---- */

static void host_state(struct kw_telemetry *t, struct kw_metrics_host *h)
{
	struct kw_push_stats ps;

	memset(h, 0, sizeof(*h));
	h->bpf_stats = -1;
	h->start_wall_ns = t->start_wall_ns;
	if (t->loader) {
		h->have_counters = !kw_loader_counters(t->loader, &h->counters);
		kw_kstats_read(&t->kstats, h);
	}
	if (t->decode_errors)
		h->decode_errors = *t->decode_errors;
	if (t->push) {
		kw_push_stats(t->push, &ps);
		h->have_otlp = true;
		for (int i = 0; i < KW_PUSH_SIGNALS; i++) {
			h->otlp_sent[i] = ps.sent[i];
			h->otlp_failed[i] = ps.failed[i];
			h->otlp_dropped[i] = ps.dropped[i];
		}
	}
}

/* ---- the page ---- */

static int serve(void *ctx, const char *path, struct kw_buf *body, const char **type)
{
	struct kw_telemetry *t = ctx;
	static struct kw_metrics_host h;	/* the BPF programs: too big for the stack */

	if (!strcmp(path, "/metrics")) {
		host_state(t, &h);
		kw_metrics_prom(body, &t->metrics, &h);
		*type = "text/plain; version=0.0.4; charset=utf-8";
		return 200;
	}
	if (!strcmp(path, "/")) {
		kw_buf_puts(body, "kwhy: the metrics are at /metrics\n");
		return 200;
	}
	kw_buf_puts(body, "not found; the metrics are at /metrics\n");
	return 404;
}

/* ---- OTLP ---- */

static void logs_reset(struct kw_telemetry *t)
{
	t->logs_b.len = t->logs_head_len;
	t->logs_b.truncated = false;
	t->logs_n = 0;
}

static void logs_send(struct kw_telemetry *t)
{
	if (!t->logs_n)
		return;
	kw_buf_puts(&t->logs_b, KW_OTLP_LOGS_TAIL);
	if (!t->logs_b.truncated)
		kw_push_submit(t->push, KW_PUSH_LOGS, t->logs_b.p, t->logs_b.len);
	logs_reset(t);
}

static void logs_add(struct kw_telemetry *t, const struct kw_explanation *ex)
{
	int64_t wall = (int64_t)ex->ts_ns + t->boot_to_wall_ns;
	size_t at;

	for (int tries = 0; tries < 2; tries++) {
		at = t->logs_b.len;
		if (t->logs_n)
			kw_buf_putc(&t->logs_b, ',');
		/* room for the tail, always */
		t->logs_b.cap -= sizeof(KW_OTLP_LOGS_TAIL);
		kw_otlp_explanation_record(&t->logs_b, ex, wall > 0 ? (uint64_t)wall : 0);
		t->logs_b.cap += sizeof(KW_OTLP_LOGS_TAIL);
		if (!t->logs_b.truncated)
			break;
		/* full: what is there goes, and this one starts the next */
		t->logs_b.len = at;
		t->logs_b.truncated = false;
		if (!t->logs_n)
			return;		/* one record bigger than a request: dropped */
		logs_send(t);
	}
	if (!t->logs_n++)
		t->logs_since_ns = clock_ns(CLOCK_MONOTONIC);
	if (t->logs_n == KW_TELEMETRY_LOGS_BATCH)
		logs_send(t);
}

static void push_metrics(struct kw_telemetry *t)
{
	static struct kw_metrics_host h;
	struct kw_buf b = { .p = t->page, .cap = KW_TELEMETRY_PAGE_MAX };

	host_state(t, &h);
	kw_metrics_otlp(&b, &t->metrics, &h, &t->res, clock_ns(CLOCK_REALTIME));
	if (!b.truncated)
		kw_push_submit(t->push, KW_PUSH_METRICS, b.p, b.len);
}

static void say_push_error(struct kw_telemetry *t)
{
	char msg[600];

	if (kw_push_take_error(t->push, msg, sizeof(msg)))
		fprintf(stderr, "kwhy: OTLP export failed: %s; kwhy goes on, and counts failures "
			"in kwhy_otlp_exports_total{result=\"failed\"} (said once)\n", msg);
}

/* ---- lifecycle ---- */

int kw_telemetry_start(struct kw_telemetry *t, const char *metrics, const char *endpoint,
		       const char *kernel, const char *target, const struct kw_enum_table *rst,
		       const struct kw_enum_table *drop, int64_t boot_to_wall_ns)
{
	char err[512];

	kw_zero(t, sizeof(*t));		/* util/zero.h */
	if (!metrics && !endpoint)
		return 0;
	t->on = true;
	t->endpoint = endpoint;
	t->start_wall_ns = clock_ns(CLOCK_REALTIME);
	t->boot_to_wall_ns = boot_to_wall_ns;
	kw_metrics_init(&t->metrics, rst, drop);
	if (endpoint && !kw_push_available()) {
		kw_push_start(endpoint, err, sizeof(err));	/* the reason */
		fprintf(stderr, "kwhy: %s\n", err);
		return KW_EXIT_USAGE;
	}
	if (metrics) {
		t->http = kw_http_open(metrics, KW_TELEMETRY_PAGE_MAX, err, sizeof(err));
		if (!t->http) {
			fprintf(stderr, "kwhy: %s\n", err);
			return KW_EXIT_RUNTIME;
		}
		fprintf(stderr, "kwhy: serving metrics on http://%s/metrics\n",
			kw_http_address(t->http));
	}
	if (!endpoint)
		return 0;
	gethostname(t->host, sizeof(t->host) - 1);
	snprintf(t->kernel, sizeof(t->kernel), "%s", kernel);
	read_line("/proc/sys/kernel/random/boot_id", t->boot_id, sizeof(t->boot_id));
	snprintf(t->target, sizeof(t->target), "%s", target ? target : "");
	t->res = (struct kw_otlp_resource){ .host = t->host, .version = kw_version,
					    .kernel = t->kernel, .boot_id = t->boot_id,
					    .target = target ? t->target : NULL };
	t->page = malloc(KW_TELEMETRY_PAGE_MAX);
	t->logs = malloc(KW_TELEMETRY_LOGS_MAX);
	if (!t->page || !t->logs) {
		fprintf(stderr, "kwhy: out of memory for the OTLP export\n");
		return KW_EXIT_RUNTIME;
	}
	t->logs_b = (struct kw_buf){ .p = t->logs, .cap = KW_TELEMETRY_LOGS_MAX };
	kw_otlp_logs_head(&t->logs_b, &t->res);
	t->logs_head_len = t->logs_b.len;
	t->push = kw_push_start(endpoint, err, sizeof(err));
	if (!t->push) {
		fprintf(stderr, "kwhy: %s\n", err);
		return KW_EXIT_RUNTIME;
	}
	fprintf(stderr, "kwhy: pushing metrics every %llu s and explanations over OTLP/HTTP to "
		"%s\n", KW_TELEMETRY_PUSH_EVERY_NS / 1000000000ULL, endpoint);
	t->next_push_ns = clock_ns(CLOCK_MONOTONIC) + KW_TELEMETRY_PUSH_EVERY_NS;
	return 0;
}

void kw_telemetry_attach(struct kw_telemetry *t, struct kw_loader *l,
			 const uint64_t *decode_errors)
{
	if (!t->on)
		return;
	t->loader = l;
	t->decode_errors = decode_errors;
	if (kw_kstats_open(&t->kstats, l))
		fprintf(stderr, "kwhy: the ring buffers' fill cannot be read (mmap failed); "
			"kwhy_ringbuf_* are left out\n");
}

int kw_telemetry_fd(const struct kw_telemetry *t)
{
	return t->http ? kw_http_fd(t->http) : -1;
}

void kw_telemetry_tick(struct kw_telemetry *t, uint64_t now_mono_ns)
{
	if (t->http)
		kw_http_serve(t->http, now_mono_ns / 1000000, serve, t);
	if (!t->push)
		return;
	if (t->logs_n && now_mono_ns >= t->logs_since_ns + KW_TELEMETRY_LOGS_EVERY_NS)
		logs_send(t);
	if (now_mono_ns >= t->next_push_ns) {
		push_metrics(t);
		t->next_push_ns = now_mono_ns + KW_TELEMETRY_PUSH_EVERY_NS;
	}
	say_push_error(t);
}

void kw_telemetry_stop(struct kw_telemetry *t)
{
	if (!t->on)
		return;
	if (t->push) {
		logs_send(t);
		push_metrics(t);
		kw_push_stop(t->push, KW_TELEMETRY_STOP_WAIT_MS);
		say_push_error(t);	/* of the last pushes too */
		kw_push_free(t->push);
		t->push = NULL;
	}
	kw_http_close(t->http);
	t->http = NULL;
	if (t->loader)
		kw_kstats_close(&t->kstats);
	t->loader = NULL;
	free(t->page);
	free(t->logs);
	t->page = t->logs = NULL;
	t->on = false;
}
