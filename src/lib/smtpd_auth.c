#include <string.h>
#include "base64.h"
#include "logline.h"
#include "smtpd_internal.h"

/* AUTH (RFC 4954, PLAIN RFC 4616, LOGIN) and STARTTLS (RFC 3207) over a
   UCSPI-TLS provider. Passwords are checked by the checkpassword hook
   and never logged. */

int smtpd_auth_offered(const struct smtpd *s)
{
	return s->cfg->auth_program && (s->tls || s->cfg->auth_insecure);
}

/* Reads one base64 response into out. 0 ok, -1 after replying or when
   the session ends. */
static int auth_response(struct smtpd *s, const char *prompt, str *out)
{
	int r;
	smtpd_reply(s, prompt);
	r = smtpd_line_read(s, &s->line, SMTPD_AUTH_LINE_MAX);
	if (r < 0) return -1;
	if (r == 0) return -1;  /* "500 5.5.2 line too long" already sent */
	if (s->line.len == 1 && s->line.s[0] == '*') {
		smtpd_reply(s, "501 5.0.0 authentication cancelled");
		return -1;
	}
	if (base64_decode(s->line.s, s->line.len, out) < 0) {
		smtpd_reply(s, "501 5.5.2 malformed base64");
		return -1;
	}
	return 0;
}

static int decode_initial(struct smtpd *s, const char *ir, size_t len, str *out)
{
	if (len == 1 && ir[0] == '=') { out->len = 0; return 0; }  /* RFC 4954: empty */
	if (base64_decode(ir, len, out) < 0) {
		smtpd_reply(s, "501 5.5.2 malformed base64");
		return -1;
	}
	return 0;
}

/* PLAIN: [authzid] NUL authcid NUL passwd. Into tmp (user) and tmp2 (pass). */
static int auth_plain(struct smtpd *s, const char *ir, size_t irlen)
{
	str *x = &s->tmp2;
	const char *u, *p;
	size_t ulen;
	if (ir ? decode_initial(s, ir, irlen, x) < 0 : auth_response(s, "334 ", x) < 0) return -1;
	u = memchr(x->s ? x->s : "", 0, x->len);
	if (!u || !(p = memchr(u + 1, 0, x->len - (size_t)(u + 1 - x->s)))) {
		smtpd_reply(s, "501 5.5.2 malformed PLAIN response");
		return -1;
	}
	u++;
	ulen = (size_t)(p - u);
	/* Acting as someone else is not supported. */
	if (u - 1 != x->s && ((size_t)(u - 1 - x->s) != ulen || memcmp(x->s, u, ulen))) {
		smtpd_reply(s, "535 5.7.8 authorization identity refused");
		return -1;
	}
	if (str_copyb(&s->tmp, u, ulen) < 0) return -1;
	p++;
	memmove(x->s, p, x->len - (size_t)(p - x->s));
	x->len -= (size_t)(p - x->s);
	return 0;
}

static int auth_login(struct smtpd *s, const char *ir, size_t irlen)
{
	if (ir ? decode_initial(s, ir, irlen, &s->tmp) < 0
	       : auth_response(s, "334 VXNlcm5hbWU6", &s->tmp) < 0) return -1;
	return auth_response(s, "334 UGFzc3dvcmQ6", &s->tmp2);
}

