// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* kwhy: says why a connection was refused or a process was OOM-killed. */
#include <stdio.h>
#include "cmd/cmdtab.h"
#include "cmd/opts.h"
#include "trace/trace.h"
#include "util/version.h"

int main(int argc, char **argv)
{
	struct kw_opts o;
	char err[256];
	int ret;

	ret = kw_opts_parse(&o, argc, argv, err, sizeof(err));
	if (ret != KW_PARSE_OK) {
		fprintf(stderr, "kwhy: %s\n", err);
		if (ret == KW_PARSE_USAGE) {
			fputc('\n', stderr);
			kw_usage(stderr, o.usage_of);
		}
		return KW_EXIT_USAGE;
	}
	switch (o.cmd) {
	case KW_CMD_HELP:
		kw_usage(stdout, o.usage_of);
		return KW_EXIT_OK;
	case KW_CMD_VERSION:
		printf("kwhy %s (event ABI %d, trace format %d)\n", kw_version, KW_ABI_VERSION,
		       KW_TRACE_VERSION);
		return KW_EXIT_OK;
	default:
		return kw_command_of(o.cmd)->run(&o);
	}
}
