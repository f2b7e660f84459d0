// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>
#include "cmd/cmdtab.h"
#include "cmd/commands.h"
#include "cmd/export.h"
#include "cmd/replay.h"

/* each option once; the tables below pick from these */
#define OPT_HELP		{ "help", no_argument, NULL, 'h' }
#define OPT_VERSION		{ "version", no_argument, NULL, 'V' }
#define OPT_VERBOSE		{ "verbose", no_argument, NULL, 'v' }
#define OPT_JSON		{ "json", no_argument, NULL, KW_OPT_JSON }
#define OPT_STATS		{ "stats", no_argument, NULL, KW_OPT_STATS }
#define OPT_UTC			{ "utc", no_argument, NULL, KW_OPT_UTC }
#define OPT_NO_AGGREGATE	{ "no-aggregate", no_argument, NULL, KW_OPT_NO_AGGREGATE }
#define OPT_AGGREGATE_WINDOW	{ "aggregate-window", required_argument, NULL, \
				  KW_OPT_AGGREGATE_WINDOW }
#define OPT_DURATION		{ "duration", required_argument, NULL, KW_OPT_DURATION }
#define OPT_RING_KB		{ "ring-kb", required_argument, NULL, KW_OPT_RING_KB }
#define OPT_CONTAINER		{ "container", required_argument, NULL, KW_OPT_CONTAINER }
#define OPT_PID			{ "pid", required_argument, NULL, KW_OPT_PID }
#define OPT_PORT		{ "port", required_argument, NULL, KW_OPT_PORT }
#define OPT_WINDOW		{ "window", required_argument, NULL, KW_OPT_WINDOW }
#define OPT_HOST_ROOT		{ "host-root", required_argument, NULL, KW_OPT_HOST_ROOT }
#define OPT_RECORD		{ "record", required_argument, NULL, KW_OPT_RECORD }
#define OPT_MAX_SIZE		{ "max-size", required_argument, NULL, KW_OPT_MAX_SIZE }
#define OPT_MAX_FILES		{ "max-files", required_argument, NULL, KW_OPT_MAX_FILES }
#define OPT_FORMAT		{ "format", required_argument, NULL, KW_OPT_FORMAT }
#define OPT_FORCE		{ "force", no_argument, NULL, KW_OPT_FORCE }
#define OPT_METRICS		{ "metrics", required_argument, NULL, KW_OPT_METRICS }
#define OPT_OTLP_ENDPOINT	{ "otlp-endpoint", required_argument, NULL, KW_OPT_OTLP_ENDPOINT }
#define OPT_KEEP_GOING		{ "keep-going", no_argument, NULL, KW_OPT_KEEP_GOING }
#define OPT_NO_SANDBOX		{ "no-sandbox", no_argument, NULL, KW_OPT_NO_SANDBOX }
#define OPT_END			{ NULL, 0, NULL, 0 }

/* the live trace: watch prints, record writes a trace (-o, short only) */
#define OPTS_LIVE OPT_JSON, OPT_STATS, OPT_AGGREGATE_WINDOW, OPT_NO_AGGREGATE, OPT_DURATION, \
	OPT_RING_KB, OPT_CONTAINER, OPT_PID, OPT_PORT, OPT_WINDOW, OPT_HOST_ROOT, \
	OPT_MAX_SIZE, OPT_MAX_FILES, OPT_FORCE, OPT_KEEP_GOING, OPT_NO_SANDBOX, OPT_UTC, \
	OPT_METRICS, OPT_OTLP_ENDPOINT, OPT_VERBOSE, OPT_HELP, OPT_VERSION

static const struct option watch_opts[] = { OPTS_LIVE, OPT_RECORD, OPT_END };
static const struct option record_opts[] = { OPTS_LIVE, OPT_END };
static const struct option replay_opts[] = {
	OPT_JSON, OPT_CONTAINER, OPT_PID, OPT_PORT, OPT_WINDOW, OPT_UTC, OPT_HELP, OPT_VERSION,
	OPT_END
};
static const struct option export_opts[] = {
	OPT_FORMAT, OPT_CONTAINER, OPT_PID, OPT_PORT, OPT_WINDOW, OPT_FORCE, OPT_HELP, OPT_VERSION,
	OPT_END
};
static const struct option report_opts[] = {
	OPT_FORMAT, OPT_FORCE, OPT_CONTAINER, OPT_PID, OPT_PORT, OPT_WINDOW, OPT_HELP, OPT_VERSION,
	OPT_END
};
static const struct option info_opts[] = { OPT_JSON, OPT_HELP, OPT_VERSION, OPT_END };
/* doctor looks for the runtimes' metadata under --host-root */
static const struct option doctor_opts[] = {
	OPT_JSON, OPT_HOST_ROOT, OPT_HELP, OPT_VERSION, OPT_END
};
static const struct option help_opts[] = { OPT_HELP, OPT_VERSION, OPT_END };

