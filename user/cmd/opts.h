/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Command line: parsed into a plain struct, with no side effects, so it can
 * be unit-tested.  Each command takes only its own options (cmd/cmdtab.c).
 * Exit codes are listed here and in the README. */
#ifndef KWHY_OPTS_H
#define KWHY_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* exit codes */
#define KW_EXIT_OK		0
#define KW_EXIT_RUNTIME		1 /* BPF load/attach or output failed */
#define KW_EXIT_USAGE		2 /* bad option or value */
#define KW_EXIT_PERM		3 /* not root / missing capabilities */
#define KW_EXIT_UNSUPPORTED	4 /* kernel lacks BTF or the ring buffer */
#define KW_EXIT_TRACE		5 /* the trace could not be written (disk full) */
#define KW_EXIT_SECOND_SIGNAL	130 /* a second SIGINT: ended at once */

enum kw_cmd {
	KW_CMD_WATCH = 0,
	KW_CMD_DOCTOR,
	KW_CMD_HELP,
	KW_CMD_VERSION,
	KW_CMD_RECORD,		/* watch, writing a trace, printing nothing */
	KW_CMD_REPLAY,
	KW_CMD_INFO,
	KW_CMD_EXPORT,
	KW_CMD_REPORT,		/* the post-mortem of a trace */
};

struct kw_opts {
	enum kw_cmd cmd;
	/* the command named on the line, whose usage --help and usage errors
	 * print; KW_CMD_HELP when none was named: the usage of them all */
	enum kw_cmd usage_of;
	bool json;
	bool stats;		/* print counters every stats interval */
	bool verbose;		/* libbpf debug output */
	bool utc;		/* text timestamps in UTC */
	uint64_t agg_window_ns;	/* 0: no in-kernel aggregation */
	uint64_t duration_ns;	/* 0: until SIGINT/SIGTERM */
	uint64_t stats_interval_ns;
	uint32_t ring_rare_kb;	/* ring buffer sizes */
	uint32_t ring_bulk_kb;
	uint64_t window_ns;	/* how long things stay recent, 0: default */
	const char *container;	/* --container NAME|ID|ID-PREFIX|PID|CGROUP-PATH */
	uint32_t pid;		/* --pid */
	uint16_t port;		/* --port */
	const char *host_root;	/* --host-root: where the host's /var is */
	bool color;		/* text colours: a terminal without NO_COLOR */
	const char *file;	/* replay/info/export: the trace */
	const char *record;	/* watch --record / record -o: the trace */
	const char *out;	/* export, report -o (default stdout) */
	const char *format;	/* export --format jsonl|otlp|perfetto, report md|html */
	bool force;		/* --force: replace existing output files */
	uint64_t max_size;	/* --max-size bytes per trace file, 0: no rotation */
	uint32_t max_files;	/* --max-files kept with rotation */
	const char *metrics;	/* --metrics [ADDR:]PORT */
	const char *otlp_endpoint; /* --otlp-endpoint URL */
	bool keep_going;	/* --keep-going: watch on when the trace fails */
	bool no_sandbox;	/* --no-sandbox: keep every privilege */
};

#define KW_DEFAULT_AGG_WINDOW_NS (5ULL * 1000000000ULL)

/* what kw_opts_parse returns */
enum kw_parse_result {
	KW_PARSE_OK = 0,
	KW_PARSE_ERROR = -1,	/* a bad value or command: err says it all */
	KW_PARSE_USAGE = -2,	/* an option or argument the command does not take,
				 * or one it needs is missing: err, then the usage */
};

void kw_opts_default(struct kw_opts *o);
/* A kw_parse_result, with a message for the user in err when not OK.
 * Uses getopt_long, so not for two threads at once. */
int kw_opts_parse(struct kw_opts *o, int argc, char **argv, char *err, size_t errlen);
/* the usage of one command, or of them all for KW_CMD_HELP */
void kw_usage(FILE *f, enum kw_cmd cmd);

#endif
