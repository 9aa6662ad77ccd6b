#ifndef TERN_TLSPOLICY_H
#define TERN_TLSPOLICY_H
#include <stddef.h>
#include "str.h"

/* control/tlsdestinations: relay-remote's outgoing TLS policy per
   recipient domain (doc/relay-remote.md). Items "domain:policy" are
   looked up like smtproutes (exact domain, then ".suffix" from the
   longest, then "" for all). policy is one level, then options
   separated by spaces:
     none      never STARTTLS
     may       STARTTLS when offered, certificate not checked (default)
     encrypt   TLS required, certificate not checked
     verify    TLS required, chain and host name checked
     pin=sha256:<hex|base64>[,sha256:...]   TLS required, leaf key pinned
   option "cleartext-auth": SMTP AUTH may be sent without TLS. */
enum tlspolicy_level {
	TLSPOLICY_NONE, TLSPOLICY_MAY, TLSPOLICY_ENCRYPT, TLSPOLICY_VERIFY, TLSPOLICY_PIN
};
#define TLSPOLICY_PINS_MAX 1024

struct tlspolicy {
	enum tlspolicy_level level;
	int cleartext_auth;
	char pins[TLSPOLICY_PINS_MAX];   /* for PIN: "sha256:..,sha256:.." */
};

/* Parses one policy value of len bytes. 1 ok, 0 malformed. */
int tlspolicy_parse(const char *s, size_t len, struct tlspolicy *p);
/* The policy for domain from the items (control_read_list format).
   1 an item matched, 0 none (p is the default: may), -1 the matching
   item is malformed (p is then unusable: the caller must not deliver
   rather than guess a weaker policy). */
int tlspolicy_find(const str *items, const char *domain, size_t len, struct tlspolicy *p);
/* "none", "may", "encrypt", "verify" or "pin". */
const char *tlspolicy_name(enum tlspolicy_level level);
#endif
