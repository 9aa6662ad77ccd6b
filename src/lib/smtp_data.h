#ifndef TERN_SMTP_DATA_H
#define TERN_SMTP_DATA_H
#include <stddef.h>

/* The DATA state machine (RFC 5321 4.1.1.4, 4.5.2): finds the end of the
   message, undoes dot-stuffing and turns CR LF into LF (the queue holds
   LF line ends, as qmail's does). The end is CR LF . CR LF and nothing
   else; a CR not followed by LF or a LF not preceded by CR ("bare") is
   remembered so the caller can refuse the message after reading to the
   real end (SMTP smuggling defence, DESIGN.md §6). Works on any split
   of the input. */
struct smtp_data {
	int state;
	unsigned long long size;   /* message bytes produced so far */
	size_t linelen;            /* bytes of the current line on the wire */
	size_t maxline;            /* wire bytes per line incl. CR LF; 0 = no limit */
	int bare;                  /* a bare CR or LF was seen */
	int longline;              /* a line was longer than maxline */
	int nul;                   /* a NUL byte was seen (never legal in
	                              7BIT or 8BITMIME text, RFC 6152) */
	int done;                  /* the terminating CR LF . CR LF was read */
};

void smtp_data_init(struct smtp_data *d, size_t maxline);
/* Consumes bytes of in (len of them) and appends the message bytes to out,
   which must have room for len + 1 bytes; *outlen is set to how many.
   Returns how many input bytes were consumed: all of them, or fewer when
   the end was reached (then d->done is 1 and the rest is not message). */
size_t smtp_data_feed(struct smtp_data *d, const char *in, size_t len,
                      char *out, size_t *outlen);
#endif
