/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The commands, as bpftool's cmds[]: each with its handler, its own
 * getopt_long option table holding only the options it takes, and its
 * usage, which is made from that table so it names nothing else.
 */
#ifndef KWHY_CMDTAB_H
#define KWHY_CMDTAB_H

#include <getopt.h>
#include <stdbool.h>
#include "cmd/opts.h"

/* what getopt_long returns for the long options that have no short form;
 * above any char, so they never clash with one */
enum kw_opt_id {
	KW_OPT_JSON = 256,
	KW_OPT_STATS,
	KW_OPT_UTC,
	KW_OPT_NO_AGGREGATE,
	KW_OPT_AGGREGATE_WINDOW,
	KW_OPT_DURATION,
	KW_OPT_RING_KB,
	KW_OPT_CONTAINER,
	KW_OPT_PID,
	KW_OPT_PORT,
	KW_OPT_WINDOW,
	KW_OPT_HOST_ROOT,
	KW_OPT_RECORD,
	KW_OPT_MAX_SIZE,
	KW_OPT_MAX_FILES,
	KW_OPT_FORMAT,
	KW_OPT_FORCE,
	KW_OPT_METRICS,
	KW_OPT_OTLP_ENDPOINT,
	KW_OPT_KEEP_GOING,
	KW_OPT_NO_SANDBOX,
};

struct kw_command {
	const char *name;
	enum kw_cmd cmd;
	int (*run)(const struct kw_opts *o);	/* NULL: help, printed by main */
	const struct option *longopts;		/* ends with a zeroed entry */
	/* getopt's: "-" hands over FILE arguments in order, ":" tells a
	 * missing value from an unknown option */
	const char *shortopts;
	bool takes_file;			/* replay, info, export FILE */
	const char *synopsis;			/* "kwhy replay FILE [options]" */
	const char *summary;			/* what it does, in a few words */
};

/* by the name on the command line; NULL when there is no such command */
const struct kw_command *kw_command_by_name(const char *name);
/* by what kw_opts_parse found; NULL for KW_CMD_VERSION */
const struct kw_command *kw_command_of(enum kw_cmd cmd);
/* does c take the option getopt_long returns as val */
bool kw_command_takes(const struct kw_command *c, int val);
/* does any command take --name (name without dashes), or -ch */
bool kw_option_known_long(const char *name, size_t len);
bool kw_option_known_short(int ch);

#endif
