#ifndef TERN_ENVELOPE_POLICY_H
#define TERN_ENVELOPE_POLICY_H
#include <stddef.h>
#include "smtp_cmd.h"
#include "str.h"

/* Which envelope addresses a network receiver accepts: qmail's relay
   rules plus tern's recipient validation (DESIGN.md §6), apart from any
   protocol, so SMTP, QMTP and QMQP apply the very same policy. Answers
   are SMTP replies with enhanced codes ("550 5.7.1 relaying denied");
   QMTP turns them into K/Z/D responses (qmtp_wire.h). smtpd-recv's
   MAIL/RCPT code (src/lib/smtpd_envelope.c) has the same rules and can
   call these. */

struct envelope_policy {
	void *ctx;
	/* 1 the domain is in rcpthosts, 0 not, -1 temporary trouble. */
	int (*rcpthosts)(void *ctx, const char *domain, size_t len);
	/* 1 local (locals/virtualdomains), 0 remote, -1 temporary. */
	int (*is_local)(void *ctx, const char *addr, size_t len);
	/* 1 deliverable, 0 unknown, -1 temporary (recipient_deliverable). */
	int (*deliverable)(void *ctx, const char *addr, size_t len);
	const char *me;            /* appended to a recipient without a domain */
	int relay;                 /* the client may relay (RELAYCLIENT or AUTH) */
	const char *relayclient;   /* RELAYCLIENT's value, appended to every recipient; may be NULL */
	const str *badmailfrom;    /* NUL-separated; NULL or empty: none */
};

/* The sender p (already parsed): NULL if accepted, else the reply
   (badmailfrom: 553 5.7.1). */
const char *envelope_policy_sender(const struct envelope_policy *e, const struct smtp_path *p);

/* The recipient p (already parsed, not empty): NULL if accepted, else
   the reply. p->addr may be rewritten ("@me" added to postmaster or, for
   a relay client, to any address without a domain; RELAYCLIENT appended).
   A remote domain needs relay or rcpthosts; a local address must be
   deliverable; a relaying form (%, !, quotes) is refused from a client
   that may not relay. */
const char *envelope_policy_recipient(const struct envelope_policy *e, struct smtp_path *p);

/* The replies for a path that did not parse (smtp_path_parse's code). */
const char *envelope_policy_bad_sender(int parse_result);
const char *envelope_policy_bad_recipient(int parse_result);
#endif
