// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* kwhy: says why a connection was refused or a process was OOM-killed. */
#include <stdio.h>
#include "cmd/export.h"
#include "cmd/opts.h"
#include "cmd/replay.h"
#include "trace/trace.h"
#include "cmd/commands.h"

int main(int argc, char **argv)
{
	struct kw_opts o;
	char err[256];

	if (kw_opts_parse(&o, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "kwhy: %s\n", err);
		return KW_EXIT_USAGE;
	}
	switch (o.cmd) {
	case KW_CMD_HELP:
		kw_usage(stdout);
		return KW_EXIT_OK;
	case KW_CMD_VERSION:
		printf("kwhy %s (event ABI %d, trace format %d)\n", KWHY_VERSION, KW_ABI_VERSION,
		       KW_TRACE_VERSION);
		return KW_EXIT_OK;
	case KW_CMD_DOCTOR:
		return kw_doctor(&o);
	case KW_CMD_REPLAY:
		return kw_replay(&o);
	case KW_CMD_INFO:
		return kw_info(&o);
	case KW_CMD_EXPORT:
		return kw_export(&o);
	case KW_CMD_RECORD:
	case KW_CMD_WATCH:
	default:
		return kw_watch(&o);
	}
}
