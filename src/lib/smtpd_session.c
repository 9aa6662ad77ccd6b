#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "line.h"
#include "logline.h"
#include "smtpd_internal.h"

/* Replies are buffered and flushed before the next blocking read, so
   a pipelined group gets its replies in one write (RFC 2920). */
void smtpd_reply(struct smtpd *s, const char *text)
{
	if (s->end != SMTPD_CONTINUE && s->end != SMTPD_END_DROP) return;
	if (buffer_puts(&s->out, text) < 0 || buffer_put(&s->out, "\r\n", 2) < 0)
		s->end = SMTPD_END_ERROR;
	/* Syntax errors: a client that makes many is not an SMTP client. */
	if (text[0] == '5' && (text[1] == '0' || (text[1] == '5' && text[2] == '5'))
	    && ++s->errors > SMTPD_ERRORS_MAX && s->end == SMTPD_CONTINUE)
		smtpd_drop(s, "421 4.7.0 too many errors, closing connection", "errors");
}

int smtpd_flush(struct smtpd *s)
{
	if (buffer_flush(&s->out) < 0) { s->end = SMTPD_END_ERROR; return -1; }
	return 0;
}

void smtpd_drop(struct smtpd *s, const char *text, const char *reason)
{
	s->end = SMTPD_END_DROP;
	smtpd_reply(s, text);
	smtpd_log_start(s, "drop");
	logline_kvs(&s->log, "reason", reason);
	logline_kv(&s->log, "reply", text, 3);
	smtpd_log_emit(s);
}

int smtpd_pending(struct smtpd *s)
{
	if (s->cfg->lax_pipelining) return 0;
	return buffer_held(&s->in) > 0 || s->h->input_pending(s->h->ctx, 0) > 0;
}

void smtpd_log_start(struct smtpd *s, const char *event)
{
	s->log.len = 0;
	logline_kvs(&s->log, "event", event);
	logline_kvnum(&s->log, "pid", (unsigned long long)getpid());
	logline_kvs(&s->log, "ip", s->cfg->remoteip);
}

void smtpd_log_emit(struct smtpd *s)
{
	s->h->log(s->h->ctx, &s->log);
	s->log.len = 0;
}

void smtpd_transaction_reset(struct smtpd *s)
{
	s->in_mail = 0;
	s->smtputf8 = 0;
	s->nrcpt = 0;
	s->env.len = 0;
}

int smtpd_line_read(struct smtpd *s, str *line, size_t max)
{
	int r;
	if (buffer_held(&s->in) == 0 && smtpd_flush(s) < 0) return -1;
	r = line_read(&s->in, line, '\n', max);
	if (r == -1) {
		if (errno == ETIMEDOUT) smtpd_drop(s, "421 4.4.2 timeout, closing connection", "timeout");
		else s->end = SMTPD_END_ERROR;
		return -1;
	}
	if (r == 0) {
		smtpd_log_start(s, "eof");
		smtpd_log_emit(s);
		s->end = SMTPD_END_QUIT;
		return -1;
	}
	if (r == LINE_TOO_LONG) {
		smtpd_reply(s, "500 5.5.2 line too long");
		return 0;
	}
	line->len--;
	if (line->len && line->s[line->len - 1] == '\r') line->len--;
	return 1;
}

static void do_helo(struct smtpd *s, int ehlo, const char *arg, size_t len)
{
	size_t n = 0;
	while (n < len && arg[n] != ' ') n++;
	if (n == 0) { smtpd_reply(s, "501 5.5.4 syntax: EHLO hostname"); return; }
	if (n > SMTP_DOMAIN_MAX) n = SMTP_DOMAIN_MAX;
	if (str_copyb(&s->helo, arg, n) < 0) { s->end = SMTPD_END_ERROR; return; }
	s->seen_helo = 1;
	s->esmtp = ehlo;
	smtpd_transaction_reset(s);
	smtpd_log_start(s, "helo");
	logline_kvs(&s->log, "verb", ehlo ? "EHLO" : "HELO");
	logline_kv(&s->log, "helo", s->helo.s, s->helo.len);
	smtpd_log_emit(s);
	if (!ehlo) {
		buffer_putsv(&s->out, "250 ", s->cfg->me, "\r\n", NULL);
		return;
	}
	buffer_putsv(&s->out, "250-", s->cfg->me, "\r\n250-PIPELINING\r\n", NULL);
	buffer_puts(&s->out, "250-SIZE");
	if (s->cfg->databytes) {
		buffer_put(&s->out, " ", 1);
		buffer_putnum(&s->out, s->cfg->databytes);
	}
	buffer_puts(&s->out, "\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250-SMTPUTF8\r\n250-DSN\r\n");
	if (s->cfg->tls_possible && !s->tls) buffer_puts(&s->out, "250-STARTTLS\r\n");
	if (smtpd_auth_offered(s)) buffer_puts(&s->out, "250-AUTH PLAIN LOGIN\r\n");
	smtpd_reply(s, "250 HELP");
}

