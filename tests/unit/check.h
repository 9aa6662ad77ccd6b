/* Shared by the unit tests: one TAP-style line per check. A test's main
   returns `failed`, so make unit sees the result in the exit code. */
#ifndef TERN_TEST_CHECK_H
#define TERN_TEST_CHECK_H
#include <stdio.h>

static int failed, testno;

static void check(int ok, const char *what)
{
	printf("%s %d - %s\n", ok ? "ok" : "not ok", ++testno, what);
	fflush(stdout);   /* in order with the tests' own writes to fd 1 */
	if (!ok) failed = 1;
}
#endif
