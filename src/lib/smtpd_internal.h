#ifndef TERN_SMTPD_INTERNAL_H
#define TERN_SMTPD_INTERNAL_H
/* Private to the smtpd_*.c modules: the state of one session. */
#include "smtp_cmd.h"
#include "smtpd_session.h"
#include "str.h"

#define SMTPD_IOBUF 8192
#define SMTPD_AUTH_LINE_MAX 12288   /* RFC 4954 4 */
#define SMTPD_ERRORS_MAX 30         /* syntax errors before we hang up */
#define SMTPD_CONTINUE (-1)

struct smtpd {
	const struct smtpd_config *cfg;
	const struct smtpd_hooks *h;
	buffer in, out;
	char inspace[SMTPD_IOBUF];
	char outspace[SMTPD_IOBUF];
	char data[SMTPD_IOBUF + 1];   /* DATA output chunk */
	str line;                     /* the current command line */
	str helo;
	int seen_helo, esmtp;
	int tls;
	str tlsinfo;
	int authed;
	str authuser;
	int relay;                    /* RELAYCLIENT or AUTH */
	/* the transaction */
	int in_mail;
	int smtputf8;
	unsigned long nrcpt;
	str env;                      /* envelope records so far */
	struct smtp_path path;
	str tmp, tmp2;
	str log;
	int errors;
	int end;                      /* SMTPD_CONTINUE or SMTPD_END_* */
};

/* smtpd_session.c */
void smtpd_reply(struct smtpd *s, const char *text);
void smtpd_drop(struct smtpd *s, const char *text, const char *reason);
int smtpd_flush(struct smtpd *s);
int smtpd_pending(struct smtpd *s);
void smtpd_transaction_reset(struct smtpd *s);
void smtpd_log_start(struct smtpd *s, const char *event);
void smtpd_log_emit(struct smtpd *s);
/* Reads one line (CR LF or LF stripped) of at most max bytes.
   1 line, 0 too long (already answered), or the session ends. */
int smtpd_line_read(struct smtpd *s, str *line, size_t max);
/* smtpd_envelope.c */
void smtpd_do_mail(struct smtpd *s, const char *arg, size_t len);
void smtpd_do_rcpt(struct smtpd *s, const char *arg, size_t len);
/* smtpd_message.c */
void smtpd_do_data(struct smtpd *s, const char *arg, size_t len);
/* smtpd_auth.c */
int smtpd_auth_offered(const struct smtpd *s);
void smtpd_do_auth(struct smtpd *s, const char *arg, size_t len);
void smtpd_do_starttls(struct smtpd *s, const char *arg, size_t len);
#endif
