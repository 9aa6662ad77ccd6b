/* Unit test of src/lib/address.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TAP-ish output; stdio is fine here: the input is our own. */
#define B(lit) lit, sizeof(lit) - 1
#include "address.h"
#include "check.h"

int main(void)
{
	check(address_at(B("a@b")) == 1, "at");
	check(address_at(B("a@b@c")) == 3, "last at");
	check(address_at(B("abc")) == 3, "no at gives len");
	check(address_at("", 0) == 0, "empty");
	check(address_at(B("\"x@y\"@z")) == 5, "quoted at");
	check(address_domain_matches(B("Example.ORG"), "example.org"), "domain case-insensitive");
	check(!address_domain_matches(B("example.org"), "example.or"), "domain exact");
	check(!address_domain_matches(B("xexample.org"), "example.org"), "no suffix match without dot");
	check(address_domain_matches(B("a.example.org"), ".example.org"), "dot pattern matches sub");
	check(!address_domain_matches(B("example.org"), ".example.org"), "dot pattern not the domain itself");
	check(!address_domain_matches(B("example.org"), ""), "empty pattern matches nothing");
	check(!address_domain_matches(B("g"), ".example.org"), "short domain");
	check(!address_has_control(B("plain@text.example")), "no control");
	check(address_has_control(B("a\rb")), "CR");
	check(address_has_control(B("a\nb")), "LF");
	check(address_has_control("a\0b", 3), "NUL");
	check(address_has_control(B("a\x7f")), "DEL");
	check(!address_has_control(B("caf\xc3\xa9")), "UTF-8 is not control");
	return failed;
}
