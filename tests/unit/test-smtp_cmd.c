/* Unit test of src/lib/smtp_cmd.c and base64.c: verbs, paths (source
   routes, quoting, limits, relaying forms), parameters, xtext, NOTIFY,
   ORCPT, base64. */
#include <stdio.h>
#include <string.h>
#include "base64.h"
#include "smtp_cmd.h"
#include "check.h"

#define B(lit) lit, sizeof(lit) - 1

static struct smtp_path p;

/* Parses s; returns the result and leaves the address in p. */
static int path(const char *s)
{
	size_t used = 0;
	return smtp_path_parse(s, strlen(s), &p, &used);
}
static int addr_is(const char *want) { return p.addr.len == strlen(want) && !memcmp(p.addr.s, want, p.addr.len); }

static void test_verbs(void)
{
	const char *arg;
	size_t len;
	check(smtp_cmd_verb(B("ehlo x.example"), &arg, &len) == SMTP_EHLO && len == 9 && !memcmp(arg, "x.example", 9), "EHLO and its argument");
	check(smtp_cmd_verb(B("DATA"), &arg, &len) == SMTP_DATA && len == 0, "DATA without argument");
	check(smtp_cmd_verb(B("StartTLS"), &arg, &len) == SMTP_STARTTLS, "STARTTLS any case");
	check(smtp_cmd_verb(B("DATAX"), &arg, &len) == SMTP_UNKNOWN, "DATAX is unknown");
	check(smtp_cmd_verb(B(""), &arg, &len) == SMTP_UNKNOWN, "empty line");
	check(smtp_cmd_has_control(B("NOOP \0")) && smtp_cmd_has_control(B("a\rb")) && !smtp_cmd_has_control(B("Ü ok")), "control characters");
	check(smtp_cmd_prefix(B("from: <a>"), "FROM:") == 6, "FROM: with a space after");
	check(smtp_cmd_prefix(B("FRO<a>"), "FROM:") == 0, "no FROM:");
}

static void test_paths(void)
{
	char big[400];
	check(path("<>") == SMTP_PATH_OK && p.addr.len == 0, "null path");
	check(path("<a@b.example>") == SMTP_PATH_OK && addr_is("a@b.example") && p.at == 1, "simple");
	check(path("<@r1.example,@r2.example:u@d.example>") == SMTP_PATH_OK && addr_is("u@d.example"), "source route stripped");
	check(path("<\"john smith\"@d.example>") == SMTP_PATH_OK && addr_is("john smith@d.example") && p.quoted && p.at == 10, "quoted local part unquoted");
	check(path("<\"user@other\"@d.example>") == SMTP_PATH_OK && smtp_path_relay_form(&p) && p.at == 10, "quoted @ is a relay form");
	check(path("<user@other@d.example>") == SMTP_PATH_OK && p.at == 10 && smtp_path_relay_form(&p), "last @ splits; relay form");
	check(path("<user%other@d.example>") == SMTP_PATH_OK && smtp_path_relay_form(&p), "% relay form");
	check(path("<other!user@d.example>") == SMTP_PATH_OK && smtp_path_relay_form(&p), "! relay form");
	check(path("<other!user>") == SMTP_PATH_OK && p.at == p.addr.len, "no domain");
	check(path("<plain@d.example>") == SMTP_PATH_OK && !smtp_path_relay_form(&p), "not a relay form");
	check(path("<postmaster>") == SMTP_PATH_OK && addr_is("postmaster"), "postmaster");
	check(path("a@b") == SMTP_PATH_SYNTAX, "no brackets");
	check(path("<a@b") == SMTP_PATH_SYNTAX, "unterminated");
	check(path("<a b@c>") == SMTP_PATH_SYNTAX, "space");
	check(path("<a@>") == SMTP_PATH_SYNTAX, "empty domain");
	check(path("<@a.example>") == SMTP_PATH_SYNTAX, "route without mailbox");
	check(path("<a@b(c)>") == SMTP_PATH_SYNTAX, "bad domain character");
	check(path("<a@b.example.>") == SMTP_PATH_SYNTAX && path("<a@.b>") == SMTP_PATH_SYNTAX &&
	      path("<a@b..c>") == SMTP_PATH_SYNTAX && path("<a@[192.0.2.1]>") == SMTP_PATH_OK, "empty labels");
	check(path("<\"unterminated@b>") == SMTP_PATH_SYNTAX, "unterminated quote");
	check(path("<ü@b.example>") == SMTP_PATH_OK && p.eightbit, "8-bit noticed");
	memset(big, 'l', sizeof big);
	memcpy(big, "<", 1);
	memcpy(big + 66, "@d>", 4);
	check(path(big) == SMTP_PATH_TOO_LONG, "local part of 64+1");
	memcpy(big + 65, "@d>", 4);
	check(path(big) == SMTP_PATH_OK, "local part of 64");
	memset(big, 'd', sizeof big);
	memcpy(big, "<a@", 3);
	memcpy(big + 3 + 256, ">", 2);
	check(path(big) == SMTP_PATH_TOO_LONG, "domain of 256");
	memset(big, 'd', sizeof big);
	memcpy(big, "<@", 2);
	memcpy(big + 250, ":a@b>", 6);
	check(path(big) == SMTP_PATH_TOO_LONG || path(big) == SMTP_PATH_OK, "long source route: bounded");
	smtp_path_free(&p);
}

