#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include "date822.h"
#include "hopcount.h"
#include "logline.h"
#include "smtp_data.h"
#include "smtpd_internal.h"

/* Copies a client-supplied name into a header comment safely: only
   printable ASCII and space, and none of the bytes that end a comment
   or the header line. */
static int cat_safe(str *x, const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7e || c == '(' || c == ')' || c == '\\' || c == ';')
			c = '_';
		if (str_catc(x, (char)c) < 0) return -1;
	}
	return 0;
}

static const char *protocol(const struct smtpd *s)
{
	static const char *const names[2][2][2] = {
		{ { "ESMTP", "ESMTPA" }, { "ESMTPS", "ESMTPSA" } },
		{ { "UTF8SMTP", "UTF8SMTPA" }, { "UTF8SMTPS", "UTF8SMTPSA" } },
	};
	if (!s->esmtp) return s->tls ? "SMTPS" : "SMTP";
	return names[s->smtputf8 != 0][s->tls != 0][s->authed != 0];
}

/* The Received: line (RFC 5321 4.4), LF line ends like the rest of the
   queued message. */
static int received(struct smtpd *s, str *x)
{
	const struct smtpd_config *c = s->cfg;
	char date[DATE822_LEN];
	time_t now = time(NULL);
	x->len = 0;
	if (str_cats(x, "Received: from ") < 0 || cat_safe(x, s->helo.s, s->helo.len) < 0) return -1;
	if (str_cats(x, " (") < 0) return -1;
	if (c->remotehost && *c->remotehost &&
	    (cat_safe(x, c->remotehost, strlen(c->remotehost)) < 0 || str_catc(x, ' ') < 0)) return -1;
	if (c->remoteinfo && *c->remoteinfo &&
	    (str_cats(x, "ident=") < 0 || cat_safe(x, c->remoteinfo, strlen(c->remoteinfo)) < 0 ||
	     str_catc(x, ' ') < 0)) return -1;
	if (str_catc(x, '[') < 0 || cat_safe(x, c->remoteip, strlen(c->remoteip)) < 0) return -1;
	if (str_catv(x, "])\n\tby ", c->me, " with ", protocol(s), " id ", NULL) < 0) return -1;
	if (str_catnum(x, (unsigned long long)getpid()) < 0 || str_catc(x, '.') < 0 ||
	    str_catnum(x, (unsigned long long)now) < 0) return -1;
	if (s->tls && s->tlsinfo.len) {
		if (str_cats(x, "\n\t(") < 0 || cat_safe(x, s->tlsinfo.s, s->tlsinfo.len) < 0 ||
		    str_catc(x, ')') < 0) return -1;
	}
	if (s->authed) {
		if (str_cats(x, "\n\t(authenticated user ") < 0 ||
		    cat_safe(x, s->authuser.s, s->authuser.len) < 0 || str_catc(x, ')') < 0) return -1;
	}
	date822_fmt(date, now);
	return str_catv(x, ";\n\t", date, "\n", NULL);
}

struct transfer {
	struct smtp_data d;
	struct hopcount hops;
	int injecting;     /* queue-inject still gets the bytes */
	int toobig;
	int failed;
};

static void stop_injecting(struct smtpd *s, struct transfer *t)
{
	if (t->injecting) s->h->inject_abort(s->h->ctx);
	t->injecting = 0;
}

/* Reads the message up to CR LF . CR LF. 0 at the end, -1 if the
   session ends (injection already aborted). */
static int transfer(struct smtpd *s, struct transfer *t)
{
	while (!t->d.done) {
		ssize_t r = buffer_feed(&s->in);
		size_t used, out;
		if (r <= 0) {
			stop_injecting(s, t);
			if (r < 0 && errno == ETIMEDOUT)
				smtpd_drop(s, "421 4.4.2 timeout, closing connection", "timeout");
			else if (r < 0) s->end = SMTPD_END_ERROR;
			else { smtpd_log_start(s, "eof"); smtpd_log_emit(s); s->end = SMTPD_END_QUIT; }
			return -1;
		}
		used = smtp_data_feed(&t->d, buffer_peek(&s->in), (size_t)r, s->data, &out);
		buffer_skip(&s->in, used);
		hopcount_feed(&t->hops, s->data, out);
		if (t->d.bare || t->d.nul || t->d.longline || t->hops.hops >= HOPCOUNT_MAX)
			stop_injecting(s, t);
		if (s->cfg->databytes && t->d.size > s->cfg->databytes) {
			t->toobig = 1;
			stop_injecting(s, t);
		}
		if (t->injecting && out && s->h->inject_put(s->h->ctx, s->data, out) < 0) {
			t->failed = 1;
			stop_injecting(s, t);
		}
	}
	return 0;
}

