// check_main.h - how every test program runs its Check suite. Check does
// not set the exit status: failures become a non-zero one here, which is
// all CTest reads.

#ifndef TESTS_CHECK_MAIN_H
#define TESTS_CHECK_MAIN_H

#include <check.h>

// pdp_run_suite runs every test of `s` and returns the program's exit
// status: 0 when none failed.
static inline int
pdp_run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}

#endif // TESTS_CHECK_MAIN_H
