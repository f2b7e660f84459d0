// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The metrics: counts from explanations, summaries and events
 * (core/metrics.c), the bounds on their labels, and the two renderings
 * (Prometheus text, OTLP JSON); --metrics and --otlp-endpoint on the
 * command line.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/opts.h"
#include "core/metrics.h"
#include "net/http.h"
#include "output/metrics.h"
#include "suites.h"
#include "testutil.h"

static struct kw_metrics m;
static struct kw_metrics_host h;
static char page[1 << 20];

static void render(void)
{
	struct kw_buf b = KW_BUF_INIT(page);

	kw_metrics_prom(&b, &m, &h);
	ck_assert(!b.truncated);
}

static struct kw_explanation refusal(uint64_t id, uint8_t cause, const char *ctr,
				     uint16_t port)
{
	struct kw_explanation ex = { .id = id, .cause = cause, .count = 1, .ts_ns = 1000 };

	if (ctr) {
		ex.place.known = true;
		ex.place.runtime = KW_RT_DOCKER;
		snprintf(ex.place.name, sizeof(ex.place.name), "%s", ctr);
		snprintf(ex.place.id, sizeof(ex.place.id), "0123456789abcdef");
	}
	ex.dest.port = port;
	return ex;
}

static void setup(void)
{
	kw_metrics_init(&m, NULL, NULL);
	memset(&h, 0, sizeof(h));
	h.bpf_stats = -1;
}

START_TEST(refusal_and_its_repeats)
{
	struct kw_explanation ex = refusal(7, KW_CAUSE_WRONG_PORT, "web", 8080);
	struct kw_summary s = { .explanation_id = 7, .cause = KW_CAUSE_WRONG_PORT, .count = 41 };

	setup();
	kw_metrics_explanation(&m, &ex);
	kw_metrics_summary(&m, &s);
	render();
	tu_assert_contains(page, "# TYPE kwhy_refusals_total counter\n");
	tu_assert_contains(page, "kwhy_refusals_total{cause=\"wrong_port\",container=\"web\","
			   "port=\"8080\"} 42\n");
	tu_assert_contains(page, "kwhy_explanations_total{cause=\"wrong_port\"} 1\n");
	/* the host, and a name-less container by its id */
	ex = refusal(8, KW_CAUSE_NO_LISTENER, NULL, 9);
	kw_metrics_explanation(&m, &ex);
	ex = refusal(9, KW_CAUSE_NO_LISTENER, "", 9);
	kw_metrics_explanation(&m, &ex);
	render();
	tu_assert_contains(page, "{cause=\"no_listener\",container=\"host\",port=\"9\"} 1\n");
	tu_assert_contains(page, "{cause=\"no_listener\",container=\"0123456789ab\",port=\"9\"} 1\n");
}
END_TEST

START_TEST(cardinality_is_bounded)
{
	char name[32];
	uint64_t sum = 0;
	int series = 0;

	setup();
	for (int i = 0; i < 40; i++) {
		struct kw_explanation ex;

		snprintf(name, sizeof(name), "c%d", i);
		ex = refusal(i + 1, KW_CAUSE_NO_LISTENER, name, 1000 + i);
		kw_metrics_explanation(&m, &ex);
	}
	render();
	for (char *l = strtok(page, "\n"); l; l = strtok(NULL, "\n"))
		if (!strncmp(l, "kwhy_refusals_total{", 20)) {
			series++;
			sum += strtoull(strrchr(l, ' ') + 1, NULL, 10);
		}
	/* 16 containers x 16 ports on the diagonal, then "other" for both */
	ck_assert_int_eq(series, KW_METRICS_CONTAINERS + 1);
	ck_assert_uint_eq(sum, 40);
	render();
	tu_assert_contains(page, "container=\"other\",port=\"other\"} 24\n");
	tu_assert_contains(page, "container=\"c15\",port=\"1015\"} 1\n");
}
END_TEST

START_TEST(deaths_and_latency)
{
	struct kw_explanation ex = refusal(1, KW_CAUSE_MEMCG_LIMIT, "db", 0);

	setup();
	kw_metrics_set_now(&m, 1000 + 3000000);	/* 3 ms after the event */
	kw_metrics_explanation(&m, &ex);
	ex.cause = KW_CAUSE_USERSPACE_KILLER;
	kw_metrics_explanation(&m, &ex);
	render();
	tu_assert_contains(page, "kwhy_oom_kills_total{cause=\"memcg_limit\",container=\"db\"} 1\n");
	tu_assert_contains(page, "kwhy_kills_total{cause=\"userspace_killer\",container=\"db\"} 1\n");
	ck_assert_ptr_null(strstr(page, "kwhy_refusals_total{"));
	tu_assert_contains(page, "kwhy_explanation_latency_seconds_bucket{le=\"0.0025\"} 0\n");
	tu_assert_contains(page, "kwhy_explanation_latency_seconds_bucket{le=\"0.005\"} 2\n");
	tu_assert_contains(page, "kwhy_explanation_latency_seconds_bucket{le=\"+Inf\"} 2\n");
	tu_assert_contains(page, "kwhy_explanation_latency_seconds_sum 0.006\n");
	tu_assert_contains(page, "kwhy_explanation_latency_seconds_count 2\n");
}
END_TEST