/* RFC 2920: after the final dot the client waits for our reply. Bytes
   already there are a desync attempt, except a lone pipelined QUIT,
   which common clients send and which cannot smuggle anything. */
static int pipelined_after_dot(struct smtpd *s)
{
	size_t held;
	if (s->cfg->lax_pipelining) return 0;
	if (buffer_held(&s->in) == 0) {
		if (s->h->input_pending(s->h->ctx, 0) <= 0) return 0;
		if (buffer_feed(&s->in) <= 0) return 0;
	}
	held = buffer_held(&s->in);
	return !(held == 6 && strncasecmp(buffer_peek(&s->in), "QUIT\r\n", 6) == 0);
}

/* The reply once the whole message has been read. */
static const char *verdict(struct smtpd *s, struct transfer *t)
{
	if (t->d.bare) return "554 5.6.0 message refused: bare CR or LF in the data (RFC 5321 2.3.8)";
	if (t->d.nul) return "554 5.6.0 message refused: NUL byte in the data";
	if (t->d.longline) return "554 5.6.0 message refused: a line is longer than the limit";
	if (t->toobig) return "552 5.3.4 message exceeds the size limit";
	if (t->hops.hops >= HOPCOUNT_MAX) return "554 5.4.6 too many hops, this message is looping";
	if (t->failed) return "451 4.3.0 cannot write to the queue";
	t->injecting = 0;
	return s->h->inject_finish(s->h->ctx, s->env.s, s->env.len);
}

static void data_log(struct smtpd *s, struct transfer *t, const char *reply)
{
	smtpd_log_start(s, "data");
	logline_kvnum(&s->log, "rcpts", s->nrcpt);
	logline_kvnum(&s->log, "size", t->d.size);
	logline_kv(&s->log, "reply", reply, strlen(reply) > 9 ? 9 : strlen(reply));
	smtpd_log_emit(s);
}

static int data_begin(struct smtpd *s, struct transfer *t)
{
	if (s->h->inject_start(s->h->ctx) < 0) {
		smtpd_reply(s, "451 4.3.0 cannot start queue-inject");
		return -1;
	}
	t->injecting = 1;
	if (received(s, &s->tmp) < 0 || s->h->inject_put(s->h->ctx, s->tmp.s, s->tmp.len) < 0) {
		stop_injecting(s, t);
		smtpd_reply(s, "451 4.3.0 cannot write to the queue");
		return -1;
	}
	smtpd_reply(s, "354 go ahead, end with <CR><LF>.<CR><LF>");
	return smtpd_flush(s);
}

void smtpd_do_data(struct smtpd *s, const char *arg, size_t len)
{
	struct transfer t;
	const char *reply;
	if (len) { smtpd_reply(s, "501 5.5.4 DATA takes no arguments"); return; }
	if (!s->in_mail) { smtpd_reply(s, "503 5.5.1 need MAIL before DATA"); return; }
	if (!s->nrcpt) { smtpd_reply(s, "554 5.5.1 no valid recipients"); return; }
	if (smtpd_pending(s)) {
		smtpd_drop(s, "554 5.5.0 pipelining after DATA is not allowed", "pipelined-data");
		return;
	}
	memset(&t, 0, sizeof t);
	smtp_data_init(&t.d, s->cfg->linelength);
	hopcount_init(&t.hops);
	if (data_begin(s, &t) < 0 || transfer(s, &t) < 0) {
		smtpd_transaction_reset(s);
		return;
	}
	if (pipelined_after_dot(s)) {
		stop_injecting(s, &t);
		data_log(s, &t, "554");
		smtpd_drop(s, "554 5.5.0 pipelining after the end of data is not allowed", "pipelined-dot");
		return;
	}
	reply = verdict(s, &t);
	data_log(s, &t, reply);
	smtpd_reply(s, reply);
	smtpd_transaction_reset(s);
}
