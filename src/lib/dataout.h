#ifndef TERN_DATAOUT_H
#define TERN_DATAOUT_H
#include <stddef.h>
#include "str.h"

/* The SMTP DATA encoder of relay-remote (DESIGN.md §8). Message bytes
   are fed in any chunks; line endings are normalised first (CR LF stays,
   a bare CR or a bare LF becomes CR LF), then lines starting with '.'
   get a second '.'. dataout_finish ends the last line if needed and
   appends exactly one ". CR LF", so the output never holds a bare CR or
   LF and the end marker cannot be forged by the message. */
struct dataout {
	int bol;         /* at the beginning of an output line */
	int cr;          /* the last input byte was CR (already sent as CR LF) */
	int eightbit;    /* a byte >= 0x80 was seen */
};
void dataout_init(struct dataout *d);
/* Appends the encoded form of in[0..len) to out. 0 or -1 (no memory). */
int dataout_feed(struct dataout *d, const char *in, size_t len, str *out);
/* Appends the end: CR LF if the last line is open, then ".\r\n". */
int dataout_finish(struct dataout *d, str *out);
/* Does buf hold a byte >= 0x80? */
int dataout_has_8bit(const char *buf, size_t len);
#endif
