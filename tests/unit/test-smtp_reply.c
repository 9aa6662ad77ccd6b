/* Unit test of the SMTP reply parser (src/lib/smtp_reply.c). */
#include <stdio.h>
#include <string.h>
#include "smtp_reply.h"
#include "check.h"

#define L(r, s) smtp_reply_line(r, s, sizeof(s) - 1)

int main(void)
{
	struct smtp_reply r;
	str s = STR_INIT;
	smtp_reply_init(&r);
	check(L(&r, "250 ok") == SMTP_REPLY_DONE && r.code == 250 && r.text.len == 2, "one-line reply");
	smtp_reply_reset(&r);
	check(L(&r, "250-mx.test hello") == SMTP_REPLY_MORE && L(&r, "250-PIPELINING") == SMTP_REPLY_MORE &&
	      L(&r, "250 SIZE 1000") == SMTP_REPLY_DONE && r.lines == 3, "multi-line reply");
	check(r.text.len == 34 && memcmp(r.text.s, "mx.test hello\nPIPELINING\nSIZE 1000", 34) == 0, "texts joined by LF");
	smtp_reply_reset(&r);
	check(L(&r, "220") == SMTP_REPLY_DONE && r.code == 220, "bare code on a first line");
	smtp_reply_reset(&r);
	check(L(&r, "250-a") == SMTP_REPLY_MORE && L(&r, "250") == SMTP_REPLY_BAD, "short continuation line is an error");
	smtp_reply_reset(&r);
	check(L(&r, "250-a") == SMTP_REPLY_MORE && L(&r, "25") == SMTP_REPLY_BAD, "2-byte continuation line is an error");
	smtp_reply_reset(&r);
	check(L(&r, "250-a") == SMTP_REPLY_MORE && L(&r, "251 b") == SMTP_REPLY_BAD, "changed code is an error");
	smtp_reply_reset(&r);
	check(L(&r, "250-a") == SMTP_REPLY_MORE && L(&r, "") == SMTP_REPLY_BAD, "empty continuation is an error");
	smtp_reply_reset(&r);
	check(L(&r, "250xok") == SMTP_REPLY_BAD, "bad separator");
	smtp_reply_reset(&r);
	check(L(&r, "2a0 ok") == SMTP_REPLY_BAD && (smtp_reply_reset(&r), L(&r, "650 x")) == SMTP_REPLY_BAD &&
	      (smtp_reply_reset(&r), L(&r, "190 x")) == SMTP_REPLY_BAD && (smtp_reply_reset(&r), L(&r, "260 x")) == SMTP_REPLY_BAD,
	      "bad codes");
	smtp_reply_reset(&r);
	check(L(&r, "12") == SMTP_REPLY_BAD, "short first line");
	smtp_reply_reset(&r);
	int k = SMTP_REPLY_MORE, lines = 0;
	while (k == SMTP_REPLY_MORE && lines < 1000) { k = L(&r, "250-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"); lines++; }
	check(k == SMTP_REPLY_BAD && lines == SMTP_REPLY_LINES_MAX + 1, "endless reply cut at the line limit");
	check(r.text.len <= SMTP_REPLY_TEXT_MAX, "text capped");
	smtp_reply_reset(&r);
	L(&r, "550-5.1.1 no\001such");
	L(&r, "550 5.1.1 user");
	smtp_reply_summary(&r, &s, 900);
	check(s.len == 30 && memcmp(s.s, "550 5.1.1 no?such / 5.1.1 user", 30) == 0, "summary masks control bytes");
	s.len = 0;
	smtp_reply_summary(&r, &s, 5);
	check(s.len == 5, "summary respects max");
	struct smtp_ehlo e;
	smtp_reply_reset(&r);
	L(&r, "250-peer.test PIPELINING");
	L(&r, "250-pipelining");
	L(&r, "250-8BITMIME");
	L(&r, "250-SIZE 10240");
	L(&r, "250 STARTTLS");
	smtp_ehlo_parse(&r, &e);
	check(e.pipelining && e.eightbitmime && e.starttls && e.size && e.size_max == 10240, "EHLO keywords, case-insensitive");
	smtp_reply_reset(&r);
	L(&r, "250-peer.test PIPELINING");
	L(&r, "250-PIPELININGX");
	L(&r, "250-SIZE 12x");
	L(&r, "250 8BITMIME=");
	smtp_ehlo_parse(&r, &e);
	check(!e.pipelining && e.size && e.size_max == 0 && e.eightbitmime, "greeting line and lookalikes ignored; bad SIZE means no limit");
	smtp_reply_free(&r);
	str_free(&s);
	return failed;
}
