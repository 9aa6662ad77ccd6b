#ifndef TERN_SMTPROUTES_H
#define TERN_SMTPROUTES_H
#include <stddef.h>
#include "str.h"

/* control/smtproutes with qmail's semantics. Items (as read by
   control_read_list) are "domain:relay[:port]": domain is an exact
   domain, ".suffix" for every domain below suffix, or empty for all
   domains (a smarthost). The first match in the order exact domain,
   then each ".suffix" from the longest, then "" wins. relay is a host
   name, "[ip]" (IPv4 or IPv6 literal) or empty: use the MX records. */
struct smtproute {
	char host[256];        /* "" = MX lookup; no brackets for a literal */
	int literal;           /* host is an IP address */
	unsigned int port;     /* 25 unless given */
};
/* 1 a route matched (r filled), 0 none. Malformed items never match. */
int smtproutes_find(const str *items, const char *domain, size_t len, struct smtproute *r);
/* The generic lookup behind smtproutes_find, shared with
   control/tlsdestinations and control/relayauth: the value (after the
   first ':') of the best item for domain in that order, *vlen bytes, or
   NULL. A key containing ':' cannot be written, so keys are domains or
   host names. */
const char *smtproutes_lookup(const str *items, const char *domain, size_t len, size_t *vlen);
/* Parses one item's relay part ("host", "host:port", "[ip]:port", "").
   1 ok, 0 malformed. */
int smtproutes_parse_relay(const char *s, size_t len, struct smtproute *r);
#endif
