#ifndef TERN_RECIPIENT_H
#define TERN_RECIPIENT_H
#include <stddef.h>
#include <sys/types.h>
#include "str.h"

/* Local recipients: who delivers a local address, and would it be
   accepted. Shared by local-spawn (to deliver) and smtpd-recv (to refuse
   unknown recipients at RCPT, so tern never accepts what it would bounce).
   Programs call these after control_chdir_home(). */

struct recipient {
	str user;     /* account whose uid delivers */
	uid_t uid;
	gid_t gid;
	str home;     /* its home directory */
	str dash;     /* "-" when an extension follows, else "" */
	str ext;      /* the extension: the rest of the local part */
	int alias;    /* 1 if delivered by the tern-alias user (aliases, catch-all) */
};
void recipient_init(struct recipient *r);
void recipient_free(struct recipient *r);

/* Resolves a local part (the part before the last '@' after virtualdomains
   rewriting) as qmail-getpw and qmail-users do, plus /etc/aliases and the
   tern-alias catch-all; the order is documented in doc/local-spawn.md.
   1 found (r filled), 0 no such recipient, -1 temporary error (errno). */
int recipient_resolve(const char *local, size_t len, struct recipient *r);

/* Classification of a whole envelope address by control/locals and
   control/virtualdomains. Returns RECIPIENT_LOCAL (with the local part to
   resolve, after virtualdomains rewriting, in local_out), RECIPIENT_REMOTE,
   or -1 on a temporary error. */
#define RECIPIENT_REMOTE 0
#define RECIPIENT_LOCAL 1
int recipient_classify(const char *addr, size_t len, str *local_out);

/* For smtpd-recv: would a local address be delivered rather than bounced?
   Checks recipient_resolve and, for an extension, that a matching
   .qmail-ext or -default file exists (when the home is readable).
   1 deliverable, 0 unknown (550 5.1.1), -1 temporary error (451). */
int recipient_deliverable(const char *addr, size_t len);

/* Added by local delivery (doc/local-spawn.md). The str fields of a
   resolved recipient are NUL-terminated (len excludes the NUL). */
#define RECIPIENT_ALIAS_USER "tern-alias"     /* home <auto_home>/alias */
#define RECIPIENT_ALIASES_CDB "users/aliases.cdb"
#define RECIPIENT_USERNAME_MAX 32             /* as qmail-getpw */

/* The targets of an aliases.cdb entry for a local part (looked up
   lower-cased): NUL-terminated items into targets (doc/newaliases.md).
   1 found, 0 not, -1 error. */
int recipient_alias_targets(const char *local, size_t len, str *targets);

/* For a resolved recipient: is there something to deliver to? Always 1
   without an extension; else an aliases.cdb entry (alias user) or a
   matching .qmail-ext / -default file; 1 also when the home cannot be
   read. 1, 0 (none), -1 temporary error. */
int recipient_has_instructions(const struct recipient *r);
#endif