static void auth_verdict(struct smtpd *s)
{
	const char *reply;
	int r;
	if (s->tmp.len == 0 || memchr(s->tmp.s, 0, s->tmp.len) || memchr(s->tmp2.s ? s->tmp2.s : "", 0, s->tmp2.len))
		r = 1;
	else
		r = s->h->auth_check(s->h->ctx, s->tmp.s, s->tmp.len, s->tmp2.s ? s->tmp2.s : "", s->tmp2.len);
	if (s->tmp2.s) memset(s->tmp2.s, 0, s->tmp2.a);
	s->tmp2.len = 0;
	if (r == 0) {
		s->authed = s->relay = 1;
		if (str_copy(&s->authuser, &s->tmp) < 0) { s->end = SMTPD_END_ERROR; return; }
		reply = "235 2.7.0 authentication successful";
	} else if (r == 1) {
		/* Slows down password guessing. */
		s->h->pause(s->h->ctx, 2);
		reply = "535 5.7.8 authentication credentials invalid";
	} else {
		reply = "454 4.7.0 temporary authentication failure";
	}
	smtpd_log_start(s, "auth");
	logline_kv(&s->log, "user", s->tmp.s, s->tmp.len);
	logline_kv(&s->log, "reply", reply, 9);
	smtpd_log_emit(s);
	smtpd_reply(s, reply);
}

void smtpd_do_auth(struct smtpd *s, const char *arg, size_t len)
{
	size_t m = 0;
	const char *ir = NULL;
	size_t irlen = 0;
	int r;
	if (s->cfg->starttls_required && !s->tls) {
		smtpd_reply(s, "530 5.7.0 must issue a STARTTLS command first");
		return;
	}
	if (!smtpd_auth_offered(s)) { smtpd_reply(s, "503 5.5.1 AUTH not available"); return; }
	if (!s->seen_helo) { smtpd_reply(s, "503 5.5.1 send EHLO first"); return; }
	if (s->authed) { smtpd_reply(s, "503 5.5.1 already authenticated"); return; }
	if (s->in_mail) { smtpd_reply(s, "503 5.5.1 AUTH not allowed during a mail transaction"); return; }
	while (m < len && arg[m] != ' ') m++;
	if (m < len) { ir = arg + m + 1; irlen = len - m - 1; }
	s->tmp.len = s->tmp2.len = 0;
	if (smtp_word_is(arg, m, "PLAIN")) r = auth_plain(s, ir, irlen);
	else if (smtp_word_is(arg, m, "LOGIN")) r = auth_login(s, ir, irlen);
	else { smtpd_reply(s, "504 5.5.4 unrecognized authentication type"); return; }
	if (r == 0) auth_verdict(s);
	if (s->tmp2.s) memset(s->tmp2.s, 0, s->tmp2.a);
}

void smtpd_do_starttls(struct smtpd *s, const char *arg, size_t len)
{
	int rfd, wfd;
	if (len) { smtpd_reply(s, "501 5.5.4 STARTTLS takes no arguments"); return; }
	if (s->tls) { smtpd_reply(s, "503 5.5.1 already in TLS"); return; }
	if (!s->cfg->tls_possible) { smtpd_reply(s, "502 5.5.1 STARTTLS not available"); return; }
	/* CVE-2011-0411: cleartext sent after STARTTLS must never be read
	   as if it came through TLS. */
	if (smtpd_pending(s)) {
		smtpd_drop(s, "554 5.5.0 pipelining after STARTTLS is not allowed", "pipelined-starttls");
		return;
	}
	smtpd_reply(s, "220 2.0.0 ready to start TLS");
	if (smtpd_flush(s) < 0) return;
	if (s->h->starttls(s->h->ctx, &rfd, &wfd, &s->tlsinfo) < 0) {
		smtpd_log_start(s, "tls-failed");
		smtpd_log_emit(s);
		s->end = SMTPD_END_ERROR;
		return;
	}
	buffer_init(&s->in, rfd, s->inspace, sizeof s->inspace);
	buffer_init(&s->out, wfd, s->outspace, sizeof s->outspace);
	s->in.timeout = s->out.timeout = (int)s->cfg->timeout;
	s->tls = 1;
	/* RFC 3207 4.2: forget everything learnt before TLS. */
	s->seen_helo = s->esmtp = 0;
	s->helo.len = 0;
	smtpd_transaction_reset(s);
	smtpd_log_start(s, "tls");
	logline_kv(&s->log, "info", s->tlsinfo.s, s->tlsinfo.len);
	smtpd_log_emit(s);
}
