#ifndef TERN_HOPCOUNT_H
#define TERN_HOPCOUNT_H
#include <stddef.h>
/* Counts "Received:" and "Delivered-To:" header fields (any case) in the
   header section of a message fed in pieces with LF line ends, as qmail
   does to stop mail loops (RFC 5321 6.3). */
#define HOPCOUNT_MAX 100
struct hopcount {
	int in_body;        /* the empty line was seen */
	int line_start;     /* the next byte starts a line */
	size_t matched;     /* bytes of a field name matched so far */
	int which;          /* 0 Received, 1 Delivered-To, -1 no match */
	unsigned long hops;
};
void hopcount_init(struct hopcount *h);
void hopcount_feed(struct hopcount *h, const char *s, size_t len);
#endif
