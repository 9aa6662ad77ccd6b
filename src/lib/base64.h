#ifndef TERN_BASE64_H
#define TERN_BASE64_H
#include <stddef.h>
#include "str.h"
/* RFC 4648 base64 decoding, strict: only the alphabet, '=' padding at
   the end, length a multiple of 4. Replaces out's contents.
   0 ok, -1 malformed (errno EINVAL) or no memory (ENOMEM). */
int base64_decode(const char *in, size_t len, str *out);
/* Appends the base64 encoding of in[0..len) to out (no line breaks).
   0, or -1 (ENOMEM). */
int base64_encode(str *out, const char *in, size_t len);
#endif
