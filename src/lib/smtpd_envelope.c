#include <string.h>
#include "control.h"
#include "logline.h"
#include "scan.h"
#include "smtpd_internal.h"

/* Parses the path after "FROM:" or "TO:". Returns the offset of the
   parameters, or 0 after replying. */
static size_t path_get(struct smtpd *s, const char *arg, size_t len,
                       const char *prefix, int mail)
{
	size_t n = smtp_cmd_prefix(arg, len, prefix), used;
	int r;
	if (n == 0) {
		smtpd_reply(s, mail ? "501 5.5.4 syntax: MAIL FROM:<address>"
		                    : "501 5.5.4 syntax: RCPT TO:<address>");
		return 0;
	}
	r = smtp_path_parse(arg + n, len - n, &s->path, &used);
	if (r == SMTP_PATH_OK) return n + used;
	if (r == SMTP_PATH_TOO_LONG)
		smtpd_reply(s, mail ? "553 5.1.7 sender address too long"
		                    : "553 5.1.3 recipient address too long");
	else if (r == SMTP_PATH_SYNTAX)
		smtpd_reply(s, mail ? "501 5.1.7 bad sender address syntax"
		                    : "501 5.1.3 bad recipient address syntax");
	else
		smtpd_reply(s, "451 4.3.0 out of memory");
	return 0;
}

static int add_record(struct smtpd *s, char type, const char *v, size_t len)
{
	if (str_catc(&s->env, type) < 0 || str_catb(&s->env, v, len) < 0 ||
	    str_cat0(&s->env) < 0) {
		/* A half-written record must never reach queue-inject. */
		smtpd_transaction_reset(s);
		smtpd_reply(s, "451 4.3.0 out of memory");
		return -1;
	}
	return 0;
}

struct mail_params {
	const char *ret, *envid;
	size_t retlen, envidlen;
	int smtputf8;
};

/* One MAIL parameter. NULL if fine, else the reply. */
static const char *mail_param(struct smtpd *s, struct mail_params *m,
                              const char *k, size_t kl, const char *v, size_t vl)
{
	unsigned long long size;
	if (smtp_word_is(k, kl, "SIZE")) {
		size_t i;
		if (!v) return "501 5.5.4 bad SIZE parameter";
		for (i = 0; i < vl; i++)
			if (v[i] < '0' || v[i] > '9') return "501 5.5.4 bad SIZE parameter";
		/* A number too big for 64 bits is too big for us. */
		if (scan_ulong(v, vl, &size) != vl ||
		    (s->cfg->databytes && size > s->cfg->databytes))
			return "552 5.3.4 message size exceeds fixed maximum message size";
	} else if (smtp_word_is(k, kl, "BODY")) {
		if (!v || (!smtp_word_is(v, vl, "7BIT") && !smtp_word_is(v, vl, "8BITMIME")))
			return "501 5.5.4 bad BODY parameter";
	} else if (smtp_word_is(k, kl, "SMTPUTF8")) {
		if (v) return "501 5.5.4 SMTPUTF8 takes no value";
		m->smtputf8 = 1;
	} else if (smtp_word_is(k, kl, "RET")) {
		if (!v || m->ret || (!smtp_word_is(v, vl, "FULL") && !smtp_word_is(v, vl, "HDRS")))
			return "501 5.5.4 bad RET parameter";
		m->ret = v; m->retlen = vl;
	} else if (smtp_word_is(k, kl, "ENVID")) {
		if (!v || m->envid || vl > SMTP_ENVID_MAX || !smtp_xtext_valid(v, vl, 0))
			return "501 5.5.4 bad ENVID parameter";
		m->envid = v; m->envidlen = vl;
	} else if (smtp_word_is(k, kl, "AUTH")) {
		/* RFC 4954 5: accepted, and not trusted. */
		if (!v || !smtp_xtext_valid(v, vl, 1)) return "501 5.5.4 bad AUTH parameter";
	} else {
		return "555 5.5.4 unsupported parameter";
	}
	return NULL;
}

