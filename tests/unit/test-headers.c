/* Unit test of src/lib/headers.c: field names and address lists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TAP-ish output; stdio is fine here: the input is our own. */
#define B(lit) lit, sizeof(lit) - 1
#include "headers.h"
#include "check.h"

/* Extracts and compares with want, a NUL-separated list. */
static void addrs(const char *value, const char *want, size_t wlen, int count)
{
	str out = STR_INIT;
	int n = headers_addresses(value, strlen(value), &out);
	int ok = n == count && out.len == wlen && (wlen == 0 || !memcmp(out.s, want, wlen));
	check(ok, value);
	if (!ok) {
		size_t i;
		printf("# got %d:", n);
		for (i = 0; i < out.len; i++) putchar(out.s[i] ? out.s[i] : '|');
		putchar('\n');
	}
	str_free(&out);
}

int main(void)
{
	check(headers_name_len(B("To: a\n")) == 3, "name_len");
	check(headers_name_len(B("X-Weird-Field:x\n")) == 14, "name_len no space");
	check(headers_name_len(B("From a@b Sun\n")) == 0, "mbox From line is no field");
	check(headers_name_len(B(" continued\n")) == 0, "continuation is no field");
	check(headers_name_len(B(":novalue\n")) == 0, "empty name");
	check(headers_name_len(B("no colon\n")) == 0, "no colon");
	check(headers_name_len(B("Bad Name: x\n")) == 0, "space in name");
	check(headers_is(B("bcc: x"), "Bcc"), "is ignores case");
	check(!headers_is(B("Bccx: x"), "Bcc"), "is whole name");
	check(!headers_is(B("Bc"), "Bcc"), "is short");

	addrs("a@b", B("a@b\0"), 1);
	addrs(" a@b , c@d ", B("a@b\0c@d\0"), 2);
	addrs("John Doe <jd@example.com>", B("jd@example.com\0"), 1);
	addrs("\"Doe, John\" <jd@x>, other@y", B("jd@x\0other@y\0"), 2);
	addrs("a@b (A, B comment), c@d", B("a@b\0c@d\0"), 2);
	addrs("(nested (comment) here) a@b", B("a@b\0"), 1);
	addrs("friends: a@b, C <c@d>;, e@f", B("a@b\0c@d\0e@f\0"), 3);
	addrs("undisclosed-recipients:;", "", 0, 0);
	addrs("<>", "", 0, 0);
	addrs("<@route1,@route2:x@y>", B("x@y\0"), 1);
	addrs("\"quoted local\"@example.org", B("quoted local@example.org\0"), 1);
	addrs("\"q\\\"x\"@e", B("q\"x@e\0"), 1);
	addrs("a@b,\n\tc@d,\r\n  e@f", B("a@b\0c@d\0e@f\0"), 3);
	addrs("bare", B("bare\0"), 1);
	addrs("a @ b . c", B("a@b.c\0"), 1);
	addrs(",,a@b,,", B("a@b\0"), 1);
	addrs("<a@b> trailing junk", B("a@b\0"), 1);
	addrs("Name <a@b", B("a@b\0"), 1);
	addrs("(unclosed comment a@b", "", 0, 0);
	addrs("\"unclosed quote a@b", B("unclosed quote a@b\0"), 1);
	addrs("", "", 0, 0);
	addrs("x@\xc3\xa9.example", B("x@\xc3\xa9.example\0"), 1);
	return failed;
}
