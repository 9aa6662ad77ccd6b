#ifndef TERN_POLICY_H
#define TERN_POLICY_H
#include <stddef.h>
#include "str.h"

/* The SMTP access policy protocol of Postfix's policy delegation, which
   greylisting and SPF servers already speak (doc/policy.md): a request is
   "name=value" lines ended by an empty line; the reply is one
   "action=..." line, then an empty line. The session is kept open for
   more requests. Both parsers work on bytes in memory and say how many
   they used, so a caller can feed them from a non-blocking socket. */

#define POLICY_BAD (-2)
#define POLICY_LINE_MAX 2048       /* one attribute line, newline included */
#define POLICY_ATTRS_MAX 64        /* attributes in one request */
#define POLICY_REQUEST_MAX 32768   /* one whole request */

struct policy_attr {
	const char *name, *value;     /* into the parsed bytes, not NUL-terminated */
	size_t nlen, vlen;
};
struct policy_request {
	struct policy_attr a[POLICY_ATTRS_MAX];
	size_t n;
};

/* One request from buf[0..len). 1: whole, *used its length; 0: a valid
   beginning, read more; POLICY_BAD: a line without '=', an empty name, a
   NUL, too many attributes, a line or request over its ceiling. */
int policy_request_parse(const char *buf, size_t len, struct policy_request *r, size_t *used);
/* The value of the last attribute called name (NUL-terminated), or NULL. */
const char *policy_get(const struct policy_request *r, const char *name, size_t *len);

/* Encoding a request: value bytes that would break the framing (CR, LF,
   NUL) become '?', and a value is cut to fit POLICY_LINE_MAX. 0 or -1. */
int policy_put(str *out, const char *name, const char *value, size_t vlen);
int policy_puts(str *out, const char *name, const char *value);
int policy_end(str *out);

/* One reply from buf[0..len): its action (the value of "action=") into
   action. Returns as policy_request_parse; a reply without an action
   line is POLICY_BAD. */
int policy_reply_parse(const char *buf, size_t len, str *action, size_t *used);
/* Encoding a reply (server side). 0 or -1. */
int policy_reply(str *out, const char *action);

/* What an action means for the SMTP server. */
enum policy_verdict {
	POLICY_DUNNO,        /* no opinion: go on (DUNNO, DEFER_IF_REJECT, WARN, PREPEND) */
	POLICY_OK,           /* accepted here: ask no further policy at this stage */
	POLICY_DEFER,        /* 4xx reply in text */
	POLICY_REJECT,       /* 5xx reply in text */
	POLICY_DISCONNECT,   /* 421 reply in text, then close */
	POLICY_ERROR         /* not understood: 451 4.3.5 in text, as Postfix does */
};
/* Turns an action (Postfix's access(5) words, case-insensitive: OK,
   DUNNO, REJECT [text], DEFER [text], DEFER_IF_PERMIT [text],
   DEFER_IF_REJECT, WARN text, PREPEND header, or "4NN text"/"5NN text")
   into a verdict and, for replies, the SMTP reply line without CRLF in
   text, with an enhanced status code added when the text has none.
   For WARN and PREPEND the rest of the action goes to extra (for the log
   or the header). 0 or -1 (no memory). */
int policy_action(const char *action, size_t len, enum policy_verdict *v, str *text, str *extra);
#endif
