/* Unit test of src/lib/date822.c under fixed time zones. */
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TAP-ish output; stdio is fine here: the input is our own. */
#define B(lit) lit, sizeof(lit) - 1
#include "date822.h"
#include "check.h"

static void at(const char *tz, time_t t, const char *want)
{
	char out[DATE822_LEN];
	unsigned int n;
	setenv("TZ", tz, 1);
	tzset();
	n = date822_fmt(out, t);
	check(n == strlen(want) && !strcmp(out, want), want);
	if (strcmp(out, want)) printf("# got %s\n", out);
}

int main(void)
{
	at("UTC0", 0, "Thu, 1 Jan 1970 00:00:00 +0000");
	at("UTC0", 1795305600, "Sun, 22 Nov 2026 00:00:00 +0000");
	at("EST5", 1795305600, "Sat, 21 Nov 2026 19:00:00 -0500");
	at("IST-5:30", 1795305600, "Sun, 22 Nov 2026 05:30:00 +0530");
	at("NST3:30", 0, "Wed, 31 Dec 1969 20:30:00 -0330");
	at("UTC0", 951782400, "Tue, 29 Feb 2000 00:00:00 +0000");
	at("UTC0", 4102444799, "Thu, 31 Dec 2099 23:59:59 +0000");
	return failed;
}