static int mail_params_parse(struct smtpd *s, const char *p, size_t len, struct mail_params *m)
{
	size_t pos = 0, kl, vl;
	const char *k, *v, *err = NULL;
	int r;
	memset(m, 0, sizeof *m);
	while ((r = smtp_param_next(p, len, &pos, &k, &kl, &v, &vl)) > 0) {
		if (!s->esmtp) { err = "555 5.5.4 parameters need EHLO"; break; }
		if ((err = mail_param(s, m, k, kl, v, vl)) != NULL) break;
	}
	if (r < 0) err = "501 5.5.4 syntax error in parameters";
	if (err) { smtpd_reply(s, err); return -1; }
	return 0;
}

static int badmailfrom(struct smtpd *s)
{
	const str *list = s->cfg->badmailfrom;
	const struct smtp_path *p = &s->path;
	if (!list || !list->len || !p->addr.len) return 0;
	if (control_list_has(list, p->addr.s, p->addr.len)) return 1;
	return p->at < p->addr.len &&
	       control_list_has(list, p->addr.s + p->at, p->addr.len - p->at);
}

static void mail_log(struct smtpd *s, const char *reply)
{
	smtpd_log_start(s, "mail");
	logline_kv(&s->log, "from", s->path.addr.s, s->path.addr.len);
	logline_kv(&s->log, "reply", reply, 3);
	smtpd_log_emit(s);
	smtpd_reply(s, reply);
}

void smtpd_do_mail(struct smtpd *s, const char *arg, size_t len)
{
	struct mail_params m;
	size_t n;
	if (!s->seen_helo) { smtpd_reply(s, "503 5.5.1 send HELO or EHLO first"); return; }
	if (s->in_mail) { smtpd_reply(s, "503 5.5.1 nested MAIL command"); return; }
	if (s->cfg->starttls_required && !s->tls) {
		smtpd_reply(s, "530 5.7.0 must issue a STARTTLS command first");
		return;
	}
	if (s->cfg->auth_required && !s->authed) {
		smtpd_reply(s, "530 5.7.0 authentication required");
		return;
	}
	if ((n = path_get(s, arg, len, "FROM:", 1)) == 0) return;
	if (mail_params_parse(s, arg + n, len - n, &m) < 0) return;
	if (s->path.eightbit && !m.smtputf8) {
		mail_log(s, "553 5.6.7 non-ASCII address requires SMTPUTF8");
		return;
	}
	if (badmailfrom(s)) { mail_log(s, "553 5.7.1 sender refused"); return; }
	s->env.len = 0;
	if (add_record(s, 'F', s->path.addr.s, s->path.addr.len) < 0) return;
	if (m.envid && add_record(s, 'E', m.envid, m.envidlen) < 0) return;
	if (m.ret) {
		const char *ret = smtp_word_is(m.ret, m.retlen, "FULL") ? "FULL" : "HDRS";
		if (add_record(s, 'R', ret, 4) < 0) return;
	}
	s->in_mail = 1;
	s->smtputf8 = m.smtputf8;
	s->nrcpt = 0;
	mail_log(s, "250 2.1.0 sender ok");
}

struct rcpt_params {
	const char *notify, *orcpt;
	size_t notifylen, orcptlen;
};

static int rcpt_params_parse(struct smtpd *s, const char *p, size_t len, struct rcpt_params *rp)
{
	size_t pos = 0, kl, vl;
	const char *k, *v, *err = NULL;
	int r;
	memset(rp, 0, sizeof *rp);
	while ((r = smtp_param_next(p, len, &pos, &k, &kl, &v, &vl)) > 0) {
		if (!s->esmtp) { err = "555 5.5.4 parameters need EHLO"; break; }
		if (smtp_word_is(k, kl, "NOTIFY")) {
			if (!v || rp->notify || !smtp_notify_valid(v, vl)) { err = "501 5.5.4 bad NOTIFY parameter"; break; }
			rp->notify = v; rp->notifylen = vl;
		} else if (smtp_word_is(k, kl, "ORCPT")) {
			if (!v || rp->orcpt || vl > SMTP_ORCPT_MAX || !smtp_orcpt_valid(v, vl, s->smtputf8)) {
				err = "501 5.5.4 bad ORCPT parameter";
				break;
			}
			rp->orcpt = v; rp->orcptlen = vl;
		} else {
			err = "555 5.5.4 unsupported parameter";
			break;
		}
	}
	if (r < 0) err = "501 5.5.4 syntax error in parameters";
	if (err) { smtpd_reply(s, err); return -1; }
	return 0;
}

