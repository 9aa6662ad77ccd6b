#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "logline.h"
#include "qmtp_wire.h"
#include "qmtpd_internal.h"
#include "received.h"
#include "vec.h"

const char qmtpd_too_many[] = "452 4.5.3 too many recipients";

int qmtpd_init(struct qmtpd *s, const struct qmtpd_config *cfg, const struct qmtpd_hooks *h,
               const char *protocol, int rfd, int wfd)
{
	s->cfg = cfg;
	s->h = h;
	s->protocol = protocol;
	s->end = QMTPD_CONTINUE;
	buffer_init(&s->in, rfd, s->inspace, sizeof s->inspace);
	buffer_init(&s->out, wfd, s->outspace, sizeof s->outspace);
	s->in.timeout = s->out.timeout = (int)cfg->timeout;
	s->policy.ctx = h->ctx;
	s->policy.rcpthosts = h->rcpthosts;
	s->policy.is_local = h->is_local;
	s->policy.deliverable = h->deliverable;
	s->policy.me = cfg->me;
	s->policy.relay = cfg->relayclient != NULL;
	s->policy.relayclient = cfg->relayclient;
	s->policy.badmailfrom = cfg->badmailfrom;
	return 0;
}

void qmtpd_free(struct qmtpd *s)
{
	str_free(&s->env); str_free(&s->addr); str_free(&s->tmp); str_free(&s->log);
	smtp_path_free(&s->path);
	free(s->reply);
	s->reply = NULL;
}

void qmtpd_log_start(struct qmtpd *s, const char *event)
{
	s->log.len = 0;
	logline_kvs(&s->log, "event", event);
	logline_kvnum(&s->log, "pid", (unsigned long long)getpid());
	logline_kvs(&s->log, "ip", s->cfg->remoteip);
}

void qmtpd_log_emit(struct qmtpd *s)
{
	s->h->log(s->h->ctx, &s->log);
	s->log.len = 0;
}

void qmtpd_log_connect(struct qmtpd *s)
{
	const struct qmtpd_config *c = s->cfg;
	qmtpd_log_start(s, "connect");
	if (c->remotehost) logline_kvs(&s->log, "host", c->remotehost);
	if (c->localip) logline_kvs(&s->log, "local", c->localip);
	if (c->proto) logline_kvs(&s->log, "proto", c->proto);
	logline_kvs(&s->log, "relay", c->relayclient ? "yes" : "no");
	qmtpd_log_emit(s);
}

static void log_reply(struct qmtpd *s, const char *reply, size_t max)
{
	size_t n = strlen(reply);
	logline_kv(&s->log, "reply", reply, n > max ? max : n);
	qmtpd_log_emit(s);
}

static void stop_injecting(struct qmtpd *s)
{
	if (s->injecting) s->h->inject_abort(s->h->ctx);
	s->injecting = 0;
}

static void refuse_message(struct qmtpd *s, const char *reply)
{
	if (!s->fail) s->fail = reply;
	stop_injecting(s);
}

void qmtpd_package_reset(struct qmtpd *s)
{
	stop_injecting(s);
	s->crlf = s->cr = s->nul = 0;
	s->fail = NULL;
	s->size = 0;
	hopcount_init(&s->hops);
	s->env.len = 0;
	s->nrcpt = 0;
	s->naccepted = 0;
}

void qmtpd_abandon(struct qmtpd *s)
{
	stop_injecting(s);
}

static int inject_begin(struct qmtpd *s)
{
	const struct qmtpd_config *c = s->cfg;
	struct received r;
	if (s->h->inject_start(s->h->ctx) < 0) {
		refuse_message(s, "451 4.3.0 cannot start queue-inject");
		return 0;
	}
	s->injecting = 1;
	memset(&r, 0, sizeof r);
	r.remotehost = c->remotehost;
	r.remoteinfo = c->remoteinfo;
	r.remoteip = c->remoteip;
	r.me = c->me;
	r.protocol = s->protocol;
	if (received_format(&s->tmp, &r, (unsigned long long)getpid(), time(NULL)) < 0 ||
	    s->h->inject_put(s->h->ctx, s->tmp.s, s->tmp.len) < 0)
		refuse_message(s, "451 4.3.0 cannot write to the queue");
	return 0;
}

