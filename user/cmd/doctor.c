// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `kwhy doctor`: what this kernel and machine offer and what kwhy will do
 * about each.  Changes nothing (tracefs is not mounted here). */
#include <stdio.h>
#include "host/runtimes.h"
#include "kernel/probe.h"
#include "output/status.h"
#include "cmd/commands.h"

int kw_doctor(const struct kw_opts *o)
{
	static char out[16384];
	struct kw_buf b = KW_BUF_INIT(out);
	struct kw_features f;
	struct kw_plan p;
	struct kw_runtime_found rt[KW_RUNTIMES_N];

	kw_features_probe(&f, false);
	kw_features_probe_sockdiag(&f);
	kw_plan_make(&f, &p);
	kw_runtimes_find(o->host_root, NULL, rt);
	kw_format_doctor(&b, o->json, &p, &f, rt);
	fputs(out, stdout);
	if (o->json)
		fputc('\n', stdout);
	return KW_EXIT_OK;
}
