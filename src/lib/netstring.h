#ifndef TERN_NETSTRING_H
#define TERN_NETSTRING_H
#include <stddef.h>
#include "buffer.h"
#include "str.h"

/* Netstrings (cr.yp.to/proto/netstrings.txt): "[len]:[bytes]," where len
   is the decimal length of the bytes. Strict: len is one or more ASCII
   digits without leading zeros ("0:," is the empty string, "01:" is
   refused), at most NETSTRING_DIGITS_MAX digits, never larger than the
   caller's ceiling, and the comma is required. The ceiling is checked
   as each digit arrives, so nothing is allocated or read for a length
   that is too big, and no arithmetic can overflow. The framing of QMTP
   and QMQP (qmtp_wire.h) is built on this module, both directions. */

#define NETSTRING_DIGITS_MAX 18   /* < 10^18: no overflow in 64 bits */

enum netstring_status {
	NETSTRING_OK = 0,
	NETSTRING_MORE,      /* the input ended inside a netstring (memory parsing) */
	NETSTRING_EOF,       /* end of input (stream reading) */
	NETSTRING_IO,        /* read error or time-out: errno says which */
	NETSTRING_SYNTAX,    /* not a netstring: bad digit, leading zero, no ':', no ',', or
	                        longer than the netstring that encloses it */
	NETSTRING_TOOBIG     /* the length is over the ceiling (or has too many digits) */
};

/* The length parser, one byte at a time. */
struct netstring_len {
	unsigned long long value;
	unsigned int digits;
};
void netstring_len_init(struct netstring_len *p);
/* Feeds the next byte of "[len]:". NETSTRING_MORE (a digit taken),
   NETSTRING_OK (the ':' ended it; p->value is the length), SYNTAX or
   TOOBIG (value > max). */
enum netstring_status netstring_len_byte(struct netstring_len *p, unsigned char c,
                                         unsigned long long max);

/* Parses one netstring at the start of s[0..len). OK: *payload and *plen
   are its interpretation, *used the bytes it took. MORE: s is a proper
   prefix of an acceptable netstring. SYNTAX, TOOBIG: refused. */
enum netstring_status netstring_parse(const char *s, size_t len, unsigned long long max,
                                      const char **payload, size_t *plen, size_t *used);

/* Reading from a stream. `left` bounds the reads to the netstring that
   encloses them: every byte read is counted off, a length whose bytes and
   comma would not fit is SYNTAX, a read past it is SYNTAX.
   NETSTRING_UNBOUNDED means no enclosing netstring. If flush is set, it
   is flushed before any read that would block, so replies that are due
   never wait for more input (QMTP section 2). */
#define NETSTRING_UNBOUNDED ((unsigned long long)-1)
struct netstring_in {
	buffer *b;
	unsigned long long left;
	buffer *flush;
};
/* "[len]:" with len <= max. */
enum netstring_status netstring_read_len(struct netstring_in *in, unsigned long long max,
                                         unsigned long long *len);
enum netstring_status netstring_read_comma(struct netstring_in *in);
/* Some of the next want bytes (want > 0): *p points at *n of them inside
   the buffer (1 <= *n <= want), already counted off and consumed. */
enum netstring_status netstring_read_some(struct netstring_in *in, unsigned long long want,
                                          const char **p, size_t *n);
/* Exactly n bytes appended to out (the caller has checked n against its
   own limit: out grows by n). */
enum netstring_status netstring_read_bytes(struct netstring_in *in, size_t n, str *out);
/* Reads and drops n bytes. */
enum netstring_status netstring_skip(struct netstring_in *in, unsigned long long n);
/* A whole netstring of at most max bytes into out (replaced). TOOBIG
   leaves the payload unread. */
enum netstring_status netstring_read(struct netstring_in *in, size_t max, str *out);

/* Encoding. Each appends to out; 0 or -1 (no memory). */
int netstring_cat(str *out, const char *s, size_t len);
/* Just "[len]:", for a payload the caller writes itself, then ','. */
int netstring_cat_len(str *out, unsigned long long len);
/* The size of the encoding of a payload of len bytes. */
unsigned long long netstring_size(unsigned long long len);
#endif
