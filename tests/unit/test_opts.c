// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* kw_opts_parse: the command line, parsed without side effects. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd/cmdtab.h"
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

/* want (KW_PARSE_ERROR or _USAGE) with a non-empty message containing needle */
#define assert_fails(ret, want, needle)                                            \
	do {                                                                       \
		ck_assert_int_eq((ret), (want));                                   \
		ck_assert_msg(err[0] != '\0', "no error message");                 \
		tu_assert_contains(err, (needle));                                 \
	} while (0)
/* a bad value: the message alone */
#define assert_err(ret, needle) assert_fails(ret, KW_PARSE_ERROR, needle)
/* an option or argument the command does not take: message and usage */
#define assert_usage(ret, needle) assert_fails(ret, KW_PARSE_USAGE, needle)

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
	ck_assert_uint_eq(o.ring_rare_kb, 128);
	ck_assert_uint_eq(o.ring_bulk_kb, 256);
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
	static const char *const cmds[] = { "watch", "record", "replay", "export", "info",
					     "doctor" };

	/* no command named: the usage of them all */
	assert_ok(PARSE("--help"));
	ck_assert_int_eq(o.cmd, KW_CMD_HELP);
	ck_assert_int_eq(o.usage_of, KW_CMD_HELP);
	assert_ok(PARSE("-h"));
	ck_assert_int_eq(o.cmd, KW_CMD_HELP);
	ck_assert_int_eq(o.usage_of, KW_CMD_HELP);
	/* kwhy COMMAND --help: that command's, even without what it needs */
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		assert_ok(PARSE((char *)cmds[i], "--help"));
		ck_assert_int_eq(o.cmd, KW_CMD_HELP);
		ck_assert_int_eq(o.usage_of, kw_command_by_name(cmds[i])->cmd);
	}
	assert_ok(PARSE("replay", "-h"));
	ck_assert_int_eq(o.usage_of, KW_CMD_REPLAY);
	assert_ok(PARSE("--version"));
	ck_assert_int_eq(o.cmd, KW_CMD_VERSION);
	assert_ok(PARSE("-V"));
	ck_assert_int_eq(o.cmd, KW_CMD_VERSION);
	assert_ok(PARSE("doctor", "--version"));
	ck_assert_int_eq(o.cmd, KW_CMD_VERSION);
	/* still parsed: a mistake after --help is one */
	assert_usage(PARSE("--help", "--bogus"), "--bogus");
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
	assert_usage(PARSE("--bogus"), "unknown option '--bogus'");
	assert_usage(PARSE("--json", "-x"), "unknown option '-x'");
	assert_usage(PARSE("watch", "--jsonx"), "--jsonx");
	/* a command is only recognised first */
	assert_usage(PARSE("--json", "doctor"), "doctor");
	/* getopt_long would take a unique prefix; only full names count */
	assert_usage(PARSE("--js"), "unknown option '--js'");
	assert_usage(PARSE("replay", "t.kwt", "--cont", "web"), "unknown option '--cont'");
	assert_usage(PARSE("--p", "1"), "--p");
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
	assert_usage(PARSE("--duration"), "--duration needs a value");
	assert_usage(PARSE("--aggregate-window"), "--aggregate-window needs a value");
	assert_usage(PARSE("--json", "--ring-kb"), "--ring-kb needs a value");
	assert_usage(PARSE("record", "-o"), "-o needs a value");
	assert_usage(PARSE("export", "t.kwt", "--format"), "--format needs a value");
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
	assert_usage(PARSE("doctor", "--stats"), "doctor does not take --stats");
	assert_usage(PARSE("doctor", "--duration", "5"), "doctor does not take --duration");
	assert_usage(PARSE("doctor", "--json", "--stats"), "doctor does not take --stats");
}
END_TEST