static const struct kw_command commands[] = {
	{ "watch", KW_CMD_WATCH, kw_watch, watch_opts, "-:hVv", false,
	  "kwhy [watch] [options]", "trace the host, print events and why" },
	{ "record", KW_CMD_RECORD, kw_watch, record_opts, "-:hVvo:", false,
	  "kwhy record -o FILE [options]", "the same, into a trace file only" },
	{ "replay", KW_CMD_REPLAY, kw_replay, replay_opts, "-:hV", true,
	  "kwhy replay FILE [options]", "what watch printed, from a trace" },
	{ "export", KW_CMD_EXPORT, kw_export, export_opts, "-:hVo:", true,
	  "kwhy export FILE --format jsonl|otlp|perfetto [-o OUT]", "for other tools" },
	{ "report", KW_CMD_REPORT, kw_report, report_opts, "-:hVo:", true,
	  "kwhy report FILE [-o OUT] [--format md|html]", "the post-mortem, drafted from a trace" },
	{ "info", KW_CMD_INFO, kw_info, info_opts, "-:hV", true,
	  "kwhy info FILE [--json]", "what a trace holds, and its losses" },
	{ "doctor", KW_CMD_DOCTOR, kw_doctor, doctor_opts, "-:hV", false,
	  "kwhy doctor [--json] [--host-root DIR]", "what this kernel offers, what kwhy uses" },
	{ "help", KW_CMD_HELP, NULL, help_opts, "-:hV", false,
	  "kwhy --help | --version", "this help, kwhy's version" },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* One line of usage per option; an option that means something else in
 * another command (-o) has a line per command. */
struct kw_optdoc {
	int val;		/* as getopt_long returns it */
	int cmd;		/* the one command this line is for, or ANY_CMD */
	const char *form;	/* "--ring-kb RARE,BULK" */
	const char *help;	/* lines after the first are indented under it */
};

#define ANY_CMD -1

static const struct kw_optdoc docs[] = {
	{ 'o', KW_CMD_RECORD, "-o FILE", "the trace to write (zlib, flushed every second); a new\n"
	  "file, mode 0600 (an existing one: --force)" },
	{ 'o', KW_CMD_EXPORT, "-o OUT", "write there, not to stdout: a new file, mode 0600\n"
	  "(an existing one: --force)" },
	{ 'o', KW_CMD_REPORT, "-o OUT", "write there, not to stdout: a new file, mode 0600\n"
	  "(an existing one: --force)" },
	{ KW_OPT_FORMAT, KW_CMD_EXPORT, "--format FORMAT", "jsonl (the JSON lines replay prints), "
	  "otlp\n(OpenTelemetry logs) or perfetto (Chrome trace JSON)" },
	{ KW_OPT_FORMAT, KW_CMD_REPORT, "--format FORMAT", "md (Markdown) or html (one page with "
	  "the timeline);\ndefault: html when OUT ends in .html, else md" },
	{ KW_OPT_JSON, ANY_CMD, "--json", "one JSON object per line (docs/json-schema.md)" },
	{ KW_OPT_STATS, ANY_CMD, "--stats", "print event and loss counters every 5 s" },
	{ KW_OPT_AGGREGATE_WINDOW, ANY_CMD, "--aggregate-window SEC", "fold repeats of the same "
	  "refusal/reset seen within\nSEC seconds into counts (default 5; 0 = off)" },
	{ KW_OPT_NO_AGGREGATE, ANY_CMD, "--no-aggregate", "same as --aggregate-window 0" },
	{ KW_OPT_DURATION, ANY_CMD, "--duration SEC", "stop after SEC seconds" },
	{ KW_OPT_RING_KB, ANY_CMD, "--ring-kb RARE,BULK", "ring buffer sizes in KiB, powers of "
	  "two >= 4\n(default 128,256)" },
	{ KW_OPT_CONTAINER, ANY_CMD, "--container TARGET", "only this container's story: a name, "
	  "an id or id\nprefix, a pid in it, or a cgroup path" },
	{ KW_OPT_PID, ANY_CMD, "--pid PID", "only this process (and resets in its namespace)" },
	{ KW_OPT_PORT, ANY_CMD, "--port PORT", "only connections and listeners on this port" },
	{ KW_OPT_WINDOW, ANY_CMD, "--window SEC", "how long exits, closes, bind failures and OOM "
	  "kills\ncount as recent causes (default 120)" },
	{ KW_OPT_HOST_ROOT, ANY_CMD, "--host-root DIR", "where the host's / is (container "
	  "metadata), when\nkwhy runs in a container (default /)" },
	{ KW_OPT_RECORD, ANY_CMD, "--record FILE", "also write a trace (zlib, flushed every "
	  "second)" },
	{ KW_OPT_MAX_SIZE, ANY_CMD, "--max-size SIZE", "rotate the trace at SIZE bytes (K, M, G "
	  "suffixes)" },
	{ KW_OPT_MAX_FILES, ANY_CMD, "--max-files N", "trace files kept when rotating (default "
	  "4);\nat most SIZE * N bytes in all (1: the file is cut\nand started again)" },
	{ KW_OPT_FORCE, ANY_CMD, "--force", "replace output files that exist (by rename, never\n"
	  "written through a symlink)" },
	{ KW_OPT_KEEP_GOING, ANY_CMD, "--keep-going", "go on when the trace cannot be written "
	  "(disk full);\nthe exit code is still 5" },
	{ KW_OPT_NO_SANDBOX, ANY_CMD, "--no-sandbox", "keep every privilege for the whole run "
	  "(no capability\ndrop, no seccomp filter; docs/threat-model.md)" },
	{ KW_OPT_UTC, ANY_CMD, "--utc", "text timestamps in UTC" },
	{ KW_OPT_METRICS, ANY_CMD, "--metrics [ADDR:]PORT", "serve Prometheus metrics on "
	  "http://ADDR:PORT/metrics\n(PORT alone: every IPv4 address; docs/metrics.md)" },
	{ KW_OPT_OTLP_ENDPOINT, ANY_CMD, "--otlp-endpoint URL", "push metrics and explanations "
	  "over OTLP/HTTP JSON\nto URL/v1/metrics and URL/v1/logs (not in the static build)" },
	{ 'v', ANY_CMD, "-v, --verbose", "libbpf's debug output on stderr" },
	{ 'h', ANY_CMD, "-h, --help", "this help" },
	{ 'V', ANY_CMD, "-V, --version", "kwhy's version" },
};

const struct kw_command *kw_command_by_name(const char *name)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

const struct kw_command *kw_command_of(enum kw_cmd cmd)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (commands[i].cmd == cmd)
			return &commands[i];
	return NULL;
}

