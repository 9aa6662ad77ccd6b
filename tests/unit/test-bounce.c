/* Unit test of bounce composition (src/lib/bounce.c). */
#include <string.h>
#include <unistd.h>
#include "bounce.h"
#include "fmt.h"
#include "str.h"
#include "check.h"

static int has(const str *s, const char *needle)
{
	return memmem(s->s, s->len, needle, strlen(needle)) != NULL;
}

static void test_text(void)
{
	struct bounce_text t;
	const char *a = "remote=mx.example.org[192.0.2.1] 550 5.1.1 no such user";
	bounce_parse_text(a, strlen(a), &t);
	check(t.remote_len == 14 && memcmp(t.remote, "mx.example.org", 14) == 0, "remote host");
	check(t.smtp && strcmp(t.status, "5.1.1") == 0, "smtp reply with enhanced code");
	check(t.diag_len == 22 && memcmp(t.diag, "550 5.1.1 no such user", 22) == 0, "diagnostic text");
	bounce_parse_text("5.2.2 mailbox full", 18, &t);
	check(!t.smtp && !t.remote && strcmp(t.status, "5.2.2") == 0, "local text with enhanced code");
	bounce_parse_text("452 too many", 12, &t);
	check(t.smtp && strcmp(t.status, "4.0.0") == 0, "4xx without enhanced code");
	bounce_parse_text("program said no", 15, &t);
	check(!t.smtp && strcmp(t.status, "5.0.0") == 0, "plain text: 5.0.0");
	bounce_parse_text("550-5.7.1 x", 11, &t);
	check(t.smtp && strcmp(t.status, "5.7.1") == 0, "continuation separator");
	bounce_parse_text("5.1.10x y", 9, &t);
	check(strcmp(t.status, "5.0.0") == 0, "malformed enhanced code ignored");
	bounce_parse_text("remote=host 421", 15, &t);
	check(t.remote_len == 4 && t.smtp && strcmp(t.status, "4.0.0") == 0, "remote without ip");
}

static void test_compose(void)
{
	str out = STR_INIT;
	const char msg[] = "Received: by x\nSubject: hi\nFrom: a@b\n\nbody line\n";
	struct bounce_rcpt r[2] = {
		{ "u@example.org", 13, "rfc822;U@example.org", "remote=mx[1.2.3.4] 550 5.1.1 unknown\r\nX", 39 },
		{ "v@tern.test", 11, NULL, "5.2.2 over quota", 16 },
	};
	struct bounce b;
	memset(&b, 0, sizeof b);
	b.me = "tern.test"; b.from = "MAILER-DAEMON@tern.test"; b.to = "a@b";
	b.arrival = 1000; b.now = 2000; b.id = 4242;
	b.msg = msg; b.msg_len = sizeof msg - 1; b.nrcpt = 2; b.rcpt = r;
	check(bounce_compose(&out, &b) == 0, "composes");
	check(has(&out, "\nContent-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"=_tern_4242_2000\"\n"), "report content type");
	check(has(&out, "\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; tern.test\n"), "status part");
	check(has(&out, "\nFinal-Recipient: rfc822; u@example.org\nOriginal-Recipient: rfc822;U@example.org\n"
	                "Action: failed\nStatus: 5.1.1\nRemote-MTA: dns; mx\nDiagnostic-Code: smtp; 550 5.1.1 unknown  X\n"), "remote recipient fields");
	check(has(&out, "\nFinal-Recipient: rfc822; v@tern.test\nAction: failed\nStatus: 5.2.2\nDiagnostic-Code: X-tern; 5.2.2 over quota\n"), "local recipient fields");
	check(has(&out, "Content-Type: message/rfc822\n\nReceived: by x\nSubject: hi\nFrom: a@b\n\nbody line\n\n--=_tern_4242_2000--\n"), "original message");
	check(!memchr(out.s, '\r', out.len), "no CR anywhere");
	out.len = 0;
	b.headers_only = 1;
	bounce_compose(&out, &b);
	check(has(&out, "Content-Type: text/rfc822-headers\n\nReceived: by x\nSubject: hi\nFrom: a@b\n\n\n--=_tern") &&
	      !has(&out, "body line"), "headers only");
	check(bounce_header_len("A: b\nC: d", 9) == 5, "header length without blank line");
	check(bounce_header_len("A: b\r\n\r\nx", 9) == 8, "header length with CR LF");
	str_free(&out);
}

int main(void)
{
	test_text();
	test_compose();
	return failed;
}