/* Checks and passes on n decoded bytes in s->data. */
static void message_put(struct qmtpd *s, size_t n)
{
	if (!n) return;
	s->size += n;
	if (!s->nul && memchr(s->data, 0, n)) {
		s->nul = 1;
		refuse_message(s, "554 5.6.0 message refused: NUL byte in the data");
	}
	hopcount_feed(&s->hops, s->data, n);
	if (s->hops.hops >= HOPCOUNT_MAX)
		refuse_message(s, "554 5.4.6 too many hops, this message is looping");
	if (s->cfg->databytes && s->size > s->cfg->databytes)
		refuse_message(s, "552 5.3.4 message exceeds the size limit");
	if (s->injecting && s->h->inject_put(s->h->ctx, s->data, n) < 0)
		refuse_message(s, "451 4.3.0 cannot write to the queue");
}

/* Encoding #1 turns CR LF into LF; any other CR stays. At most two bytes
   out per byte in, so n <= sizeof data / 2. */
static size_t decode(struct qmtpd *s, const char *p, size_t n)
{
	size_t i, out = 0;
	if (!s->crlf) {
		memcpy(s->data, p, n);
		return n;
	}
	for (i = 0; i < n; i++) {
		if (s->cr) {
			s->cr = 0;
			if (p[i] != '\n') s->data[out++] = '\r';
		}
		if (p[i] == '\r') { s->cr = 1; continue; }
		s->data[out++] = p[i];
	}
	return out;
}

enum netstring_status qmtpd_message(struct qmtpd *s, struct netstring_in *in,
                                    unsigned long long len, int crlf, int inject)
{
	s->crlf = crlf;
	if (inject) inject_begin(s);
	while (len > 0) {
		const char *p;
		size_t n;
		enum netstring_status r = netstring_read_some(in, len < sizeof s->data / 2 ? len : sizeof s->data / 2,
		                                              &p, &n);
		if (r != NETSTRING_OK) return r;
		len -= n;
		message_put(s, decode(s, p, n));
	}
	if (s->cr) {
		s->cr = 0;
		s->data[0] = '\r';
		message_put(s, 1);
	}
	return NETSTRING_OK;
}

/* One address netstring into s->addr; *toolong if it was skipped. */
static enum netstring_status address_read(struct qmtpd *s, struct netstring_in *in, int *toolong)
{
	unsigned long long len;
	enum netstring_status r = netstring_read_len(in, QMTPD_ENVELOPE_MAX, &len);
	if (r != NETSTRING_OK) return r;
	s->addr.len = 0;
	*toolong = len > QMTPD_ADDRESS_READ_MAX;
	r = *toolong ? netstring_skip(in, len) : netstring_read_bytes(in, (size_t)len, &s->addr);
	return r != NETSTRING_OK ? r : netstring_read_comma(in);
}

static int record(struct qmtpd *s, char type)
{
	return str_catc(&s->env, type) < 0 || str_catb(&s->env, s->path.addr.s, s->path.addr.len) < 0 ||
	       str_cat0(&s->env) < 0 ? -1 : 0;
}

enum netstring_status qmtpd_sender(struct qmtpd *s, struct netstring_in *in, int check)
{
	const char *reply = NULL;
	int toolong, r;
	enum netstring_status st = address_read(s, in, &toolong);
	if (st != NETSTRING_OK || !check) return st;
	r = toolong ? SMTP_PATH_TOO_LONG : qmtp_address_parse(s->addr.s, s->addr.len, &s->path, &s->tmp);
	if (r != SMTP_PATH_OK) reply = envelope_policy_bad_sender(r);
	else reply = envelope_policy_sender(&s->policy, &s->path);
	if (!reply && record(s, 'F') < 0) reply = "451 4.3.0 out of memory";
	qmtpd_log_start(s, "mail");
	logline_kv(&s->log, "from", s->addr.s, s->addr.len);
	log_reply(s, reply ? reply : "250 2.1.0 sender ok", 3);
	if (reply) refuse_message(s, reply);
	return NETSTRING_OK;
}

static const char *recipient_check(struct qmtpd *s, int toolong)
{
	int r;
	if (toolong) return envelope_policy_bad_recipient(SMTP_PATH_TOO_LONG);
	if (s->addr.len == 0) return "501 5.1.3 empty recipient address";
	if (s->naccepted >= s->cfg->maxrcpt) return qmtpd_too_many;
	r = qmtp_address_parse(s->addr.s, s->addr.len, &s->path, &s->tmp);
	if (r != SMTP_PATH_OK) return envelope_policy_bad_recipient(r);
	return envelope_policy_recipient(&s->policy, &s->path);
}

