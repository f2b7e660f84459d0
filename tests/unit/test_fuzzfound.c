// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What tests/fuzz/fuzz_pipeline found after the trace reader, one test
 * each (the input that found it is in tests/fuzz/regress-pipeline/): the
 * events of a crafted trace through the pipeline into the renderers, with
 * what the output must then still be.  Under `make SAN=1 unit` the
 * undefined behaviour itself fails the test too.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "output/format.h"
#include "output/report.h"
#include "util/textfmt.h"
#include "suites.h"
#include "testutil.h"

#define SEC 1000000000ULL

static struct kw_event ev;

static void hdr(uint16_t type, uint64_t ts, uint32_t pid, const char *comm)
{
	memset(&ev, 0, sizeof(ev));
	ev.hdr.type = type;
	ev.hdr.size = kw_event_size(type);
	ev.hdr.ts_boot_ns = ts;
	ev.hdr.netns_ino = 4026531840u;
	ev.hdr.flags = KW_F_NETNS | KW_F_TASK;
	ev.hdr.task.pid = ev.hdr.task.tgid = pid;
	strncpy(ev.hdr.task.comm, comm, sizeof(ev.hdr.task.comm) - 1);
}

/* ---- the report ---- */

static struct kw_exporter x;
static struct kw_report rep;
static char page[1 << 20];

static void report_begin(int64_t boot_to_wall)
{
	struct kw_pipeline_cfg pc = {};
	struct kw_sinks sinks;

	memset(&x, 0, offsetof(struct kw_exporter, pipeline));
	memset(&rep, 0, sizeof(rep));
	strcpy(x.info.host, "h");
	x.info.boot_to_wall_ns = boot_to_wall;
	x.trace_file = "t.kwt";
	x.fmt.boot_to_wall_ns = boot_to_wall;
	x.fmt.utc = true;
	rep.c = &x;
	sinks = kw_report_sinks(&rep);
	kw_pipeline_init(&x.pipeline, &pc, &sinks);
}

/* the HTML page, in page */
static size_t report_html(void)
{
	FILE *f = fmemopen(page, sizeof(page) - 1, "w");
	FILE *ex = tmpfile();
	long n;

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(ex);
	kw_pipeline_finish(&x.pipeline);
	kw_report_finish(&rep);
	kw_report_html(f, &rep, ex);
	fflush(f);
	n = ftell(f);
	ck_assert(!ferror(f) && n > 0 && (size_t)n < sizeof(page) - 1);
	fclose(f);
	fclose(ex);
	page[n] = '\0';
	return (size_t)n;
}

