/* Unit test of control/smtproutes matching (src/lib/smtproutes.c). */
#include <stdio.h>
#include <string.h>
#include "smtproutes.h"
#include "check.h"

static int find(const str *items, const char *domain, struct smtproute *r)
{
	return smtproutes_find(items, domain, strlen(domain), r);
}

int main(void)
{
	static const char list[] = "example.org:relay.example.net:2525\0.sub.test:[10.0.0.1]\0"
	                           "mx.test:\0v6.test:[::1]:26\0bad.test:h:notaport\0:smart.host\0";
	str items = { (char *)list, sizeof list - 1, 0 };
	struct smtproute r;
	check(find(&items, "example.org", &r) && strcmp(r.host, "relay.example.net") == 0 && r.port == 2525 && !r.literal, "exact domain with port");
	check(find(&items, "EXAMPLE.ORG", &r) && r.port == 2525, "case-insensitive");
	check(find(&items, "a.b.sub.test", &r) && strcmp(r.host, "10.0.0.1") == 0 && r.literal && r.port == 25, ".suffix matches below");
	check(find(&items, "mx.test", &r) && r.host[0] == 0, "empty relay: use MX");
	check(find(&items, "v6.test", &r) && strcmp(r.host, "::1") == 0 && r.literal && r.port == 26, "[ipv6]:port");
	check(!find(&items, "bad.test", &r), "malformed port does not match");
	check(find(&items, "other.test", &r) && strcmp(r.host, "smart.host") == 0 && r.port == 25, "catch-all smarthost");
	check(find(&items, "sub.test", &r) && strcmp(r.host, "smart.host") == 0, ".suffix does not match the suffix itself");
	str none = STR_INIT;
	check(!find(&none, "x.test", &r), "no routes");
	check(!smtproutes_parse_relay("[1.2.3.4", 8, &r), "unclosed bracket refused");
	check(!smtproutes_parse_relay("h:0", 3, &r), "port 0 refused");
	return failed;
}
