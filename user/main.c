// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* kwhy: says why a connection was refused or a process was OOM-killed. */
#include <stdio.h>
#include "opts.h"
#include "watch.h"

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
		printf("kwhy %s (event ABI %d)\n", KWHY_VERSION, 1);
		return KW_EXIT_OK;
	case KW_CMD_DOCTOR:
		return kw_doctor(&o);
	case KW_CMD_WATCH:
	default:
		return kw_watch(&o);
	}
}
