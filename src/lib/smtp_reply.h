#ifndef TERN_SMTP_REPLY_H
#define TERN_SMTP_REPLY_H
#include <stddef.h>
#include "str.h"

/* Strict parser of SMTP replies (RFC 5321 4.2), fed one line at a time
   (without its CR LF). Every line must start with the same three-digit
   code (first digit 2-5, second 0-5); the fourth byte is '-' on all
   lines but the last, and ' ' (or nothing, on a first line of exactly
   three bytes) on the last. A later line shorter than four bytes or
   with another code is a protocol error. Only bytes inside the line are
   ever read. */

#define SMTP_REPLY_MORE 1      /* a '-' line: feed the next one */
#define SMTP_REPLY_DONE 0      /* the reply is complete */
#define SMTP_REPLY_BAD (-2)    /* protocol error: drop the connection */
#define SMTP_REPLY_LINES_MAX 200
#define SMTP_REPLY_TEXT_MAX 4096   /* bytes of text kept; the rest is dropped */

struct smtp_reply {
	unsigned int code;     /* e.g. 250; 0 before the first line */
	size_t lines;
	str text;              /* the lines' texts after "NNN-", joined by '\n' */
};
void smtp_reply_init(struct smtp_reply *r);     /* zeroes; call once */
void smtp_reply_reset(struct smtp_reply *r);    /* before each reply */
void smtp_reply_free(struct smtp_reply *r);
/* Feeds one line. Returns MORE, DONE, BAD, or -1 (no memory). */
int smtp_reply_line(struct smtp_reply *r, const char *line, size_t len);
/* "NNN text / text" for reports and logs: control bytes become '?',
   lines are joined with " / ", at most max bytes. Appends to out. */
int smtp_reply_summary(const struct smtp_reply *r, str *out, size_t max);

/* The ESMTP extensions announced in a reply to EHLO (one keyword per
   line after the first, case-insensitive). */
struct smtp_ehlo {
	int pipelining, eightbitmime, starttls, size;
	unsigned long long size_max;   /* SIZE's argument; 0 = none given */
};
void smtp_ehlo_parse(const struct smtp_reply *r, struct smtp_ehlo *e);
#endif
