#ifndef TERN_DTLINE_H
#define TERN_DTLINE_H
#include <stddef.h>

/* Loop detection for local delivery (qmail-local): does the header of a
   message (up to its first empty line) hold "Delivered-To: <rcpt>"?
   Case-insensitive, spaces and tabs after the colon and spaces, tabs
   and a CR at the end ignored; one physical line at a time (a folded
   field is not joined, as qmail). A line longer than DTLINE_LINE_MAX
   bytes cannot be ours and is skipped. Fed in pieces of any size, so a
   caller can read the message in chunks; no allocation. */
#define DTLINE_LINE_MAX 2048
enum dtline_state { DTLINE_MORE, DTLINE_FOUND, DTLINE_END };
struct dtline {
	const char *rcpt;
	size_t rcptlen;
	char line[DTLINE_LINE_MAX];
	size_t len;
	int over;                 /* the current line is too long to be ours */
	enum dtline_state state;
};
void dtline_init(struct dtline *s, const char *rcpt, size_t rcptlen);
/* Feeds the next len bytes. DTLINE_MORE: feed more; DTLINE_FOUND: the
   line is there; DTLINE_END: the header ended without it. Once FOUND or
   END, further calls change nothing. */
enum dtline_state dtline_feed(struct dtline *s, const char *buf, size_t len);
/* The message ended (a last header line without a newline counts):
   FOUND or END. */
enum dtline_state dtline_finish(struct dtline *s);
#endif