START_TEST(resets_by_reason)
{
	static struct kw_enum_table rst;
	struct kw_event ev = {};

	kw_enum_clear(&rst);
	kw_enum_add(&rst, 2, "SK_RST_REASON_NO_SOCKET", "SK_RST_REASON_");
	setup();
	m.rst_reasons = &rst;
	ev.hdr.type = KW_EV_RESET_SENT;
	ev.conn.source = KW_SRC_SEND_RESET;
	ev.conn.has_reason = 1;
	ev.conn.reason = 2;
	kw_metrics_event(&m, &ev);
	memset(&ev, 0, sizeof(ev));
	ev.hdr.type = KW_EV_REPEAT;
	ev.repeat.key.type = KW_EV_RESET_SENT;
	ev.repeat.key.code = 2;
	ev.repeat.count = 99;
	kw_metrics_event(&m, &ev);
	memset(&ev, 0, sizeof(ev));
	ev.hdr.type = KW_EV_RESET_RECV;
	kw_metrics_event(&m, &ev);
	render();
	tu_assert_contains(page, "kwhy_resets_total{direction=\"sent\",reason=\"NO_SOCKET\"} 100\n");
	tu_assert_contains(page, "kwhy_resets_total{direction=\"received\",reason=\"unknown\"} 1\n");
	tu_assert_contains(page, "kwhy_events_delivered_total{type=\"repeat\"} 1\n");
}
END_TEST

START_TEST(label_values_escaped)
{
	struct kw_explanation ex = refusal(1, KW_CAUSE_NO_LISTENER, "a\"b\\c\nd\x01", 1);

	setup();
	kw_metrics_explanation(&m, &ex);
	render();
	tu_assert_contains(page, "container=\"a\\\"b\\\\c\\nd?\"");
}
END_TEST

START_TEST(kernel_side_families)
{
	setup();
	h.have_counters = true;
	h.counters.emitted[KW_EV_OOM_KILL] = 2;
	h.counters.lost[KW_EV_CONNECT_FAIL] = 5;
	h.counters.aggregated[KW_EV_CONNECT_FAIL] = 7;
	h.counters.emitted[KW_EV_CONNECT_FAIL] = 1;
	h.have_rings = true;
	h.ring_size[0] = 262144;
	h.ring_used[0] = 65536;
	h.bpf_stats = 1;
	h.n_progs = 1;
	snprintf(h.progs[0].name, sizeof(h.progs[0].name), "kw_oom");
	h.progs[0].run_ns = 1500000000;
	h.progs[0].run_cnt = 3;
	render();
	tu_assert_contains(page, "kwhy_events_seen_total{type=\"connect_failed\"} 13\n");
	tu_assert_contains(page, "kwhy_events_lost_total{type=\"connect_failed\"} 5\n");
	tu_assert_contains(page, "kwhy_events_seen_total{type=\"oom_kill\"} 2\n");
	tu_assert_contains(page, "kwhy_ringbuf_fill_ratio{ring=\"rare\"} 0.25\n");
	tu_assert_contains(page, "kwhy_bpf_prog_run_seconds_total{prog=\"kw_oom\"} 1.5\n");
	tu_assert_contains(page, "kwhy_bpf_prog_runs_total{prog=\"kw_oom\"} 3\n");
	/* off: the flag alone */
	h.bpf_stats = 0;
	render();
	tu_assert_contains(page, "kwhy_bpf_stats_enabled 0\n");
	ck_assert_ptr_null(strstr(page, "kwhy_bpf_prog_runs_total{"));
}
END_TEST

