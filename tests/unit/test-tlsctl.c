/* Unit test of src/lib/tlsctl.c: the UCSPI-TLS control line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "str.h"
#include "tlsctl.h"
#include "check.h"

/* TAP-ish output; stdio is fine here: the input is our own. */
#define B(lit) lit, sizeof(lit) - 1

int main(void)
{
	struct tlsctl_info i;
	str l = STR_INIT;
	char big[TLSCTL_LINE_MAX + 10];

	check(!strcmp(tlsctl_version_name(0x0303), "TLSv1.2"), "version name");
	check(tlsctl_version_name(0x0200) == 0, "unknown version");
	check(!strcmp(tlsctl_suite_name(0xC02F), "ECDHE-RSA-AES128-GCM-SHA256"), "suite name");
	check(!strcmp(tlsctl_suite_name(0xCCA9), "ECDHE-ECDSA-CHACHA20-POLY1305"), "chacha suite name");
	check(tlsctl_suite_name(0x1301) == 0, "unknown suite");

	check(tlsctl_line_make(&l, "TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256", "Mail.Example.ORG") == 0
	      && l.len == 57 && !memcmp(l.s, "TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 sni=mail.example.org\n", 57),
	      "make with sni, lower-cased");
	check(tlsctl_line_make(&l, "TLSv1.2", "X", 0) == 0 && l.len == 10 && !memcmp(l.s, "TLSv1.2 X\n", 10),
	      "make without sni");
	check(tlsctl_line_make(&l, "TLSv1.2", "X", "bad name\n") == 0 && l.len == 10, "bad sni left out");
	check(tlsctl_line_make(&l, "TLS v1", "X", 0) == -1, "bad protocol refused");
	check(tlsctl_line_make(&l, "TLSv1.2", "", 0) == -1, "empty cipher refused");

	check(tlsctl_line_parse(B("TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384 sni=a.b\n"), &i) == 1
	      && !strcmp(i.protocol, "TLSv1.2") && !strcmp(i.cipher, "ECDHE-RSA-AES256-GCM-SHA384")
	      && !strcmp(i.sni, "a.b"), "parse full line");
	check(tlsctl_line_parse(B("TLSv1.2 C\n"), &i) == 1 && i.sni[0] == 0, "parse without sni");
	check(tlsctl_line_parse(B("TLSv1.2 C later=x.y sni=h\n"), &i) == 1 && !strcmp(i.sni, "h"),
	      "unknown key=value fields ignored");
	check(tlsctl_line_parse(B("TLSv1.2 C\n\n"), &i) == 0, "two lines refused");
	check(tlsctl_line_parse(B("TLSv1.2 C"), &i) == 0, "no newline refused");
	check(tlsctl_line_parse(B("TLSv1.2\n"), &i) == 0, "one field refused");
	check(tlsctl_line_parse(B("TLSv1.2  C\n"), &i) == 0, "double space refused");
	check(tlsctl_line_parse(B("TLSv1.2 C \n"), &i) == 0, "trailing space refused");
	check(tlsctl_line_parse(B("TLSv1.2 C junk\n"), &i) == 0, "bare third field refused");
	check(tlsctl_line_parse(B("TLSv1.2 C sni=a\001b\n"), &i) == 0, "control byte refused");
	check(tlsctl_line_parse(B("TLSv1.2 C\r\n"), &i) == 0, "CR refused");
	memset(big, 'a', sizeof big);
	big[3] = ' ';
	big[TLSCTL_LINE_MAX] = '\n';
	check(tlsctl_line_parse(big, TLSCTL_LINE_MAX + 1, &i) == 0, "overlong line refused");
	check(tlsctl_sni_valid(B("a-b.c_d")) && !tlsctl_sni_valid("", 0) && !tlsctl_sni_valid(B("a/b")),
	      "sni validity");
	str_free(&l);
	return failed;
}
