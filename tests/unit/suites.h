/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The unit-test suites, one per area; main.c runs them all. */
#ifndef KWHY_TEST_SUITES_H
#define KWHY_TEST_SUITES_H

#include <check.h>

Suite *escape_suite(void);
Suite *buf_suite(void);
Suite *json_suite(void);
Suite *decode_suite(void);
Suite *format_suite(void);
Suite *opts_suite(void);
Suite *plan_suite(void);
Suite *aggseen_suite(void);
Suite *kenum_suite(void);
Suite *corebtf_suite(void);
Suite *jsonq_suite(void);
Suite *meta_suite(void);
/* optional: run when its test file is linked in (main.c declares it weak) */
Suite *explain_suite(void);
Suite *snapshot_suite(void);
Suite *container_suite(void);
Suite *target_suite(void);
Suite *export_suite(void);
Suite *trace_suite(void);
Suite *metrics_suite(void);
Suite *syscalls_suite(void);
Suite *net_suite(void);
Suite *fuzzfound_suite(void);

#endif