/* Local addresses must name a real recipient. NULL if fine. */
static const char *rcpt_local_check(struct smtpd *s, int relay_form)
{
	const str *a = &s->path.addr;
	int r = s->h->is_local(s->h->ctx, a->s, a->len);
	if (r < 0) return "451 4.3.0 temporary failure checking the recipient";
	if (r == 0)
		return relay_form && !s->relay
		       ? "553 5.7.1 relaying with %, ! or quoted local parts is refused" : NULL;
	r = s->h->deliverable(s->h->ctx, a->s, a->len);
	if (r < 0) return "451 4.3.0 temporary failure checking the recipient";
	return r ? NULL : "550 5.1.1 no such user here";
}

/* The relay policy (qmail's, plus RCPT-time validation). NULL if the
   recipient is accepted; s->path.addr may have been rewritten. */
static const char *rcpt_policy(struct smtpd *s)
{
	struct smtp_path *p = &s->path;
	int r;
	if (p->at == p->addr.len) {
		/* RFC 5321 4.5.1: "postmaster" without a domain must work. */
		if (!s->relay && !smtp_word_is(p->addr.s, p->addr.len, "postmaster"))
			return "553 5.7.1 recipient address needs a domain";
		if (str_catc(&p->addr, '@') < 0 || str_cats(&p->addr, s->cfg->me) < 0)
			return "451 4.3.0 out of memory";
		return rcpt_local_check(s, 0);
	}
	if (s->relay) {
		/* qmail semantics: RELAYCLIENT's value is appended. */
		if (s->cfg->relayclient && str_cats(&p->addr, s->cfg->relayclient) < 0)
			return "451 4.3.0 out of memory";
		return rcpt_local_check(s, 0);
	}
	r = s->h->rcpthosts(s->h->ctx, p->addr.s + p->at + 1, p->addr.len - p->at - 1);
	if (r < 0) return "451 4.3.0 temporary failure checking rcpthosts";
	if (r == 0) return "550 5.7.1 relaying denied";
	return rcpt_local_check(s, smtp_path_relay_form(p));
}

static void rcpt_log(struct smtpd *s, const char *reply)
{
	smtpd_log_start(s, "rcpt");
	logline_kv(&s->log, "to", s->path.addr.s, s->path.addr.len);
	logline_kv(&s->log, "reply", reply, strlen(reply) > 9 ? 9 : strlen(reply));
	smtpd_log_emit(s);
	smtpd_reply(s, reply);
}

void smtpd_do_rcpt(struct smtpd *s, const char *arg, size_t len)
{
	struct rcpt_params rp;
	const char *err;
	size_t n;
	if (!s->in_mail) { smtpd_reply(s, "503 5.5.1 need MAIL before RCPT"); return; }
	if (s->nrcpt >= s->cfg->maxrcpt) { smtpd_reply(s, "452 4.5.3 too many recipients"); return; }
	if ((n = path_get(s, arg, len, "TO:", 0)) == 0) return;
	if (rcpt_params_parse(s, arg + n, len - n, &rp) < 0) return;
	if (s->path.addr.len == 0) { smtpd_reply(s, "501 5.1.3 empty recipient address"); return; }
	if (s->path.eightbit && !s->smtputf8) {
		rcpt_log(s, "553 5.6.7 non-ASCII address requires SMTPUTF8");
		return;
	}
	if ((err = rcpt_policy(s)) != NULL) { rcpt_log(s, err); return; }
	if (add_record(s, 'T', s->path.addr.s, s->path.addr.len) < 0) return;
	if (rp.notify && add_record(s, 'N', rp.notify, rp.notifylen) < 0) return;
	if (rp.orcpt && add_record(s, 'O', rp.orcpt, rp.orcptlen) < 0) return;
	s->nrcpt++;
	rcpt_log(s, "250 2.1.5 recipient ok");
}
