#ifndef TERN_DKIM_CANON_H
#define TERN_DKIM_CANON_H
#include <stddef.h>
#include "str.h"

/* DKIM "relaxed" canonicalization (RFC 6376 3.4.2 and 3.4.4), for the
   signer. Input lines may end in LF (tern's queue form) or CRLF; output
   lines always end in CRLF, as the RFC defines them. */

/* One header field, name first, folded lines and its final line end
   included: appends "name:value\r\n" with the name lower-cased, the
   value unfolded, runs of spaces and tabs made one space, and spaces
   around the colon and at both ends of the value removed. 0 or -1
   (ENOMEM). */
int dkim_canon_header(str *out, const char *field, size_t len);

/* The body, fed in pieces of any size. Runs of spaces and tabs within a
   line become one space, spaces and tabs at line ends go, and empty
   lines at the end of the body go; a non-empty body ends in CRLF.
   Output goes to emit(ctx, bytes, len) as it is decided. */
struct dkim_body {
	void (*emit)(void *ctx, const char *s, size_t len);
	void *ctx;
	unsigned long long empty_lines;  /* empty lines held back */
	int wsp;       /* spaces or tabs held back */
	int content;   /* this line has had something but WSP */
	int cr;        /* a CR held back: a line end if LF follows */
	int any;       /* anything emitted at all */
};
void dkim_body_init(struct dkim_body *b, void (*emit)(void *, const char *, size_t), void *ctx);
void dkim_body_feed(struct dkim_body *b, const char *s, size_t len);
void dkim_body_end(struct dkim_body *b);
#endif
