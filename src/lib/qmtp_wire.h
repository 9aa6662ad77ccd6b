#ifndef TERN_QMTP_WIRE_H
#define TERN_QMTP_WIRE_H
#include <stddef.h>
#include "smtp_cmd.h"
#include "str.h"

/* The wire formats of QMTP (cr.yp.to/proto/qmtp.txt) and QMQP
   (cr.yp.to/proto/qmqp.html) that do not need a connection: responses
   both ways, envelope addresses, and the client's package pieces, so a
   server (qmtpd, qmqpd) and a client (qmqp-send, a QMTP relay) share them.
   Pure functions on caller-supplied bytes. */

#define QMTP_PORT 209
#define QMQP_PORT 628
#define QMTP_RESPONSE_MAX 1024   /* what a client reads of one response */

/* A response from an SMTP-style reply "<code> <x.y.z> <text>" (the form
   tern's receivers use everywhere): K for 2xx, Z for 4xx, D for 5xx, the
   text, then " (#x.y.z)" (the only place QMTP allows '#'; a '#' in the
   text becomes '_'), all as one netstring appended to out. 0 or -1. */
int qmtp_response_cat(str *out, const char *smtp_reply);

/* The kind of a response's interpretation: 'K', 'Z' or 'D', or 0 if it
   is empty or starts with another byte (the client then treats it as a
   temporary failure, as for any response it did not get). */
char qmtp_response_kind(const char *s, size_t len);

/* An envelope address as QMTP and QMQP carry it (raw "local@domain", no
   brackets, no quoting) parsed with smtpd's own path parser and limits:
   a local part that needs quoting in SMTP is quoted first, so p->quoted
   is set as it would be for the same address over SMTP, and the relay
   policy treats both alike. Control characters are SMTP_PATH_SYNTAX.
   SMTP_PATH_OK, SMTP_PATH_SYNTAX, SMTP_PATH_TOO_LONG, or -1 (no memory).
   tmp is scratch space. */
int qmtp_address_parse(const char *a, size_t len, struct smtp_path *p, str *tmp);

/* Client side. A QMTP package is netstring(marker + message) netstring(sender)
   netstring(netstring(rcpt)...); a QMQP package is netstring(netstring(message)
   netstring(sender) netstring(rcpt)...). The message itself is streamed by the
   caller; these build everything around it.
   qmtp_envelope_cat appends the sender and the recipient list (rcpts:
   NUL-terminated addresses, nrcpt of them) of a QMTP package;
   qmqp_envelope_cat appends the sender and the recipients of a QMQP
   package; qmqp_head_cat appends the outer length and the message's own
   length prefix for a message of msglen bytes whose envelope part
   (qmqp_envelope_cat's output, without the final ',') is envlen bytes.
   Each 0 or -1. */
int qmtp_envelope_cat(str *out, const char *sender, size_t slen, const char *rcpts, size_t nrcpt);
int qmqp_envelope_cat(str *out, const char *sender, size_t slen, const char *rcpts, size_t nrcpt);
int qmqp_head_cat(str *out, unsigned long long msglen, unsigned long long envlen);
#endif
