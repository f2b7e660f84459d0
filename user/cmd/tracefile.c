// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include "cmd/opts.h"
#include "cmd/tracefile.h"

int kw_trace_header(const char *path, struct kw_trace_info *info)
{
	char err[KW_TRACE_ERR_MAX];

	if (kw_trace_read_header(path, info, err, sizeof(err))) {
		fprintf(stderr, "kwhy: %s\n", err);
		return KW_EXIT_RUNTIME;
	}
	return KW_EXIT_OK;
}

int kw_read_trace(const char *path, struct kw_trace_info *info, kw_frame_fn fn, void *ctx,
		  const char *done)
{
	char err[KW_TRACE_ERR_MAX];

	switch (kw_trace_read_file(path, info, fn, ctx, err, sizeof(err))) {
	case KW_TRACE_END_OK:
		return KW_EXIT_OK;
	case KW_TRACE_END_CUT:
		/* what a killed recorder leaves: not an error */
		fprintf(stderr, "kwhy: %s ends without its end mark (the recorder was stopped "
			"hard?)%s%s; everything before was %s\n", path, err[0] ? ": " : "", err,
			done);
		return KW_EXIT_OK;
	case KW_TRACE_END_DAMAGED:
		fprintf(stderr, "kwhy: %s: %s; what came before it was %s\n", path, err, done);
		return KW_EXIT_RUNTIME;
	case KW_TRACE_END_UNREADABLE:
	default:
		fprintf(stderr, "kwhy: %s\n", err);
		return KW_EXIT_RUNTIME;
	}
}