static unsigned int count(const char *hay, const char *needle)
{
	unsigned int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* A timeline whose times and boot-to-wall offset, added, pass INT64_MAX
 * (signed overflow in the axis), and whose span is a century (a tick per
 * day: tens of thousands of them). */
START_TEST(report_axis_far_times)
{
	report_begin(1796393466102196678LL);
	hdr(KW_EV_LISTEN, 1 * SEC, 41, "python3");
	ev.listen.local = (struct kw_addr){ .family = 2, .port = 8080 };
	kw_pipeline_event(&x.pipeline, &ev);
	hdr(KW_EV_LISTEN_CLOSE, 8315180346517320481ULL, 41, "python3");
	ev.listen.local = (struct kw_addr){ .family = 2, .port = 8080 };
	kw_pipeline_event(&x.pipeline, &ev);
	report_html();
	/* about 8 ticks on the time axis, whatever the span */
	ck_assert_uint_le(count(page, "text-anchor=\"middle\""), 40);

	report_begin(0);	/* the same span at the epoch */
	hdr(KW_EV_LISTEN, 1 * SEC, 41, "python3");
	kw_pipeline_event(&x.pipeline, &ev);
	hdr(KW_EV_PROC_EXIT, 100ULL * 365 * 86400 * SEC, 41, "python3");
	ev.exit.group_dead = 1;
	kw_pipeline_event(&x.pipeline, &ev);
	report_html();
	ck_assert_uint_le(count(page, "text-anchor=\"middle\""), 40);
}
END_TEST

/* A header's enum name with a DEL and markup: printed raw into the text
 * line of a reset (and into explanations); names are C identifiers. */
START_TEST(enum_names_are_identifiers)
{
	static struct kw_enum_table t;
	static char out[4096];
	struct kw_fmt_ctx ctx = { .rst_reasons = &t };
	struct kw_buf b = KW_BUF_INIT(out);

	kw_enum_clear(&t);
	kw_enum_add(&t, 1, "SK_RST_REASON_NO\x7fSOCKET\"<b>\x1b[2J", "SK_RST_REASON_");
	ck_assert_str_eq(kw_enum_name(&t, 1), "NO?SOCKET??b???2J");
	hdr(KW_EV_RESET_SENT, 1 * SEC, 0, "");
	ev.conn.has_reason = 1;
	ev.conn.reason = 1;
	ev.conn.source = KW_SRC_SEND_RESET;
	kw_format_text(&b, &ev, &ctx);
	tu_assert_contains(out, "(NO?SOCKET??b???2J)");
}
END_TEST

/* A system call's return of INT_MIN (bind, accept, UNIX connect): every
 * renderer negated it into an errno (undefined); decoding bounds it. */
START_TEST(syscall_ret_int_min)
{
	static const uint16_t types[] = { KW_EV_BIND, KW_EV_ACCEPT_FAIL,
					  KW_EV_UNIX_CONNECT_FAIL };
	static char out[16384];
	struct kw_fmt_ctx ctx = {};
	struct kw_event raw, dec;
	char err[160];

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct kw_buf b = KW_BUF_INIT(out);
		struct jq_val *v;
		__s32 *ret;

		hdr(types[i], 1 * SEC, 41, "server");
		raw = ev;
		ret = types[i] == KW_EV_BIND ? &raw.bind.ret :
		      types[i] == KW_EV_ACCEPT_FAIL ? &raw.accept_fail.ret : &raw.unix_conn.ret;
		*ret = INT32_MIN;
		ck_assert_int_eq(kw_decode(&raw, raw.hdr.size, &dec, err, sizeof(err)), 0);
		ret = types[i] == KW_EV_BIND ? &dec.bind.ret :
		      types[i] == KW_EV_ACCEPT_FAIL ? &dec.accept_fail.ret : &dec.unix_conn.ret;
		ck_assert_int_eq(*ret, -4095);
		kw_format_json(&b, &dec, &ctx);
		v = tu_parse(out);
		tu_assert_int(v, "errno", 4095);
		jq_free(v);
		kw_buf_reset(&b);
		kw_format_text(&b, &dec, &ctx);
		ck_assert(!b.truncated);
	}
	/* 0 and ordinary errnos stay */
	hdr(KW_EV_BIND, 1 * SEC, 41, "server");
	raw = ev;
	raw.bind.ret = -98;
	ck_assert_int_eq(kw_decode(&raw, raw.hdr.size, &dec, err, sizeof(err)), 0);
	ck_assert_int_eq(dec.bind.ret, -98);
}
END_TEST

/* A UNIX path's st_mode of type 15 (bits a real stat never gives): the
 * event's JSON read past the table of type letters. */
START_TEST(unix_path_mode_any_type)
{
	static char out[16384];
	struct kw_fmt_ctx ctx = {};
	struct kw_buf b = KW_BUF_INIT(out);
	char m[KW_MODE_TEXT_LEN];
	struct jq_val *v;

	kw_fmt_mode(m, 0xf1ed);
	ck_assert_str_eq(m, "?rwxr-xr-x");
	kw_fmt_mode(m, 0140600);
	ck_assert_str_eq(m, "srw-------");
	kw_fmt_mode(m, 0xffffffffu);
	ck_assert_str_eq(m, "?rwxrwxrwx");
	hdr(KW_EV_UNIX_PATH, 1 * SEC, 0, "");
	ev.unix_path.mode = 0xf1ff;
	ev.unix_path.dir_mode = 0xd1ff;
	ev.unix_path.path_len = 4;
	memcpy(ev.unix_path.path, "/x/y", 4);
	kw_format_json(&b, &ev, &ctx);
	v = tu_parse(out);
	tu_assert_str(v, "file.perms", "?rwxrwxrwx");
	jq_free(v);
}
END_TEST

Suite *fuzzfound_suite(void)
{
	Suite *s = suite_create("fuzzfound");
	TCase *t = tcase_create("pipeline");

	tcase_add_test(t, report_axis_far_times);
	tcase_add_test(t, enum_names_are_identifiers);
	tcase_add_test(t, syscall_ret_int_min);
	tcase_add_test(t, unix_path_mode_any_type);
	suite_add_tcase(s, t);
	return s;
}