static void dispatch(struct smtpd *s)
{
	const char *arg;
	size_t len;
	enum smtp_verb v;
	if (smtp_cmd_has_control(s->line.s, s->line.len)) {
		smtpd_reply(s, "501 5.5.2 control character in command");
		return;
	}
	v = smtp_cmd_verb(s->line.s, s->line.len, &arg, &len);
	switch (v) {
	case SMTP_HELO: do_helo(s, 0, arg, len); break;
	case SMTP_EHLO: do_helo(s, 1, arg, len); break;
	case SMTP_MAIL: smtpd_do_mail(s, arg, len); break;
	case SMTP_RCPT: smtpd_do_rcpt(s, arg, len); break;
	case SMTP_DATA: smtpd_do_data(s, arg, len); break;
	case SMTP_RSET:
		smtpd_transaction_reset(s);
		smtpd_reply(s, "250 2.0.0 ok");
		break;
	case SMTP_NOOP: smtpd_reply(s, "250 2.0.0 ok"); break;
	case SMTP_VRFY:
		smtpd_reply(s, "252 2.1.5 cannot VRFY user, but will accept message and attempt delivery");
		break;
	case SMTP_EXPN: smtpd_reply(s, "502 5.5.1 EXPN not available"); break;
	case SMTP_HELP:
		smtpd_reply(s, "214 2.0.0 commands: EHLO HELO MAIL RCPT DATA RSET NOOP VRFY HELP QUIT STARTTLS AUTH");
		break;
	case SMTP_STARTTLS: smtpd_do_starttls(s, arg, len); break;
	case SMTP_AUTH: smtpd_do_auth(s, arg, len); break;
	case SMTP_QUIT:
		buffer_putsv(&s->out, "221 2.0.0 ", s->cfg->me, " closing connection\r\n", NULL);
		smtpd_log_start(s, "quit");
		smtpd_log_emit(s);
		s->end = SMTPD_END_QUIT;
		break;
	default: smtpd_reply(s, "500 5.5.1 command not recognized");
	}
}

/* Bytes before the greeting mark a client that does not wait for the
   server (spam software, or a desync attempt): refuse it. */
static int greet(struct smtpd *s)
{
	if (!s->cfg->lax_pipelining && s->h->input_pending(s->h->ctx, s->cfg->greet_delay_ms) > 0) {
		ssize_t r = buffer_feed(&s->in);
		if (r == 0) { s->end = SMTPD_END_QUIT; return -1; }
		if (r > 0) {
			smtpd_drop(s, "554 5.5.0 client sent data before the greeting", "early-talker");
			return -1;
		}
	}
	buffer_putsv(&s->out, "220 ", s->cfg->greeting, " ESMTP\r\n", NULL);
	return 0;
}

static void session_free(struct smtpd *s)
{
	str_free(&s->line); str_free(&s->helo); str_free(&s->tlsinfo);
	str_free(&s->authuser); str_free(&s->env); str_free(&s->tmp);
	str_free(&s->tmp2); str_free(&s->log);
	smtp_path_free(&s->path);
	free(s);
}

int smtpd_session_run(const struct smtpd_config *cfg, const struct smtpd_hooks *hooks,
                      int rfd, int wfd)
{
	struct smtpd *s = calloc(1, sizeof *s);
	int end;
	if (!s) return SMTPD_END_ERROR;
	s->cfg = cfg;
	s->h = hooks;
	s->end = SMTPD_CONTINUE;
	buffer_init(&s->in, rfd, s->inspace, sizeof s->inspace);
	buffer_init(&s->out, wfd, s->outspace, sizeof s->outspace);
	s->in.timeout = s->out.timeout = (int)cfg->timeout;
	s->tls = cfg->tls_active;
	if (cfg->tls_info) str_copys(&s->tlsinfo, cfg->tls_info);
	s->relay = cfg->relayclient != NULL;
	smtpd_log_start(s, "connect");
	if (cfg->remotehost) logline_kvs(&s->log, "host", cfg->remotehost);
	if (cfg->localip) logline_kvs(&s->log, "local", cfg->localip);
	if (cfg->proto) logline_kvs(&s->log, "proto", cfg->proto);
	logline_kvs(&s->log, "relay", s->relay ? "yes" : "no");
	smtpd_log_emit(s);
	if (greet(s) == 0)
		while (s->end == SMTPD_CONTINUE) {
			int r = smtpd_line_read(s, &s->line, SMTP_LINE_MAX);
			if (r > 0) dispatch(s);
		}
	if (s->end != SMTPD_END_ERROR) smtpd_flush(s);
	end = s->end;
	session_free(s);
	return end;
}
