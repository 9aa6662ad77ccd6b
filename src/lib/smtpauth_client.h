#ifndef TERN_SMTPAUTH_CLIENT_H
#define TERN_SMTPAUTH_CLIENT_H
#include <stddef.h>
#include "netio.h"
#include "smtp_reply.h"
#include "str.h"

/* SMTP AUTH as a client (RFC 4954), PLAIN or LOGIN, for relay-remote
   talking to a smarthost. Credentials come from control/relayauth:
   items "host:user:password" looked up like smtproutes (the relay host
   as named in smtproutes, "[ip]" for a literal, ".suffix", or "" for
   any); the user ends at the second ':', the password is the rest (it
   may contain ':'). */
#define SMTPAUTH_PLAIN 1
#define SMTPAUTH_LOGIN 2

struct smtpauth_cred {
	char user[256];
	char pass[512];
};

/* 1 found (c filled), 0 none, -1 the matching item is malformed. */
int smtpauth_cred_find(const str *items, const char *host, size_t len, struct smtpauth_cred *c);
/* Wipes the credentials (and nothing else). */
void smtpauth_cred_wipe(struct smtpauth_cred *c);
/* The mechanisms tern can use among those an EHLO reply offers
   ("AUTH PLAIN LOGIN ..." or the old "AUTH=..."): SMTPAUTH_* bits. */
int smtpauth_offered(const struct smtp_reply *ehlo);
/* Runs AUTH with PLAIN if offered, else LOGIN. 0: r holds the final
   reply (235 success, else the refusal); -1 connection lost or a
   protocol error. Secrets are wiped from every buffer used. */
int smtpauth_run(struct netio *io, int mechs, const struct smtpauth_cred *c, struct smtp_reply *r);
/* Appends the base64 form of in[0..len) (RFC 4648, padded). 0 or -1. */
int smtpauth_base64(str *out, const char *in, size_t len);
#endif