/* a flag that takes no value must not silently accept one */
START_TEST(flag_with_value_rejected)
{
	static const char *const bad[] = { "--json=false", "--stats=no", "--no-aggregate=0",
					   "--utc=0", "--verbose=0" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = PARSE((char *)bad[i]);

		ck_assert_msg(ret == KW_PARSE_USAGE,
			      "'%s' accepted (json=%d stats=%d agg=%llu utc=%d)",
			      bad[i], o.json, o.stats, (unsigned long long)o.agg_window_ns,
			      o.utc);
		tu_assert_contains(err, "takes no value");
	}
}
END_TEST

static char *usage_of(enum kw_cmd cmd)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	kw_usage(f, cmd);
	fclose(f);
	return text;
}

START_TEST(usage_mentions_options)
{
	char *text = usage_of(KW_CMD_HELP);

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
	assert_usage(PARSE("doctor", "--container", "x"), "doctor does not take --container");
}
END_TEST

/* an option of another command is refused by name, with the command's usage */
#define IT_NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

START_TEST(option_not_taken)
{
	static const struct {
		const char *argv[6];
		const char *msg;
	} cases[] = {
		{ { "watch", "--format", "jsonl" }, "watch does not take --format" },
		{ { "--format=jsonl" }, "watch does not take --format" },
		{ { "watch", "-o", "t.kwt" }, "watch does not take -o" },
		{ { "record", "-o", "t.kwt", "--record", "u.kwt" },
		  "record does not take --record" },
		{ { "export", "t.kwt", "--format", "jsonl", "--ring-kb", "4,4" },
		  "export does not take --ring-kb" },
		{ { "export", "t.kwt", "--format", "jsonl", "--json" },
		  "export does not take --json" },
		{ { "export", "t.kwt", "--format", "jsonl", "--utc" },
		  "export does not take --utc" },
		{ { "doctor", "--container", "web" }, "doctor does not take --container" },
		{ { "doctor", "-v" }, "doctor does not take -v" },
		{ { "info", "t.kwt", "--port", "80" }, "info does not take --port" },
		{ { "info", "t.kwt", "-o", "x" }, "info does not take -o" },
		{ { "info", "t.kwt", "--format=jsonl" }, "info does not take --format" },
		{ { "replay", "t.kwt", "--stats" }, "replay does not take --stats" },
		{ { "replay", "t.kwt", "--duration", "5" }, "replay does not take --duration" },
		{ { "replay", "t.kwt", "--host-root=/host" }, "replay does not take --host-root" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *argv[8] = { "kwhy" };
		int argc = 1;

		/* a case may fill every slot: no NULL after it (UBSan found it) */
		for (int k = 0; k < IT_NELEM(cases[i].argv) && cases[i].argv[k]; k++)
			argv[argc++] = (char *)cases[i].argv[k];
		assert_usage(parse_argv(argc, argv), cases[i].msg);
	}
}
END_TEST

/* what each command takes, in both value forms */
START_TEST(each_command_takes_its_own)
{
	assert_ok(PARSE("replay", "t.kwt", "--json", "--container", "web", "--pid=41", "--port",
			"8001", "--window=30", "--utc"));
	ck_assert_int_eq(o.cmd, KW_CMD_REPLAY);
	ck_assert_str_eq(o.file, "t.kwt");
	ck_assert(o.json && o.utc);
	ck_assert_str_eq(o.container, "web");
	ck_assert_uint_eq(o.pid, 41);
	ck_assert_uint_eq(o.port, 8001);
	ck_assert_uint_eq(o.window_ns, 30000000000ULL);
	/* FILE anywhere among the options */
	assert_ok(PARSE("replay", "--json", "t.kwt"));
	ck_assert_str_eq(o.file, "t.kwt");

	assert_ok(PARSE("export", "t.kwt", "--format=otlp", "-o", "out.json", "--port=80",
			"--window", "5"));
	ck_assert_int_eq(o.cmd, KW_CMD_EXPORT);
	ck_assert_str_eq(o.format, "otlp");
	ck_assert_str_eq(o.out, "out.json");
	ck_assert_ptr_null(o.record);
	assert_ok(PARSE("export", "--format", "perfetto", "-oout.json", "t.kwt"));
	ck_assert_str_eq(o.out, "out.json");
	ck_assert_str_eq(o.file, "t.kwt");

	/* report: its own formats, -o is its output, --force its own */
	assert_ok(PARSE("report", "t.kwt", "--format", "html", "-o", "r.html", "--force",
			"--container", "web"));
	ck_assert_int_eq(o.cmd, KW_CMD_REPORT);
	ck_assert_str_eq(o.format, "html");
	ck_assert_str_eq(o.out, "r.html");
	ck_assert(o.force);
	ck_assert_str_eq(o.container, "web");
	assert_ok(PARSE("report", "t.kwt"));
	ck_assert_ptr_null(o.format);
	ck_assert(!o.force);
	assert_err(PARSE("report", "t.kwt", "--format", "jsonl"), "'jsonl' is not md or html");
	assert_err(PARSE("export", "t.kwt", "--format", "md"), "'md' is not jsonl, otlp");
	assert_ok(PARSE("export", "t.kwt", "--format", "jsonl", "-o", "x.jsonl", "--force"));
	ck_assert(o.force);
	assert_usage(PARSE("info", "t.kwt", "--force"), "info does not take --force");
	assert_usage(PARSE("report"), "which trace file? (kwhy report");

	assert_ok(PARSE("record", "-o", "t.kwt", "--max-size", "64M", "--max-files=2", "--json",
			"--no-aggregate", "--container=web", "--host-root", "/host", "-v"));
	ck_assert_int_eq(o.cmd, KW_CMD_RECORD);
	ck_assert_str_eq(o.record, "t.kwt");
	ck_assert_ptr_null(o.out);
	ck_assert_uint_eq(o.max_size, 64ULL << 20);
	ck_assert_uint_eq(o.max_files, 2);
	ck_assert(o.verbose);

	assert_ok(PARSE("watch", "--record=t.kwt", "--max-size=1G", "--stats", "--utc"));
	ck_assert_int_eq(o.cmd, KW_CMD_WATCH);
	ck_assert_str_eq(o.record, "t.kwt");
	ck_assert_uint_eq(o.max_size, 1ULL << 30);

	assert_ok(PARSE("info", "t.kwt", "--json"));
	ck_assert_int_eq(o.cmd, KW_CMD_INFO);
	ck_assert(o.json);
	/* after "--" an argument that looks like an option is FILE */
	assert_ok(PARSE("info", "--json", "--", "-odd.kwt"));
	ck_assert_str_eq(o.file, "-odd.kwt");
}
END_TEST

START_TEST(arguments_checked)
{
	assert_usage(PARSE("replay"), "which trace file? (kwhy replay FILE)");
	assert_usage(PARSE("info", "--json"), "which trace file? (kwhy info FILE)");
	assert_usage(PARSE("export", "--format", "jsonl"), "which trace file? (kwhy export");
	assert_usage(PARSE("export", "t.kwt"), "export needs --format");
	assert_usage(PARSE("record"), "record needs -o FILE");
	assert_usage(PARSE("record", "--json"), "record needs -o FILE");
	assert_usage(PARSE("replay", "a.kwt", "b.kwt"), "not also 'b.kwt'");
	assert_usage(PARSE("watch", "t.kwt"), "watch takes no argument 't.kwt'");
	assert_usage(PARSE("doctor", "now"), "doctor takes no argument 'now'");
	assert_err(PARSE("export", "t.kwt", "--format", "csv"), "'csv' is not jsonl, otlp");
	assert_err(PARSE("record", "-o", "t", "--max-size", "1K"), "--max-size");
	assert_err(PARSE("watch", "--max-files", "0"), "--max-files");
	/* sizes that overflow 64 bits once multiplied are refused, not wrapped
	 * (17179869185G is 2^64 + 2^30 bytes: it wrapped to 1 GiB) */
	assert_err(PARSE("record", "-o", "t", "--max-size", "17179869185G"), "--max-size");
	assert_err(PARSE("record", "-o", "t", "--max-size", "18446744073709551615"),
		   "--max-size");
	assert_err(PARSE("record", "-o", "t", "--max-size", "1025G"), "--max-size");
	assert_ok(PARSE("record", "-o", "t", "--max-size", "1024G", "--max-files", "1000"));
	ck_assert_uint_eq(o.max_size, 1ULL << 40);
	assert_ok(PARSE("record", "-o", "t", "--force", "--max-files", "1", "--max-size", "64K"));
	ck_assert(o.force);
	ck_assert_uint_eq(o.max_files, 1);
	assert_usage(PARSE("record", "-o", "t", "--keep-going"), "record --keep-going");
	assert_ok(PARSE("watch", "--record", "t", "--keep-going", "--no-sandbox"));
	ck_assert(o.keep_going && o.no_sandbox);
	assert_ok(PARSE("export", "t.kwt", "--format", "otlp", "-o", "x", "--force"));
	ck_assert(o.force);
	assert_usage(PARSE("replay", "t.kwt", "--force"), "replay does not take --force");
}
END_TEST

/* getopt keeps its place in globals: a parse that stopped half-way
 * through a group of short options must not leak into the next one */
START_TEST(parses_start_over)
{
	assert_usage(PARSE("-xv"), "-x");
	assert_ok(PARSE("--json"));
	ck_assert(!o.verbose);
	assert_usage(PARSE("record", "-vo"), "-o needs a value");
	assert_ok(PARSE("replay", "t.kwt"));
	ck_assert_str_eq(o.file, "t.kwt");
	assert_ok(PARSE("-vh"));
	ck_assert(o.verbose);
	ck_assert_int_eq(o.cmd, KW_CMD_HELP);
}
END_TEST

/* "--name" in text as a whole word: not the end of --aggregate-window */
static bool mentions(const char *text, const char *opt)
{
	size_t n = strlen(opt);

	for (const char *p = strstr(text, opt); p; p = strstr(p + 1, opt)) {
		char before = p == text ? ' ' : p[-1], after = p[n];

		if ((before == ' ' || before == '[') && !(after == '-' || (after >= 'a' &&
								       after <= 'z')))
			return true;
	}
	return false;
}

/* Each command's usage names the options it takes and no other: every
 * option of every command is looked for in every usage. */
START_TEST(usage_names_own_options)
{
	static const char *const cmds[] = { "watch", "record", "replay", "export", "info",
					     "doctor" };
	static const char *const all[] = { "watch", "record", "replay", "export", "info",
					   "doctor", "help" };

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		const struct kw_command *c = kw_command_by_name(cmds[i]);
		char *text = usage_of(c->cmd);

		tu_assert_contains(text, cmds[i]);
		for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++) {
			const struct kw_command *other = kw_command_by_name(all[k]);

			for (const struct option *lo = other->longopts; lo->name; lo++) {
				char opt[40];
				bool takes = kw_command_takes(c, lo->val);

				snprintf(opt, sizeof(opt), "--%s", lo->name);
				ck_assert_msg(mentions(text, opt) == takes,
					      "usage of %s %s %s", cmds[i],
					      takes ? "lacks" : "names", opt);
			}
		}
		ck_assert_msg(mentions(text, "-o") == kw_command_takes(c, 'o'),
			      "usage of %s and -o", cmds[i]);
		free(text);
	}
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
	tcase_add_test(t, usage_names_own_options);
	tcase_add_test(t, each_command_takes_its_own);
	tcase_add_test(t, parses_start_over);
	suite_add_tcase(s, t);

	tcase_add_test(e, ring_kb_invalid);
	tcase_add_test(e, unknown_option);
	tcase_add_test(e, unknown_command);
	tcase_add_test(e, missing_value);
	tcase_add_test(e, bad_seconds);
	tcase_add_test(e, duration_zero_rejected);
	tcase_add_test(e, doctor_rejects_watch_options);
	tcase_add_test(e, flag_with_value_rejected);
	tcase_add_test(e, option_not_taken);
	tcase_add_test(e, arguments_checked);
	suite_add_tcase(s, e);
	return s;
}