START_TEST(otlp_request_is_json)
{
	struct kw_explanation ex = refusal(3, KW_CAUSE_WRONG_ADDRESS, "web", 80);
	struct kw_otlp_resource r = { .host = "box", .version = "v", .kernel = "6.1",
				      .boot_id = "b" };
	struct kw_buf b = KW_BUF_INIT(page);
	const struct jq_val *ms, *sum = NULL, *hist = NULL;
	struct jq_val *v;

	setup();
	kw_metrics_set_now(&m, 2000);
	kw_metrics_explanation(&m, &ex);
	h.start_wall_ns = 5;
	kw_metrics_otlp(&b, &m, &h, &r, 1700000000000000000ULL);
	ck_assert(!b.truncated);
	v = tu_parse(page);
	tu_assert_str(v, "resourceMetrics.0.resource.attributes.0.key", "service.name");
	ms = jq_get(v, "resourceMetrics.0.scopeMetrics.0.metrics");
	ck_assert_ptr_nonnull(ms);
	for (size_t i = 0; i < jq_len(ms, ""); i++) {
		const char *name = jq_str(ms->items[i], "name");

		ck_assert_msg(jq_len(ms->items[i], "sum.dataPoints") ||
			      jq_len(ms->items[i], "gauge.dataPoints") ||
			      jq_len(ms->items[i], "histogram.dataPoints"),
			      "%s: a metric without points", name);
		if (!strcmp(name, "kwhy_refusals"))
			sum = ms->items[i];
		if (!strcmp(name, "kwhy_explanation_latency_seconds"))
			hist = ms->items[i];
	}
	ck_assert_ptr_nonnull(sum);
	tu_assert_bool(sum, "sum.isMonotonic", true);
	tu_assert_int(sum, "sum.aggregationTemporality", 2);
	tu_assert_str(sum, "sum.dataPoints.0.asInt", "1");
	tu_assert_str(sum, "sum.dataPoints.0.startTimeUnixNano", "5");
	tu_assert_str(sum, "sum.dataPoints.0.attributes.1.value.stringValue", "web");
	ck_assert_ptr_nonnull(hist);
	tu_assert_str(hist, "histogram.dataPoints.0.count", "1");
	ck_assert_uint_eq(jq_len(hist, "histogram.dataPoints.0.bucketCounts"),
			  KW_METRICS_BUCKETS + 1);
	ck_assert_uint_eq(jq_len(hist, "histogram.dataPoints.0.explicitBounds"),
			  KW_METRICS_BUCKETS);
	jq_free(v);
}
END_TEST

START_TEST(listen_spec)
{
	char addr[64];
	uint16_t port;

	ck_assert_int_eq(kw_http_parse_spec("9100", addr, sizeof(addr), &port), 0);
	ck_assert_str_eq(addr, "0.0.0.0");
	ck_assert_uint_eq(port, 9100);
	ck_assert_int_eq(kw_http_parse_spec("127.0.0.1:80", addr, sizeof(addr), &port), 0);
	ck_assert_str_eq(addr, "127.0.0.1");
	ck_assert_int_eq(kw_http_parse_spec("[::1]:9100", addr, sizeof(addr), &port), 0);
	ck_assert_str_eq(addr, "::1");
	ck_assert_int_eq(kw_http_parse_spec("0", addr, sizeof(addr), &port), 0);
	ck_assert_int_eq(kw_http_parse_spec("localhost:9100", addr, sizeof(addr), &port), -1);
	ck_assert_int_eq(kw_http_parse_spec("::1:9100", addr, sizeof(addr), &port), -1);
	ck_assert_int_eq(kw_http_parse_spec("65536", addr, sizeof(addr), &port), -1);
	ck_assert_int_eq(kw_http_parse_spec("1.2.3.4:", addr, sizeof(addr), &port), -1);
	ck_assert_int_eq(kw_http_parse_spec("-1", addr, sizeof(addr), &port), -1);
}
END_TEST

START_TEST(options)
{
	struct kw_opts o;
	char err[256];
	char *ok[] = { "kwhy", "record", "-o", "/tmp/x", "--metrics", "127.0.0.1:9100",
		       "--otlp-endpoint", "http://collector:4318", NULL };
	char *bad_port[] = { "kwhy", "watch", "--metrics", "web:9100", NULL };
	char *bad_url[] = { "kwhy", "watch", "--otlp-endpoint", "collector:4318", NULL };
	char *replay[] = { "kwhy", "replay", "f.kwt", "--metrics", "9100", NULL };

	ck_assert_int_eq(kw_opts_parse(&o, 8, ok, err, sizeof(err)), KW_PARSE_OK);
	ck_assert_str_eq(o.metrics, "127.0.0.1:9100");
	ck_assert_str_eq(o.otlp_endpoint, "http://collector:4318");
	ck_assert_int_eq(kw_opts_parse(&o, 4, bad_port, err, sizeof(err)), KW_PARSE_ERROR);
	tu_assert_contains(err, "[ADDR:]PORT");
	ck_assert_int_eq(kw_opts_parse(&o, 4, bad_url, err, sizeof(err)), KW_PARSE_ERROR);
	tu_assert_contains(err, "http://");
	ck_assert_int_eq(kw_opts_parse(&o, 5, replay, err, sizeof(err)), KW_PARSE_USAGE);
}
END_TEST

Suite *metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *t = tcase_create("core");

	tcase_add_test(t, refusal_and_its_repeats);
	tcase_add_test(t, cardinality_is_bounded);
	tcase_add_test(t, deaths_and_latency);
	tcase_add_test(t, resets_by_reason);
	tcase_add_test(t, label_values_escaped);
	tcase_add_test(t, kernel_side_families);
	tcase_add_test(t, otlp_request_is_json);
	tcase_add_test(t, listen_spec);
	tcase_add_test(t, options);
	suite_add_tcase(s, t);
	return s;
}
