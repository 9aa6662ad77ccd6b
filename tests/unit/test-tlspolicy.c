/* Unit test of control/tlsdestinations parsing (src/lib/tlspolicy.c) and
   of the pure parts of SMTP AUTH as a client (src/lib/smtpauth_client.c):
   control/relayauth lookup, the AUTH keyword of EHLO, base64. */
#include <stdio.h>
#include <string.h>
#include "smtpauth_client.h"
#include "smtp_reply.h"
#include "tlspolicy.h"
#include "check.h"

static int find(const str *items, const char *domain, struct tlspolicy *p)
{
	return tlspolicy_find(items, domain, strlen(domain), p);
}

static int parse(const char *s, struct tlspolicy *p) { return tlspolicy_parse(s, strlen(s), p); }

static void test_policies(void)
{
	static const char list[] = "exact.test:verify\0.sub.test:encrypt\0none.test:none\0"
	                           "pin.test:pin=sha256:00,sha256:AAAA\0bad.test:maybe\0clear.test:may cleartext-auth\0"
	                           ":may\0";
	static const char nodefault[] = "exact.test:verify\0";
	str items = { (char *)list, sizeof list - 1, 0 }, nd = { (char *)nodefault, sizeof nodefault - 1, 0 };
	struct tlspolicy p;
	check(find(&items, "exact.test", &p) == 1 && p.level == TLSPOLICY_VERIFY && !p.cleartext_auth, "exact domain");
	check(find(&items, "EXACT.TEST", &p) == 1 && p.level == TLSPOLICY_VERIFY, "case-insensitive");
	check(find(&items, "a.b.sub.test", &p) == 1 && p.level == TLSPOLICY_ENCRYPT, ".suffix below");
	check(find(&items, "sub.test", &p) == 1 && p.level == TLSPOLICY_MAY, ".suffix not the domain itself (default applies)");
	check(find(&items, "none.test", &p) == 1 && p.level == TLSPOLICY_NONE, "none");
	check(find(&items, "pin.test", &p) == 1 && p.level == TLSPOLICY_PIN && strcmp(p.pins, "sha256:00,sha256:AAAA") == 0, "pins kept");
	check(find(&items, "bad.test", &p) == -1, "unknown level is malformed, not a default");
	check(find(&items, "clear.test", &p) == 1 && p.level == TLSPOLICY_MAY && p.cleartext_auth, "cleartext-auth option");
	check(find(&items, "other.test", &p) == 1 && p.level == TLSPOLICY_MAY, "default item");
	check(find(&nd, "other.test", &p) == 0 && p.level == TLSPOLICY_MAY && !p.cleartext_auth, "no item: may");
	check(parse("  encrypt  ", &p) && p.level == TLSPOLICY_ENCRYPT, "spaces around");
	check(parse("VERIFY", &p) && p.level == TLSPOLICY_VERIFY, "level case-insensitive");
	check(!parse("", &p), "empty is malformed");
	check(!parse("verify bogus", &p), "unknown option");
	check(!parse("pin=", &p), "pin without pins");
	check(!parse("pin=md5:00", &p), "pin other than sha256");
	check(!parse("pin=sha256:00,", &p), "pin list ending in a comma");
	check(!parse("pin=sha256:", &p), "empty pin");
	check(strcmp(tlspolicy_name(TLSPOLICY_PIN), "pin") == 0, "names");
}

static void test_auth(void)
{
	static const char list[] = "smart.test:alice:pa:ss word\0[10.0.0.1]:bob:x\0bad.test:nocolon\0"
	                           "empty.test::pw\0.corp.test:carol:y\0";
	str items = { (char *)list, sizeof list - 1, 0 }, b = STR_INIT;
	struct smtpauth_cred c;
	struct smtp_reply r;
	static const char *const lines[] = { "250-mx.test", "250-PIPELINING", "250-AUTH CRAM-MD5 login", "250 SIZE" };
	check(smtpauth_cred_find(&items, "smart.test", 10, &c) == 1 && strcmp(c.user, "alice") == 0 && strcmp(c.pass, "pa:ss word") == 0, "password keeps colons and spaces");
	check(smtpauth_cred_find(&items, "[10.0.0.1]", 10, &c) == 1 && strcmp(c.user, "bob") == 0, "literal key");
	check(smtpauth_cred_find(&items, "bad.test", 8, &c) == -1, "no password: malformed");
	check(smtpauth_cred_find(&items, "empty.test", 10, &c) == -1, "empty user: malformed");
	check(smtpauth_cred_find(&items, "mx.corp.test", 12, &c) == 1 && strcmp(c.user, "carol") == 0, ".suffix");
	check(smtpauth_cred_find(&items, "other.test", 10, &c) == 0, "no entry");
	smtpauth_cred_wipe(&c);
	check(c.pass[0] == 0 && c.user[0] == 0, "wipe");
	smtp_reply_init(&r);
	for (size_t i = 0; i < 4; i++) smtp_reply_line(&r, lines[i], strlen(lines[i]));
	check(smtpauth_offered(&r) == SMTPAUTH_LOGIN, "AUTH line: LOGIN only, case-insensitive");
	smtp_reply_reset(&r);
	smtp_reply_line(&r, "250-x", 5);
	smtp_reply_line(&r, "250-AUTH=PLAIN LOGIN", 20);
	smtp_reply_line(&r, "250 8BITMIME", 12);
	check(smtpauth_offered(&r) == (SMTPAUTH_PLAIN | SMTPAUTH_LOGIN), "old AUTH= form");
	smtp_reply_reset(&r);
	smtp_reply_line(&r, "250 AUTH PLAIN", 14);
	check(smtpauth_offered(&r) == 0, "the greeting line is not a keyword");
	smtp_reply_free(&r);
	check(smtpauth_base64(&b, "\0alice\0pw", 9) == 0 && b.len == 12 && memcmp(b.s, "AGFsaWNlAHB3", 12) == 0, "base64 PLAIN");
	b.len = 0;
	check(smtpauth_base64(&b, "ab", 2) == 0 && b.len == 4 && memcmp(b.s, "YWI=", 4) == 0, "base64 padding");
	b.len = 0;
	check(smtpauth_base64(&b, "a", 1) == 0 && b.len == 4 && memcmp(b.s, "YQ==", 4) == 0, "base64 double padding");
	str_free(&b);
}

int main(void)
{
	test_policies();
	test_auth();
	return failed;
}
