/* Unit test of src/lib/fmt.c and src/lib/scan.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TAP-ish output; stdio is fine here: the input is our own. */
#define B(lit) lit, sizeof(lit) - 1
#include "fmt.h"
#include "scan.h"
#include "check.h"

int main(void)
{
	char b[FMT_ULONG + 1];
	unsigned long long v = 7;
	size_t n;
	n = fmt_ulong(b, 0); check(n == 1 && b[0] == '0', "fmt 0");
	n = fmt_ulong(b, 1234567890); check(n == 10 && !memcmp(b, "1234567890", 10), "fmt number");
	n = fmt_ulong(b, 18446744073709551615ULL); check(n == 20 && !memcmp(b, "18446744073709551615", 20), "fmt max");
	n = fmt_ulong0(b, 42, 5); check(n == 5 && !memcmp(b, "00042", 5), "fmt0 pads");
	n = fmt_ulong0(b, 123456, 3); check(n == 6 && !memcmp(b, "123456", 6), "fmt0 never truncates");
	n = fmt_ulong0(b, 0, 20); check(n == 20 && b[0] == '0' && b[19] == '0', "fmt0 width 20");
	n = fmt_xlong(b, 0xdeadbeefULL); check(n == 8 && !memcmp(b, "deadbeef", 8), "fmt hex");
	n = fmt_xlong(b, 0); check(n == 1 && b[0] == '0', "fmt hex 0");

	check(scan_ulong("123abc", 6, &v) == 3 && v == 123, "scan prefix");
	v = 7;
	check(scan_ulong("abc", 3, &v) == 0 && v == 7, "scan nothing leaves out");
	check(scan_ulong("18446744073709551615", 20, &v) == 20 && v == 18446744073709551615ULL, "scan max");
	check(scan_ulong("18446744073709551616", 20, &v) == 0, "scan overflow is 0");
	check(scan_ulong("99999999999999999999999", 23, &v) == 0, "scan long overflow is 0");
	check(scan_ulong("12345", 2, &v) == 2 && v == 12, "scan respects len");
	check(scan_ulong_all("4096", &v) == 1 && v == 4096, "scan_all ok");
	check(scan_ulong_all("", &v) == 0, "scan_all empty");
	check(scan_ulong_all("12 ", &v) == 0, "scan_all trailing space");
	check(scan_ulong_all("-1", &v) == 0, "scan_all negative");
	check(scan_ulong_all("0", &v) == 1 && v == 0, "scan_all zero");
	return failed;
}
