/* Unit test of src/lib/smtp_data.c: end of data only on CR LF . CR LF,
   dot-unstuffing, CR LF -> LF, bare CR/LF and NUL detection, line length,
   and the same results for every split of the input. */
#include <stdio.h>
#include <string.h>
#include "smtp_data.h"
#include "check.h"

struct result { char out[4096]; size_t outlen, used; struct smtp_data d; };

/* Feeds s in pieces of step bytes. */
static void run(const char *s, size_t len, size_t step, size_t maxline, struct result *r)
{
	size_t i = 0;
	smtp_data_init(&r->d, maxline);
	r->outlen = 0;
	while (i < len && !r->d.done) {
		size_t n = len - i < step ? len - i : step, o, u;
		u = smtp_data_feed(&r->d, s + i, n, r->out + r->outlen, &o);
		r->outlen += o;
		i += u;
	}
	r->used = i;
}

/* The same outcome whatever the split. */
static int all_splits(const char *s, size_t len, size_t maxline, struct result *first)
{
	struct result r;
	size_t step;
	run(s, len, len ? len : 1, maxline, first);
	for (step = 1; step < 8; step++) {
		run(s, len, step, maxline, &r);
		if (r.d.done != first->d.done || r.d.bare != first->d.bare || r.used != first->used ||
		    r.outlen != first->outlen || memcmp(r.out, first->out, r.outlen)) return 0;
	}
	return 1;
}
#define S(lit) lit, sizeof(lit) - 1

int main(void)
{
	static const struct { const char *in; size_t len; } smuggle[] = {
		{ S("a\n.\nMAIL") }, { S("a\n.\r\nMAIL") }, { S("a\r\n.\nMAIL") }, { S("a\r.\rMAIL") },
		{ S("a\r.\nMAIL") }, { S("a\n.\rMAIL") }, { S("a\r.\r\nMAIL") }, { S("a\r\n.\rMAIL") },
		{ S("a\r\n.\r\r\nMAIL") },
	};
	struct result r;
	size_t i;
	const char msg[] = "Subject: x\r\n\r\nline\r\n..dot\r\n.\r\nQUIT\r\n";
	check(all_splits(msg, sizeof msg - 1, 1000, &r), "splits agree");
	check(r.d.done && !r.d.bare && r.used == sizeof msg - 1 - 6, "ends before QUIT");
	check(r.outlen == 22 && !memcmp(r.out, "Subject: x\n\nline\n.dot\n", 22), "unstuffed, LF line ends");
	check(r.d.size == 22, "size counts message bytes");
	check(all_splits(S(".\r\n"), 1000, &r) && r.d.done && r.outlen == 0, "empty message");
	for (i = 0; i < sizeof smuggle / sizeof smuggle[0]; i++) {
		char what[64];
		snprintf(what, sizeof what, "smuggling form %zu is not an end", i);
		check(all_splits(smuggle[i].in, smuggle[i].len, 1000, &r) && !r.d.done && r.d.bare, what);
	}
	check(all_splits(S("a\r\n\0.\r\nb\r\n.\r\n"), 1000, &r) && r.d.done && r.d.nul && !r.d.bare, "NUL noticed, not an end");
	check(all_splits(S("a\rb\r\n.\r\n"), 1000, &r) && r.d.done && r.d.bare, "bare CR mid-line");
	{
		char line[1100];
		memset(line, 'x', sizeof line);
		memcpy(line + 998, "\r\n.\r\n", 5);
		check(all_splits(line, 1003, 1000, &r) && r.d.done && !r.d.longline, "998 + CR LF fits");
		memset(line, 'x', sizeof line);
		memcpy(line + 999, "\r\n.\r\n", 5);
		check(all_splits(line, 1004, 1000, &r) && r.d.done && r.d.longline, "999 + CR LF is too long");
		check(all_splits(line, 1004, 0, &r) && r.d.done && !r.d.longline, "no limit");
	}
	return failed;
}
