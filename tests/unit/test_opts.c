// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* kw_opts_parse: the command line, parsed without side effects. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/opts.h"
#include "suites.h"
#include "testutil.h"

static struct kw_opts o;
static char err[256];

/* PARSE("--json", "--stats"): argv[0] is "kwhy" */
#define PARSE(...) parse_argv(sizeof((char *[]){ "kwhy", __VA_ARGS__ }) / sizeof(char *), \
			      (char *[]){ "kwhy", __VA_ARGS__ })

static int parse_argv(int argc, char **argv)
{
	memset(err, 0, sizeof(err));
	memset(&o, 0x5a, sizeof(o));
	return kw_opts_parse(&o, argc, argv, err, sizeof(err));
}

static void assert_ok(int ret)
{
	ck_assert_msg(ret == 0, "rejected: %s", err);
}

/* -1 with a non-empty message containing needle */
#define assert_err(ret, needle)                                                    \
	do {                                                                       \
		ck_assert_int_eq((ret), -1);                                       \
		ck_assert_msg(err[0] != '\0', "no error message");                 \
		tu_assert_contains(err, (needle));                                 \
	} while (0)

START_TEST(defaults)
{
	char *argv[] = { "kwhy", NULL };
	struct kw_opts d;

	memset(err, 0, sizeof(err));
	assert_ok(kw_opts_parse(&o, 1, argv, err, sizeof(err)));
	ck_assert_int_eq(o.cmd, KW_CMD_WATCH);
	ck_assert(!o.json);
	ck_assert(!o.stats);
	ck_assert(!o.verbose);
	ck_assert(!o.utc);
	ck_assert_uint_eq(o.agg_window_ns, KW_DEFAULT_AGG_WINDOW_NS);
	ck_assert_uint_eq(o.agg_window_ns, 5000000000ULL);
	ck_assert_uint_eq(o.duration_ns, 0);
	ck_assert_uint_eq(o.stats_interval_ns, 5000000000ULL);
	ck_assert_uint_eq(o.ring_rare_kb, 256);
	ck_assert_uint_eq(o.ring_bulk_kb, 512);
	ck_assert_str_eq(err, "");

	kw_opts_default(&d);
	ck_assert_int_eq(memcmp(&d, &o, sizeof(d)), 0);
}
END_TEST

START_TEST(subcommands)
{
	assert_ok(PARSE("watch"));
	ck_assert_int_eq(o.cmd, KW_CMD_WATCH);
	assert_ok(PARSE("doctor"));
	ck_assert_int_eq(o.cmd, KW_CMD_DOCTOR);
	assert_ok(PARSE("help"));
	ck_assert_int_eq(o.cmd, KW_CMD_HELP);
	assert_ok(PARSE("doctor", "--json"));
	ck_assert_int_eq(o.cmd, KW_CMD_DOCTOR);
	ck_assert(o.json);
	assert_ok(PARSE("watch", "--json", "--stats"));
	ck_assert_int_eq(o.cmd, KW_CMD_WATCH);
	ck_assert(o.json);
	ck_assert(o.stats);
}
END_TEST

START_TEST(help_and_version)
{
	assert_ok(PARSE("--help"));
	ck_assert_int_eq(o.cmd, KW_CMD_HELP);
	assert_ok(PARSE("-h"));
	ck_assert_int_eq(o.cmd, KW_CMD_HELP);
	assert_ok(PARSE("--version"));
	ck_assert_int_eq(o.cmd, KW_CMD_VERSION);
	assert_ok(PARSE("-V"));
	ck_assert_int_eq(o.cmd, KW_CMD_VERSION);
}
END_TEST

START_TEST(flags)
{
	assert_ok(PARSE("--json"));
	ck_assert(o.json);
	ck_assert(!o.stats);
	assert_ok(PARSE("--stats"));
	ck_assert(o.stats);
	ck_assert(!o.json);
	assert_ok(PARSE("-v"));
	ck_assert(o.verbose);
	assert_ok(PARSE("--verbose"));
	ck_assert(o.verbose);
	assert_ok(PARSE("--utc"));
	ck_assert(o.utc);
	assert_ok(PARSE("--no-aggregate"));
	ck_assert_uint_eq(o.agg_window_ns, 0);
	/* the parse starts from the defaults each time */
	assert_ok(PARSE("--json"));
	ck_assert_uint_eq(o.agg_window_ns, KW_DEFAULT_AGG_WINDOW_NS);
}
END_TEST