bool kw_command_takes(const struct kw_command *c, int val)
{
	for (const struct option *lo = c->longopts; lo->name; lo++)
		if (lo->val == val)
			return true;
	/* short options without a long form: past getopt's "-:" */
	return val > 0 && val < 256 && val != '-' && val != ':' && strchr(c->shortopts, val);
}

bool kw_option_known_long(const char *name, size_t len)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		for (const struct option *lo = commands[i].longopts; lo->name; lo++)
			if (strlen(lo->name) == len && !strncmp(lo->name, name, len))
				return true;
	return false;
}

bool kw_option_known_short(int ch)
{
	for (size_t i = 0; i < NR_COMMANDS; i++)
		if (kw_command_takes(&commands[i], ch))
			return true;
	return false;
}

/* "  --form    first line\n" and the other lines under the first */
static void print_doc(FILE *f, const struct kw_optdoc *d)
{
	const char *line = d->help;
	size_t n = strcspn(line, "\n");

	fprintf(f, "  %-22s  %.*s\n", d->form, (int)n, line);
	while (line[n] == '\n') {
		line += n + 1;
		n = strcspn(line, "\n");
		fprintf(f, "%26s%.*s\n", "", (int)n, line);
	}
}

static void print_options(FILE *f, const struct kw_command *c)
{
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		if ((docs[i].cmd == ANY_CMD || docs[i].cmd == (int)c->cmd) &&
		    kw_command_takes(c, docs[i].val))
			print_doc(f, &docs[i]);
}

static const char exit_codes[] =
	"\nexit codes: 0 ok, 1 runtime failure, 2 usage error, 3 not permitted (run as\n"
	"root), 4 kernel lacks a required feature (BTF, BPF ring buffer), 5 the trace\n"
	"could not be written (disk full; what was written is readable), 130 a second\n"
	"SIGINT ended kwhy at once\n";

void kw_usage(FILE *f, enum kw_cmd cmd)
{
	const struct kw_command *c = kw_command_of(cmd);

	if (c && c->cmd != KW_CMD_HELP) {
		fprintf(f, "usage: %s\n       %s\n\noptions:\n", c->synopsis, c->summary);
		print_options(f, c);
		fputs(exit_codes, f);
		return;
	}
	for (size_t i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "%s%-33s %s\n", i ? "       " : "usage: ", commands[i].synopsis,
			commands[i].summary);
	fprintf(f, "       %-33s %s\n", "kwhy COMMAND --help", "the options of that command");
	fputs("\nwatch options:\n", f);
	print_options(f, kw_command_of(KW_CMD_WATCH));
	fputs(exit_codes, f);
}
