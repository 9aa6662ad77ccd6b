#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include "logline.h"
#include "qmtp_wire.h"
#include "qmtpd_internal.h"

/* QMTP (cr.yp.to/proto/qmtp.txt): packages of message, sender and
   recipient list, each answered with one response per recipient, in
   order, once its last byte is in. Responses wait in the output buffer
   while the client has pipelined more input, and are flushed before any
   read that would block. */

static const char *const message_too_big = "552 5.3.4 message exceeds the size limit";

/* The responses of one package. */
static void respond(struct qmtpd *s, const char *verdict)
{
	size_t i;
	for (i = 0; i < s->nrcpt && s->end == QMTPD_CONTINUE; i++) {
		s->tmp.len = 0;
		if (qmtp_response_cat(&s->tmp, s->reply[i] ? s->reply[i] : verdict) < 0 ||
		    buffer_put(&s->out, s->tmp.s, s->tmp.len) < 0)
			s->end = QMTPD_END_ERROR;
	}
}

/* The message netstring, its length already read. */
static enum netstring_status message(struct qmtpd *s, struct netstring_in *in, unsigned long long len)
{
	const char *p;
	size_t n;
	enum netstring_status r;
	if (len == 0) return NETSTRING_SYNTAX;   /* no encoding byte */
	r = netstring_read_some(in, 1, &p, &n);
	if (r != NETSTRING_OK) return r;
	if (*p == '\r' || *p == '\n') {
		r = qmtpd_message(s, in, len - 1, *p == '\r', 1);
	} else {
		/* Neither encoding: the framing is still sound, so the
		   package is read to its end and refused per recipient. */
		s->fail = "554 5.6.0 message refused: unknown QMTP message encoding";
		r = qmtpd_message(s, in, len - 1, 0, 0);
	}
	return r != NETSTRING_OK ? r : netstring_read_comma(in);
}

static enum netstring_status recipients(struct qmtpd *s, struct netstring_in *in)
{
	struct netstring_in list = *in;
	unsigned long long len;
	enum netstring_status r = netstring_read_len(in, QMTPD_ENVELOPE_MAX, &len);
	if (r != NETSTRING_OK) return r;
	list.left = len;
	while (list.left > 0 && r == NETSTRING_OK) r = qmtpd_recipient(s, &list, 1);
	if (r != NETSTRING_OK) return r;
	if (in->left != NETSTRING_UNBOUNDED) in->left -= len;
	return netstring_read_comma(in);
}

/* One package: 0 to go on, -1 when the session ends. */
static int package(struct qmtpd *s, struct netstring_in *in)
{
	unsigned long long len;
	const char *verdict;
	enum netstring_status r;
	qmtpd_package_reset(s);
	r = netstring_read_len(in, QMTPD_MESSAGE_MAX, &len);
	if (r == NETSTRING_OK) r = message(s, in, len);
	if (r != NETSTRING_OK) { qmtpd_stop(s, r, message_too_big, "message"); return -1; }
	r = qmtpd_sender(s, in, 1);
	if (r != NETSTRING_OK) { qmtpd_stop(s, r, "553 5.1.7 sender address too long", "sender"); return -1; }
	r = recipients(s, in);
	if (r != NETSTRING_OK) { qmtpd_stop(s, r, "552 5.5.3 too many recipients", "recipients"); return -1; }
	/* No recipients: nothing is queued and no response is due (the
	   spec asks for one or more; qmail-qmtpd behaves the same). */
	verdict = qmtpd_finish(s);
	respond(s, verdict);
	return s->end == QMTPD_CONTINUE ? 0 : -1;
}

/* Closing between packages: no response is owed. */
static void between_packages(struct qmtpd *s, const char *reason)
{
	qmtpd_log_start(s, "drop");
	logline_kvs(&s->log, "reason", reason);
	qmtpd_log_emit(s);
	s->end = QMTPD_END_DROP;
}

int qmtpd_session_run(const struct qmtpd_config *cfg, const struct qmtpd_hooks *hooks,
                      int rfd, int wfd)
{
	struct qmtpd *s = calloc(1, sizeof *s);
	struct netstring_in in;
	time_t start = time(NULL);
	int end;
	if (!s) return QMTPD_END_ERROR;
	qmtpd_init(s, cfg, hooks, "QMTP", rfd, wfd);
	qmtpd_log_connect(s);
	in.b = &s->in;
	in.left = NETSTRING_UNBOUNDED;
	in.flush = &s->out;
	while (s->end == QMTPD_CONTINUE) {
		if (time(NULL) - start >= QMTPD_SESSION_MAX) {
			between_packages(s, "session-time");
			break;
		}
		/* The end of input between packages is the normal end. */
		if (buffer_held(&s->in) == 0) {
			ssize_t r;
			if (buffer_flush(&s->out) < 0) { s->end = QMTPD_END_ERROR; break; }
			r = buffer_feed(&s->in);
			if (r < 0 && errno != ETIMEDOUT) { s->end = QMTPD_END_ERROR; break; }
			if (r < 0) { between_packages(s, "timeout"); break; }
			if (r == 0) {
				qmtpd_log_start(s, "eof");
				qmtpd_log_emit(s);
				s->end = QMTPD_END_OK;
				break;
			}
		}
		package(s, &in);
	}
	if (s->end != QMTPD_END_ERROR && buffer_flush(&s->out) < 0) s->end = QMTPD_END_ERROR;
	qmtpd_abandon(s);
	end = s->end;
	qmtpd_free(s);
	free(s);
	return end;
}
