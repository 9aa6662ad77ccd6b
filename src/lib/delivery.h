#ifndef TERN_DELIVERY_H
#define TERN_DELIVERY_H
#include <stddef.h>
#include <sys/stat.h>
#include "dotqmail.h"
#include "str.h"

/* The steps of one local delivery that deliver-local and local-spawn's
   in-process Maildir path share (doc/deliver-local.md): entering and
   checking the home, the Delivered-To loop check, and delivering to a
   Maildir or mbox line, creating a missing mailbox inside a home that
   belongs to the recipient without following symbolic links. They run
   as the recipient. Each step answers a delivery code and, unless OK, a
   reply text in why ("<enhanced code> <text>", no newline). */

enum delivery_code { DELIVERY_OK = 0, DELIVERY_PERM = 100, DELIVERY_TEMP = 111 };

struct delivery {
	/* set by the caller before delivery_start */
	const char *user, *home, *local, *domain, *sender;
	int msgfd;                    /* the message is bytes [0, msglen) of msgfd */
	unsigned long long msglen;
	int allow_group;              /* control/allowgroupwritable: group-writable home and files are fine */
	/* set by delivery_start */
	str recipient;                /* local@domain (NUL-terminated) */
	str head;                     /* RPLINE then DTLINE */
	size_t rpline_len;
	int owns_home;                /* the home is the recipient's: missing mailboxes may be made */
	int homefd;                   /* the home, opened when a mailbox must be made; -1 before */
};

void delivery_init(struct delivery *d);
void delivery_free(struct delivery *d);

/* chdir to the home and check it: world-writable (4.7.0), group-writable
   unless allow_group (4.7.0), sticky (4.2.1, qmail's "user is editing
   .qmail files") are temporary failures. Builds recipient and head. */
enum delivery_code delivery_start(struct delivery *d, str *why);

/* The loop check: PERM (5.4.6) when the message's header already says
   "Delivered-To: <recipient>", TEMP when it cannot be read, else OK. */
enum delivery_code delivery_looped(struct delivery *d, str *why);

/* A .qmail or .forward file (st from fstat) may be obeyed: not
   world-writable, not group-writable unless allow_group (TEMP 4.7.0). */
enum delivery_code delivery_file_safe(const struct delivery *d, const struct stat *st,
                                      const char *path, str *why);

/* Delivers head + message to the Maildir (kind DOTQMAIL_MAILDIR) or
   mbox (DOTQMAIL_MBOX) path, NUL-terminated, relative to the home or
   absolute. A missing one is made when it lies inside the home and the
   home belongs to the recipient (else TEMP 4.2.0); a symbolic link on
   the way of a creation, or a path leaving the home, is TEMP 4.7.0.
   Every failure is temporary (qmail's rule: nothing is lost while an
   admin fixes it); EDQUOT gives 4.2.2. */
enum delivery_code delivery_file(struct delivery *d, enum dotqmail_kind kind, const char *path,
                                 str *why);
#endif