enum netstring_status qmtpd_recipient(struct qmtpd *s, struct netstring_in *in, int check)
{
	const char *reply = NULL;
	int toolong;
	enum netstring_status st = address_read(s, in, &toolong);
	if (st != NETSTRING_OK) return st;
	if (s->nrcpt >= QMTPD_RCPT_HARD) return NETSTRING_TOOBIG;
	if (VEC_READY(s->reply, s->arcpt, s->nrcpt + 1) < 0) { errno = ENOMEM; return NETSTRING_IO; }
	if (check) {
		reply = recipient_check(s, toolong);
		if (!reply && record(s, 'T') < 0) reply = "451 4.3.0 out of memory";
		qmtpd_log_start(s, "rcpt");
		logline_kv(&s->log, "to", reply ? s->addr.s : s->path.addr.s, reply ? s->addr.len : s->path.addr.len);
		log_reply(s, reply ? reply : "250 2.1.5 recipient ok", 9);
	}
	s->reply[s->nrcpt++] = reply;
	if (check && !reply) s->naccepted++;
	return NETSTRING_OK;
}

const char *qmtpd_finish(struct qmtpd *s)
{
	const char *reply;
	if (s->naccepted == 0) {
		stop_injecting(s);
		reply = NULL;
	} else if (s->fail) {
		stop_injecting(s);
		reply = s->fail;
	} else if (!s->injecting) {
		reply = "451 4.3.0 cannot write to the queue";
	} else {
		s->injecting = 0;
		reply = s->h->inject_finish(s->h->ctx, s->env.s, s->env.len);
	}
	qmtpd_log_data(s, reply ? reply : "554 5.5.1 no valid recipients");
	return reply;
}

void qmtpd_log_data(struct qmtpd *s, const char *reply)
{
	qmtpd_log_start(s, "data");
	logline_kvnum(&s->log, "rcpts", s->naccepted);
	logline_kvnum(&s->log, "size", s->size);
	log_reply(s, reply, 9);
}

/* After a fatal response: the client may still be sending; reading what
   it sends (bounded) before closing keeps the kernel from answering it
   with a reset that could destroy the response in flight. */
static void drain(struct qmtpd *s)
{
	size_t total = 0;
	if (shutdown(s->out.fd, SHUT_WR) < 0) { /* not a socket (tests): fine */ }
	s->in.timeout = s->cfg->timeout < 10 ? (int)s->cfg->timeout : 10;
	buffer_skip(&s->in, buffer_held(&s->in));
	while (total < QMTPD_DRAIN_MAX) {
		ssize_t r = buffer_feed(&s->in);
		if (r <= 0) break;
		total += (size_t)r;
		buffer_skip(&s->in, (size_t)r);
	}
}

void qmtpd_stop(struct qmtpd *s, enum netstring_status r, const char *toobig_reply, const char *what)
{
	const char *reply, *reason;
	int e = errno;     /* abandoning reaps queue-inject, which may change it */
	qmtpd_abandon(s);
	errno = e;
	if (r == NETSTRING_EOF) {
		qmtpd_log_start(s, "eof");
		qmtpd_log_emit(s);
		s->end = QMTPD_END_OK;
		return;
	}
	if (r == NETSTRING_IO && errno != ETIMEDOUT && errno != ENOMEM) {
		s->end = QMTPD_END_ERROR;
		return;
	}
	if (r == NETSTRING_IO) {
		reply = errno == ENOMEM ? "451 4.3.0 out of memory" : "451 4.4.2 timeout, closing connection";
		reason = errno == ENOMEM ? "memory" : "timeout";
	} else if (r == NETSTRING_TOOBIG) {
		reply = toobig_reply;
		reason = "too-big";
	} else {
		reply = "554 5.5.2 malformed netstring, closing connection";
		reason = "netstring";
	}
	s->tmp.len = 0;
	if (qmtp_response_cat(&s->tmp, reply) == 0) buffer_put(&s->out, s->tmp.s, s->tmp.len);
	qmtpd_log_start(s, "drop");
	logline_kvs(&s->log, "reason", reason);
	logline_kvs(&s->log, "in", what);
	log_reply(s, reply, 9);
	s->end = buffer_flush(&s->out) < 0 ? QMTPD_END_ERROR : QMTPD_END_DROP;
	if (s->end == QMTPD_END_DROP && r != NETSTRING_IO) drain(s);
}
