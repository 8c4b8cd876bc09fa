/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Run one Check test case with TAP output on stdout, for meson. */
#ifndef SRFD_TESTS_CHECK_TAP_H
#define SRFD_TESTS_CHECK_TAP_H

#include <check.h>
#include <stdlib.h>

static inline int srfd_check_run_tap(const char *name, TCase *tc)
{
	Suite *s = suite_create(name);
	SRunner *sr;
	int failed;

	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
