#include <stdlib.h>
#include "qmtp_wire.h"
#include "qmtpd_internal.h"

/* QMQP (cr.yp.to/proto/qmqp.html): one netstring holding the message,
   the sender and the recipients, each a netstring; one response for the
   whole message, then the server closes. QMQP is for the hosts of one's
   own cluster: a client without RELAYCLIENT has its package read and
   refused, and nothing of it is looked up or queued. */

static const char *const untrusted =
	"550 5.7.1 QMQP is only for trusted clients (RELAYCLIENT), not for you";

/* One answer for all: a refused recipient refuses the message (QMQP has
   no partial acceptance); a permanent refusal goes before a temporary one. */
static const char *worst_refusal(const struct qmtpd *s)
{
	const char *temp = NULL;
	size_t i;
	for (i = 0; i < s->nrcpt; i++) {
		if (!s->reply[i]) continue;
		if (s->reply[i][0] == '5') return s->reply[i];
		if (!temp) temp = s->reply[i];
	}
	return temp;
}

/* maxrcpt cannot mean "try the rest later" in QMQP: past it the message
   is refused for good (hubs should have the front ends' maxrcpt). */
static void maxrcpt_permanent(struct qmtpd *s)
{
	size_t i;
	for (i = 0; i < s->nrcpt; i++)
		if (s->reply[i] == qmtpd_too_many)
			s->reply[i] = "552 5.5.3 too many recipients for one QMQP message (maxrcpt)";
}

static enum netstring_status body(struct qmtpd *s, struct netstring_in *pkg, int trusted)
{
	unsigned long long len;
	enum netstring_status r = netstring_read_len(pkg, QMTPD_MESSAGE_MAX, &len);
	if (r == NETSTRING_OK) r = qmtpd_message(s, pkg, len, 0, trusted);
	if (r == NETSTRING_OK) r = netstring_read_comma(pkg);
	if (r != NETSTRING_OK) { qmtpd_stop(s, r, "552 5.3.4 message exceeds the size limit", "message"); return r; }
	r = qmtpd_sender(s, pkg, trusted);
	if (r != NETSTRING_OK) { qmtpd_stop(s, r, "553 5.1.7 sender address too long", "sender"); return r; }
	while (pkg->left > 0 && r == NETSTRING_OK) r = qmtpd_recipient(s, pkg, trusted);
	if (r != NETSTRING_OK) qmtpd_stop(s, r, "552 5.5.3 too many recipients", "recipients");
	return r;
}

static void package(struct qmtpd *s)
{
	struct netstring_in top = { &s->in, NETSTRING_UNBOUNDED, NULL }, pkg;
	unsigned long long len;
	int trusted = s->cfg->relayclient != NULL;
	const char *reply;
	enum netstring_status r = netstring_read_len(&top, QMTPD_MESSAGE_MAX + 2 * QMTPD_ENVELOPE_MAX, &len);
	if (r != NETSTRING_OK) { qmtpd_stop(s, r, "552 5.3.4 message exceeds the size limit", "package"); return; }
	pkg = top;
	pkg.left = len;
	if (body(s, &pkg, trusted) != NETSTRING_OK) return;
	r = netstring_read_comma(&top);
	if (r != NETSTRING_OK) { qmtpd_stop(s, r, NULL, "package"); return; }
	maxrcpt_permanent(s);
	if (!trusted) reply = untrusted;
	else if (s->nrcpt == 0) reply = "554 5.5.1 no recipients";
	else reply = worst_refusal(s);
	if (reply) {
		qmtpd_abandon(s);
		qmtpd_log_data(s, reply);
	} else {
		reply = qmtpd_finish(s);
	}
	s->tmp.len = 0;
	if (qmtp_response_cat(&s->tmp, reply) < 0 || buffer_put(&s->out, s->tmp.s, s->tmp.len) < 0 ||
	    buffer_flush(&s->out) < 0)
		s->end = QMTPD_END_ERROR;
	else
		s->end = QMTPD_END_OK;
}

int qmqpd_session_run(const struct qmtpd_config *cfg, const struct qmtpd_hooks *hooks,
                      int rfd, int wfd)
{
	struct qmtpd *s = calloc(1, sizeof *s);
	int end;
	if (!s) return QMTPD_END_ERROR;
	qmtpd_init(s, cfg, hooks, "QMQP", rfd, wfd);
	qmtpd_log_connect(s);
	qmtpd_package_reset(s);
	package(s);
	qmtpd_abandon(s);
	end = s->end;
	qmtpd_free(s);
	free(s);
	return end;
}
