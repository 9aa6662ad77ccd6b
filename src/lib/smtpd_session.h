#ifndef TERN_SMTPD_SESSION_H
#define TERN_SMTPD_SESSION_H
#include <stddef.h>
#include "buffer.h"
#include "smtp_cmd.h"
#include "str.h"

/* One ESMTP server session (DESIGN.md §6), from the greeting to QUIT,
   on the buffers it is given. Everything that touches the world beyond
   the two buffers (queue-inject, checkpassword, the TLS provider, the
   recipient database, the log) goes through hooks, so smtpd-recv and the
   fuzz harness run the same code. doc/smtpd-recv.md lists every reply. */

struct smtpd_config {
	const char *greeting;          /* control/smtpgreeting (default me) */
	const char *me;                /* control/me */
	unsigned long long databytes;  /* 0 = no limit */
	unsigned long maxrcpt;         /* >= 100 */
	unsigned int timeout;          /* seconds per read or write */
	size_t linelength;             /* text line limit incl. CR LF */
	const str *badmailfrom;        /* NUL-separated; may be empty */
	const char *remoteip, *remotehost, *remoteinfo;
	const char *localip, *proto;   /* TCPLOCALIP, PROTO (TCP or TCP6); may be NULL */
	const char *relayclient;       /* NULL: not a relay client */
	int tls_possible;              /* a UCSPI-TLS provider is there */
	int tls_active;                /* already in TLS (e.g. SMTPS) */
	const char *tls_info;          /* "<protocol> <cipher>" if known */
	int auth_program;              /* control/authprogram exists */
	int auth_insecure;             /* SMTPAUTH_INSECURE=1 */
	int auth_required;             /* AUTH_REQUIRED=1 */
	int starttls_required;         /* STARTTLS_REQUIRED=1 */
	int greet_delay_ms;            /* wait this long for early talkers */
	int lax_pipelining;            /* no network peer (sendmail -bs): skip
	                                  the early-talker and pipelining checks */
};

struct smtpd_hooks {
	void *ctx;
	/* Is the input fd readable within wait_ms (0: right now)? 1 or 0. */
	int (*input_pending)(void *ctx, int wait_ms);
	/* 1 the recipient domain is accepted (rcpthosts), 0 not, -1 temp. */
	int (*rcpthosts)(void *ctx, const char *domain, size_t len);
	/* 1 local (by locals/virtualdomains), 0 remote, -1 temp. */
	int (*is_local)(void *ctx, const char *addr, size_t len);
	/* 1 deliverable, 0 unknown, -1 temp (recipient_deliverable). */
	int (*deliverable)(void *ctx, const char *addr, size_t len);
	/* queue-inject: start (0 or -1), message bytes (0 or -1), and either
	   finish with the envelope records (doc/queue.md, each ending in NUL,
	   without the final empty record), which returns the SMTP reply for
	   the outcome ("250 2.0.0 ok" when queued, see qinject_reply), or
	   abort (nothing is queued). */
	int (*inject_start)(void *ctx);
	int (*inject_put)(void *ctx, const char *s, size_t len);
	const char *(*inject_finish)(void *ctx, const char *env, size_t len);
	void (*inject_abort)(void *ctx);
	/* checkpassword: 0 good, 1 bad, -1 temporary trouble. */
	int (*auth_check)(void *ctx, const char *user, size_t ulen,
	                  const char *pass, size_t plen);
	/* STARTTLS: 0 with the new cleartext fds and info set, -1 failed
	   (the session then ends: the peer is in an unknown state). */
	int (*starttls)(void *ctx, int *rfd, int *wfd, str *info);
	/* One finished log line (key=value pairs, no newline). */
	void (*log)(void *ctx, str *line);
	/* Sleeps (after a failed AUTH). */
	void (*pause)(void *ctx, unsigned int seconds);
};

/* How a session ended (the program's exit code follows from it). */
#define SMTPD_END_QUIT 0       /* QUIT or end of input */
#define SMTPD_END_DROP 1       /* we closed: timeout, protocol violation */
#define SMTPD_END_ERROR 2      /* an I/O or memory error */

int smtpd_session_run(const struct smtpd_config *cfg, const struct smtpd_hooks *hooks,
                      int rfd, int wfd);
#endif
