// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Runs every unit-test suite; exits nonzero when any check fails. */
#include <stdlib.h>
#include "suites.h"

int main(void)
{
	Suite *(*const suites[])(void) = {
		escape_suite, buf_suite, json_suite, decode_suite, format_suite,
		opts_suite, plan_suite, aggseen_suite, kenum_suite, corebtf_suite, jsonq_suite,
		meta_suite, explain_suite, snapshot_suite, container_suite, target_suite,
		export_suite,
		trace_suite, metrics_suite, syscalls_suite, net_suite, fuzzfound_suite,
	};
	SRunner *sr = srunner_create(NULL);
	int failed;

	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		srunner_add_suite(sr, suites[i]());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
