/* Unit test of src/lib/str.c: growth, the STR_LIMIT ceiling, helpers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TAP-ish output; stdio is fine here: the input is our own. */
#define B(lit) lit, sizeof(lit) - 1
#include "str.h"
#include "check.h"

int main(void)
{
	str x = STR_INIT, y = STR_INIT;
	check(str_copys(&x, "abc") == 0 && x.len == 3 && !memcmp(x.s, "abc", 3), "copys");
	check(str_cats(&x, "def") == 0 && x.len == 6 && !memcmp(x.s, "abcdef", 6), "cats");
	check(str_catc(&x, 'g') == 0 && x.len == 7, "catc");
	check(str_catnum(&x, 0) == 0 && x.s[7] == '0', "catnum 0");
	check(str_catnum(&x, 18446744073709551615ULL) == 0 && x.len == 28 &&
	      !memcmp(x.s + 8, "18446744073709551615", 20), "catnum max");
	x.len = 0;
	check(str_catv(&x, "a", "b", "c", NULL) == 0 && x.len == 3, "catv");
	check(str_0(&x) == 0 && x.len == 3 && x.s[3] == 0 && !strcmp(x.s, "abc"), "str_0 not counted");
	check(str_cat0(&x) == 0 && x.len == 4 && x.s[3] == 0, "cat0 counted");
	check(str_copyb(&y, "XyZ", 3) == 0 && (str_lower(&y), !memcmp(y.s, "xyz", 3)), "lower");
	check(str_starts(&y, "xy") && !str_starts(&y, "xyzw") && str_starts(&y, ""), "starts");
	check(str_equals(&y, "xyz") && !str_equals(&y, "xy") && !str_equals(&y, "xyzz"), "equals");
	check(str_copy(&x, &y) == 0 && str_equals(&x, "xyz") && str_cat(&x, &y) == 0 &&
	      str_equals(&x, "xyzxyz"), "copy, cat");
	check(str_copyb(&x, x.s + 3, 3) == 0 && str_equals(&x, "xyz"), "copy from itself (overlap)");
	check(str_copyb(&x, "", 0) == 0 && x.len == 0, "empty copy");

	/* The ceiling: refused before any allocation. */
	errno = 0;
	check(str_ready(&x, STR_LIMIT + 1) == -1 && errno == ENOMEM, "ready past STR_LIMIT fails ENOMEM");
	check(x.len == 0 && x.s != NULL, "failed ready leaves the string intact");
	errno = 0;
	check(str_readyplus(&x, (size_t)-1) == -1 && errno == ENOMEM, "readyplus overflow fails");
	{
		str fake = STR_INIT;
		fake.len = STR_LIMIT;   /* pretend full: never dereferenced */
		errno = 0;
		check(str_readyplus(&fake, 1) == -1 && errno == ENOMEM, "readyplus at the ceiling fails");
		check(str_catb(&fake, "a", 1) == -1 && fake.len == STR_LIMIT, "catb at the ceiling fails, len unchanged");
	}
	check(str_catb(&x, "12345", 5) == 0 && str_equals(&x, "12345"), "usable after a failure");
	{
		size_t i;
		int ok = 1;
		x.len = 0;
		for (i = 0; i < 100000 && ok; i++) ok = str_catc(&x, (char)('a' + i % 26)) == 0;
		check(ok && x.len == 100000 && x.a >= x.len && x.s[99999] == (char)('a' + 99999 % 26), "growth by one byte 100000 times");
	}
	str_free(&x);
	check(x.s == NULL && x.len == 0 && x.a == 0, "free resets");
	str_free(&y);
	return failed;
}