START_TEST(aggregate_window_forms)
{
	assert_ok(PARSE("--aggregate-window", "2.5"));
	ck_assert_uint_eq(o.agg_window_ns, 2500000000ULL);
	assert_ok(PARSE("--aggregate-window=2.5"));
	ck_assert_uint_eq(o.agg_window_ns, 2500000000ULL);
	assert_ok(PARSE("--aggregate-window", "0"));
	ck_assert_uint_eq(o.agg_window_ns, 0);
	assert_ok(PARSE("--aggregate-window=10"));
	ck_assert_uint_eq(o.agg_window_ns, 10000000000ULL);
	assert_ok(PARSE("--aggregate-window", "0.001"));
	ck_assert_uint_eq(o.agg_window_ns, 1000000);
	/* the last one wins */
	assert_ok(PARSE("--no-aggregate", "--aggregate-window", "3"));
	ck_assert_uint_eq(o.agg_window_ns, 3000000000ULL);
	assert_ok(PARSE("--aggregate-window", "3", "--no-aggregate"));
	ck_assert_uint_eq(o.agg_window_ns, 0);
}
END_TEST

START_TEST(duration_forms)
{
	assert_ok(PARSE("--duration", "30"));
	ck_assert_uint_eq(o.duration_ns, 30000000000ULL);
	assert_ok(PARSE("--duration=0.5"));
	ck_assert_uint_eq(o.duration_ns, 500000000ULL);
	assert_ok(PARSE("watch", "--json", "--duration", "1"));
	ck_assert_uint_eq(o.duration_ns, 1000000000ULL);
	ck_assert(o.json);
}
END_TEST

START_TEST(ring_kb_valid)
{
	assert_ok(PARSE("--ring-kb", "64,1024"));
	ck_assert_uint_eq(o.ring_rare_kb, 64);
	ck_assert_uint_eq(o.ring_bulk_kb, 1024);
	assert_ok(PARSE("--ring-kb=4,1048576"));
	ck_assert_uint_eq(o.ring_rare_kb, 4);
	ck_assert_uint_eq(o.ring_bulk_kb, 1048576);
	assert_ok(PARSE("--ring-kb", "4,4"));
	ck_assert_uint_eq(o.ring_rare_kb, 4);
	ck_assert_uint_eq(o.ring_bulk_kb, 4);
}
END_TEST

START_TEST(ring_kb_invalid)
{
	static const char *const bad[] = {
		"64,1000",	/* not a power of two */
		"63,1024",
		"64",		/* missing comma */
		"64;1024",
		"2,8",		/* below 4 */
		"8,2",
		"0,0",
		"64,",
		",64",
		"",
		"abc",
		"64,1024,8",
		"64,1024x",
		"2097152,64",	/* above 1 GiB */
		"-4,8",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = PARSE("--ring-kb", (char *)bad[i]);

		ck_assert_msg(ret == -1, "--ring-kb '%s' accepted", bad[i]);
		ck_assert_msg(err[0], "--ring-kb '%s': no message", bad[i]);
		tu_assert_contains(err, "--ring-kb");
	}
}
END_TEST

START_TEST(unknown_option)
{
	assert_err(PARSE("--bogus"), "--bogus");
	assert_err(PARSE("--json", "-x"), "-x");
	assert_err(PARSE("watch", "--jsonx"), "--jsonx");
	/* a command is only recognised first */
	assert_err(PARSE("--json", "doctor"), "doctor");
}
END_TEST

START_TEST(unknown_command)
{
	assert_err(PARSE("frobnicate"), "frobnicate");
	assert_err(PARSE("Watch"), "Watch");
	assert_err(PARSE("wat"), "unknown command");
}
END_TEST

START_TEST(missing_value)
{
	assert_err(PARSE("--duration"), "--duration needs a value");
	assert_err(PARSE("--aggregate-window"), "--aggregate-window needs a value");
	assert_err(PARSE("--json", "--ring-kb"), "--ring-kb needs a value");
}
END_TEST

