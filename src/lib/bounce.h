#ifndef TERN_BOUNCE_H
#define TERN_BOUNCE_H
#include <stddef.h>
#include <time.h>
#include "str.h"
/* RFC 3464 delivery status notifications (DESIGN.md §9, doc/bounces.md).
   bounce_compose builds the whole message (headers and body, LF line
   endings, as queue-inject takes it); the caller chooses the envelope
   (empty sender; the original sender or doublebounceto as recipient). */

/* One failed recipient. text is the spawner's report text, e.g.
   "remote=mx.example[192.0.2.1] 550 5.1.1 no such user" or
   "5.1.1 no such user"; control characters in it become spaces. */
struct bounce_rcpt {
	const char *addr;
	size_t len;
	const char *orcpt;          /* DSN ORCPT as given ("rfc822;x"), or NULL */
	const char *text;
	size_t text_len;
};

struct bounce {
	const char *me;             /* Reporting-MTA and Message-ID host */
	const char *from;           /* From: address, e.g. MAILER-DAEMON@host */
	const char *to;             /* To: address */
	const char *envid;          /* DSN ENVID, or NULL */
	time_t arrival;             /* when the original was queued */
	time_t now;
	unsigned long long id;      /* original's queue id (boundary, Message-ID) */
	const char *msg;            /* the original message, or its beginning */
	size_t msg_len;
	int headers_only;           /* include only its header (RET=HDRS or too big) */
	size_t nrcpt;
	const struct bounce_rcpt *rcpt;
};

/* Appends the bounce message to out. 0 or -1 (no memory). */
int bounce_compose(str *out, const struct bounce *b);

/* What a failure text says, for the report fields. */
struct bounce_text {
	const char *remote;         /* host from "remote=host[ip] ", or NULL */
	size_t remote_len;
	const char *diag;           /* the rest: the reply or local text */
	size_t diag_len;
	int smtp;                   /* diag starts with a 3-digit SMTP reply code */
	char status[16];            /* x.y.z found in the text, else 5.0.0/4.0.0 */
};
void bounce_parse_text(const char *text, size_t len, struct bounce_text *t);

/* Length of the header section of msg (through the empty line ending
   it, or through the last whole line if msg holds no empty line). */
size_t bounce_header_len(const char *msg, size_t len);
#endif
