#ifndef TERN_HEADERS_H
#define TERN_HEADERS_H
#include <stddef.h>
#include "str.h"

/* A small RFC 5322 header scanner, for inject (and anyone who must find
   addresses in To/Cc/Bcc). It never allocates beyond the str given. */

/* If line (len bytes, may end in LF or CRLF) starts a header field, the
   length of its name (printable ASCII but ':' and space, then ':'; "From "
   is not a field); else 0. */
size_t headers_name_len(const char *line, size_t len);

/* Whether the field starting at f (its name first) has the given name,
   ASCII case-insensitive. */
int headers_is(const char *f, size_t len, const char *name);

/* Extracts the addresses of an RFC 5322 address-list (the field's value,
   folded lines allowed): mailboxes "a@b", "Name <a@b>", "<@route:a@b>",
   groups "Name: a@b, c@d;", comments "(…)" anywhere, quoted strings.
   Quoted local parts are unquoted (qmail's internal form). Each address is
   appended to out followed by a NUL byte; empty ones (from "<>" or an
   empty group) are skipped. The parser is lenient: junk yields at worst a
   strange address, which the caller validates. Returns the number of
   addresses appended, or -1 (errno ENOMEM). */
int headers_addresses(const char *value, size_t len, str *out);
#endif