START_TEST(bad_seconds)
{
	static const char *const bad[] = { "-1", "-0.5", "abc", "1x", "", "nan", "inf", "1e10",
					   "5s", "1,5" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = PARSE("--aggregate-window", (char *)bad[i]);

		ck_assert_msg(ret == -1, "--aggregate-window '%s' accepted", bad[i]);
		tu_assert_contains(err, "--aggregate-window");
		ret = PARSE("--duration", (char *)bad[i]);
		ck_assert_msg(ret == -1, "--duration '%s' accepted", bad[i]);
		tu_assert_contains(err, "--duration");
	}
	/* equals form too */
	assert_err(PARSE("--duration=-3"), "--duration");
	assert_err(PARSE("--aggregate-window="), "--aggregate-window");
}
END_TEST

START_TEST(duration_zero_rejected)
{
	assert_err(PARSE("--duration", "0"), "> 0");
	/* rounds to 0 ns: same thing */
	assert_err(PARSE("--duration", "1e-12"), "> 0");
}
END_TEST

START_TEST(doctor_rejects_watch_options)
{
	assert_err(PARSE("doctor", "--stats"), "doctor");
	assert_err(PARSE("doctor", "--duration", "5"), "doctor");
	assert_err(PARSE("doctor", "--json", "--stats"), "doctor");
}
END_TEST

/* a flag that takes no value must not silently accept one */
START_TEST(flag_with_value_rejected)
{
	static const char *const bad[] = { "--json=false", "--stats=no", "--no-aggregate=0",
					   "--utc=0", "--verbose=0" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = PARSE((char *)bad[i]);

		ck_assert_msg(ret == -1, "'%s' accepted (json=%d stats=%d agg=%llu utc=%d)",
			      bad[i], o.json, o.stats, (unsigned long long)o.agg_window_ns,
			      o.utc);
		ck_assert_msg(err[0], "'%s': no message", bad[i]);
	}
}
END_TEST

START_TEST(usage_mentions_options)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	kw_usage(f);
	fclose(f);
	tu_assert_contains(text, "--json");
	tu_assert_contains(text, "--aggregate-window");
	tu_assert_contains(text, "--ring-kb");
	tu_assert_contains(text, "doctor");
	free(text);
}
END_TEST

START_TEST(target_options)
{
	assert_ok(PARSE("--container", "backend", "--port", "8001", "--window=30",
			"--host-root", "/host"));
	ck_assert_str_eq(o.container, "backend");
	ck_assert_uint_eq(o.port, 8001);
	ck_assert_uint_eq(o.window_ns, 30000000000ULL);
	ck_assert_str_eq(o.host_root, "/host");
	assert_ok(PARSE("--pid=41"));
	ck_assert_uint_eq(o.pid, 41);
	ck_assert_ptr_null(o.container);
}
END_TEST

START_TEST(target_options_invalid)
{
	assert_err(PARSE("--port", "0"), "port number");
	assert_err(PARSE("--port", "65536"), "port number");
	assert_err(PARSE("--pid", "x1"), "process id");
	assert_err(PARSE("--container", ""), "--container needs");
	assert_err(PARSE("--window", "0"), "--window");
	assert_err(PARSE("doctor", "--container", "x"), "doctor takes only --json");
}
END_TEST

Suite *opts_suite(void)
{
	Suite *s = suite_create("opts");
	TCase *t = tcase_create("parse");
	TCase *e = tcase_create("errors");

	tcase_add_test(t, defaults);
	tcase_add_test(t, target_options);
	tcase_add_test(e, target_options_invalid);
	tcase_add_test(t, subcommands);
	tcase_add_test(t, help_and_version);
	tcase_add_test(t, flags);
	tcase_add_test(t, aggregate_window_forms);
	tcase_add_test(t, duration_forms);
	tcase_add_test(t, ring_kb_valid);
	tcase_add_test(t, usage_mentions_options);
	suite_add_tcase(s, t);

	tcase_add_test(e, ring_kb_invalid);
	tcase_add_test(e, unknown_option);
	tcase_add_test(e, unknown_command);
	tcase_add_test(e, missing_value);
	tcase_add_test(e, bad_seconds);
	tcase_add_test(e, duration_zero_rejected);
	tcase_add_test(e, doctor_rejects_watch_options);
	tcase_add_test(e, flag_with_value_rejected);
	suite_add_tcase(s, e);
	return s;
}
