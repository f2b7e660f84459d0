// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * util/jsonq.c once more, under other names (fz_jq_*) and built without
 * libFuzzer's coverage instrumentation (the Makefile): fuzz_pipeline checks
 * that its outputs parse with it.  The checker's own branches are no
 * coverage worth keeping an input for (fuzz_trace fuzzes the parser), and
 * instrumented it took a quarter of each run.
 */
#define jq_parse fz_jq_parse
#define jq_free fz_jq_free
#define jq_get fz_jq_get
#define jq_str fz_jq_str
#define jq_int fz_jq_int
#define jq_bool fz_jq_bool
#define jq_is_null fz_jq_is_null
#define jq_len fz_jq_len
#include "util/jsonq.c"
