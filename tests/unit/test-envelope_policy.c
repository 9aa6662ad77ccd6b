/* Unit test of src/lib/envelope_policy.c: qmail's relay rules with
   tern's recipient validation, driven by data alone. */
#include <string.h>
#include <strings.h>
#include "envelope_policy.h"
#include "check.h"

static int f_rcpthosts(void *c, const char *d, size_t n)
{
	if (n == 4 && !strncasecmp(d, "temp", 4)) return -1;
	return (n == 9 && !strncasecmp(d, "tern.test", n)) || (n == 9 && !strncasecmp(d, "backup.mx", n));
}
static int f_is_local(void *c, const char *a, size_t n)
{
	return n >= 10 && !strncasecmp(a + n - 10, "@tern.test", 10);
}
static int f_deliverable(void *c, const char *a, size_t n)
{
	if (n >= 4 && !strncmp(a, "temp", 4)) return -1;
	return (n >= 4 && !strncmp(a, "user", 4)) || (n >= 10 && !strncmp(a, "postmaster", 10));
}

static const char *rcpt(struct envelope_policy *e, const char *a, int quoted, str *out)
{
	struct smtp_path p = { STR_INIT, 0, quoted, 0 };
	const char *r;
	const char *at = strrchr(a, '@');
	str_copys(&p.addr, a);
	p.at = at ? (size_t)(at - a) : p.addr.len;
	r = envelope_policy_recipient(e, &p);
	str_copy(out, &p.addr);
	smtp_path_free(&p);
	return r ? r : "ok";
}

int main(void)
{
	static const str bad = { (char *)"bad@x.test\0@spam.test", 22, 22 };
	struct envelope_policy e = { NULL, f_rcpthosts, f_is_local, f_deliverable, "tern.test", 0, NULL, &bad };
	struct smtp_path p = { STR_INIT, 0, 0, 0 };
	str out = STR_INIT;
	check(!strcmp(rcpt(&e, "user@tern.test", 0, &out), "ok"), "local user");
	check(!strncmp(rcpt(&e, "nobody@tern.test", 0, &out), "550 5.1.1", 9), "unknown local user");
	check(!strncmp(rcpt(&e, "x@far.example", 0, &out), "550 5.7.1", 9), "relaying denied");
	check(!strcmp(rcpt(&e, "x@backup.mx", 0, &out), "ok"), "rcpthosts, not local: backup MX");
	check(!strncmp(rcpt(&e, "x%y@backup.mx", 0, &out), "553 5.7.1", 9), "percent hack refused");
	check(!strncmp(rcpt(&e, "x y@backup.mx", 1, &out), "553 5.7.1", 9), "quoted refused");
	check(!strncmp(rcpt(&e, "x@temp", 0, &out), "451 4.3.0", 9), "rcpthosts trouble");
	check(!strncmp(rcpt(&e, "tempuser@tern.test", 0, &out), "451 4.3.0", 9), "lookup trouble");
	check(!strcmp(rcpt(&e, "postmaster", 0, &out), "ok") && out.len == 20 && !memcmp(out.s, "postmaster@tern.test", 20),
	      "postmaster without a domain");
	check(!strncmp(rcpt(&e, "user", 0, &out), "553 5.7.1", 9), "no domain refused");
	e.relay = 1;
	e.relayclient = "";
	check(!strcmp(rcpt(&e, "x%y@far.example", 0, &out), "ok"), "relay client may relay");
	check(!strncmp(rcpt(&e, "nobody@tern.test", 0, &out), "550 5.1.1", 9), "relay client: still validated");
	e.relayclient = "@relay.test";
	check(!strcmp(rcpt(&e, "x@far.example", 0, &out), "ok") && out.len == 24 &&
	      !memcmp(out.s, "x@far.example@relay.test", 24), "RELAYCLIENT appended");
	str_copys(&p.addr, "bad@x.test");
	p.at = 3;
	check(envelope_policy_sender(&e, &p) != NULL, "badmailfrom address");
	str_copys(&p.addr, "a@spam.test");
	p.at = 1;
	check(envelope_policy_sender(&e, &p) != NULL, "badmailfrom @domain");
	str_copys(&p.addr, "a@good.test");
	check(envelope_policy_sender(&e, &p) == NULL, "good sender");
	check(!strncmp(envelope_policy_bad_sender(SMTP_PATH_TOO_LONG), "553 5.1.7", 9) &&
	      !strncmp(envelope_policy_bad_recipient(SMTP_PATH_SYNTAX), "501 5.1.3", 9), "parse replies");
	smtp_path_free(&p);
	str_free(&out);
	return failed;
}
