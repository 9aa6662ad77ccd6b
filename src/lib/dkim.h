#ifndef TERN_DKIM_H
#define TERN_DKIM_H
#include <stddef.h>
#include "str.h"

/* The parts of a DKIM signer (RFC 6376) that need no key: which header
   fields to sign, the h= list, the data that is hashed for b=, and the
   DKIM-Signature field itself. src/dkim-sign.c adds the key and I/O. */

#define DKIM_FIELDS_MAX 10000      /* header fields of one message */

/* One header field of the message: bytes [off, off+len) of the header
   text, name first, folded lines and final line end included. */
struct dkim_field { size_t off, len; };

/* Whether a field named name (len bytes, any case) is one tern signs. */
int dkim_name_signed(const char *name, size_t len);

/* The h= list for these fields: each signed field's name, lower case, in
   the order the fields come, joined by ':', then "from" once more, so
   that a From field added later breaks the signature. 0 or -1. */
int dkim_hlist(str *out, const char *head, const struct dkim_field *f, size_t n);

/* Appends the header data that b= signs: for each name of hlist in turn,
   the relaxed form of the last field of that name not yet taken (none:
   nothing), as a verifier picks them (RFC 6376 5.4.2). 0 or -1. */
int dkim_signed_headers(str *out, const char *head, const struct dkim_field *f, size_t n,
                        const char *hlist, size_t hlen);

struct dkim_sig {
	const char *domain;          /* d= */
	const char *selector;        /* s= */
	unsigned long long time;     /* t= */
	const char *hlist;           /* h=, NUL-terminated */
	const char *bh;              /* base64 body hash, NUL-terminated */
	const char *b;               /* base64 signature; "" while signing */
};
/* Appends the DKIM-Signature field, folded, with LF line ends (tern's
   queue form). Its length depends only on the lengths of the parts, so a
   field made with placeholders of the final lengths is exactly as long as
   the final one. 0 or -1. */
int dkim_sig_field(str *out, const struct dkim_sig *s);
#endif