static void test_params(void)
{
	const char *s = " SIZE=100 BODY=8BITMIME  SMTPUTF8", *k, *v;
	size_t pos = 0, kl, vl, len = strlen(s);
	int n = 0, r;
	while ((r = smtp_param_next(s, len, &pos, &k, &kl, &v, &vl)) > 0) n++;
	check(r == 0 && n == 3, "three parameters");
	pos = 0;
	check(smtp_param_next(B("SIZE=1"), &pos, &k, &kl, &v, &vl) == -1, "no space before a parameter");
	pos = 0;
	check(smtp_param_next(B(" SIZE="), &pos, &k, &kl, &v, &vl) == -1, "empty value");
	pos = 0;
	check(smtp_param_next(B(" A=b=c"), &pos, &k, &kl, &v, &vl) == -1, "= in a value");
	pos = 0;
	check(smtp_param_next(B(" -X"), &pos, &k, &kl, &v, &vl) == -1, "keyword starting with -");
	check(smtp_xtext_valid(B("abc+2Bdef"), 0) && !smtp_xtext_valid(B("a+2b"), 0) && !smtp_xtext_valid(B("a+2"), 0) &&
	      !smtp_xtext_valid(B("a=b"), 0) && !smtp_xtext_valid(B("ü"), 0) && smtp_xtext_valid(B("ü"), 1), "xtext");
	check(smtp_notify_valid(B("NEVER")) && smtp_notify_valid(B("success,FAILURE,delay")) &&
	      !smtp_notify_valid(B("NEVER,SUCCESS")) && !smtp_notify_valid(B("SUCCESS,")) && !smtp_notify_valid(B("")), "NOTIFY");
	check(smtp_orcpt_valid(B("rfc822;a+40b"), 0) && !smtp_orcpt_valid(B("rfc822;"), 0) &&
	      !smtp_orcpt_valid(B(";a"), 0) && !smtp_orcpt_valid(B("rfc822"), 0), "ORCPT");
}

static void test_base64(void)
{
	str out = STR_INIT;
	check(base64_decode(B("AGdvb2QAc2VjcmV0"), &out) == 0 && out.len == 12 && !memcmp(out.s, "\0good\0secret", 12), "base64 PLAIN");
	check(base64_decode(B("Zm8="), &out) == 0 && out.len == 2 && base64_decode(B("Zg=="), &out) == 0 && out.len == 1, "padding");
	check(base64_decode(B("Zm9"), &out) < 0 && base64_decode(B("Z=9v"), &out) < 0 && base64_decode(B("Zm9v!A=="), &out) < 0 &&
	      base64_decode(B("===="), &out) < 0, "malformed base64");
	check(base64_decode(B(""), &out) == 0 && out.len == 0, "empty");
	str_free(&out);
}

int main(void)
{
	test_verbs();
	test_paths();
	test_params();
	test_base64();
	return failed;
}
