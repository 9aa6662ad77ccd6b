#ifndef TERN_QMTPD_INTERNAL_H
#define TERN_QMTPD_INTERNAL_H
/* Private to qmtpd_package.c, qmtpd_session.c and qmqpd_session.c: one
   session's state and the package pieces QMTP and QMQP share. */
#include <time.h>
#include "buffer.h"
#include "envelope_policy.h"
#include "hopcount.h"
#include "netstring.h"
#include "qmtpd.h"
#include "smtp_cmd.h"
#include "str.h"

#define QMTPD_IOBUF 8192
/* Ceilings checked on the declared lengths, before anything is read.
   A message netstring up to QMTPD_MESSAGE_MAX is read to its end even
   when it is over databytes (the client then gets a clean D for it);
   past that, or an envelope netstring past QMTPD_ENVELOPE_MAX, the
   session answers at once and closes. */
#define QMTPD_MESSAGE_MAX (2ULL << 30)          /* 2 GiB raw: 1 GiB of CR LF lines */
#define QMTPD_ENVELOPE_MAX (32ULL << 20)        /* a sender or a recipient list */
#define QMTPD_ADDRESS_READ_MAX 1000             /* longer addresses are skipped, then refused */
#define QMTPD_RCPT_HARD 100000                  /* recipients in one package (queue-inject's) */
#define QMTPD_SESSION_MAX 3600                  /* seconds (QMTP section 2) */
#define QMTPD_DRAIN_MAX (1UL << 20)             /* bytes read after a fatal reply */

struct qmtpd {
	const struct qmtpd_config *cfg;
	const struct qmtpd_hooks *h;
	const char *protocol;          /* "QMTP" or "QMQP" */
	struct envelope_policy policy;
	buffer in, out;
	char inspace[QMTPD_IOBUF];
	char outspace[QMTPD_IOBUF];
	char data[QMTPD_IOBUF];        /* decoded message bytes for queue-inject */
	/* the package */
	int injecting;
	int crlf, cr;                  /* QMTP encoding #1; a CR is pending */
	const char *fail;              /* refusal for every accepted recipient */
	unsigned long long size;       /* decoded message bytes */
	int nul;
	struct hopcount hops;
	str env;                       /* envelope records for queue-inject */
	str addr;                      /* the address being read */
	struct smtp_path path;
	const char **reply;            /* per recipient: NULL accepted, else the refusal */
	size_t nrcpt, arcpt;
	unsigned long naccepted;
	str tmp, log;
	int end;                       /* -1 while going on, else QMTPD_END_* */
};
#define QMTPD_CONTINUE (-1)

int qmtpd_init(struct qmtpd *s, const struct qmtpd_config *cfg, const struct qmtpd_hooks *h,
               const char *protocol, int rfd, int wfd);
void qmtpd_free(struct qmtpd *s);
void qmtpd_log_start(struct qmtpd *s, const char *event);
void qmtpd_log_emit(struct qmtpd *s);
void qmtpd_log_connect(struct qmtpd *s);
/* Forgets the previous package. */
void qmtpd_package_reset(struct qmtpd *s);

/* The message: len bytes of payload (the encoding marker, if any, already
   read) from in, decoded (crlf: CR LF becomes LF) and streamed to
   queue-inject after the Received line; or, with inject 0, only read.
   The comma is not read. */
enum netstring_status qmtpd_message(struct qmtpd *s, struct netstring_in *in,
                                    unsigned long long len, int crlf, int inject);
/* One address netstring: the sender, or one recipient (its reply is
   recorded, and its T record if accepted). With check 0 the address is
   only read (QMQP from an untrusted client). */
enum netstring_status qmtpd_sender(struct qmtpd *s, struct netstring_in *in, int check);
enum netstring_status qmtpd_recipient(struct qmtpd *s, struct netstring_in *in, int check);
/* After the package: the reply for the accepted recipients (queue-inject's
   outcome or the refusal), or NULL when none was accepted (nothing is
   queued). Logs event=data. */
const char *qmtpd_finish(struct qmtpd *s);
/* The event=data line, for a package answered without qmtpd_finish. */
void qmtpd_log_data(struct qmtpd *s, const char *reply);
/* The reply for a recipient past maxrcpt. */
extern const char qmtpd_too_many[];
/* Gives up on the package: nothing is queued (the counts stay, for the log). */
void qmtpd_abandon(struct qmtpd *s);
/* A read that did not return NETSTRING_OK ends the session: nothing of
   the package is queued; EOF ends quietly, anything else gets one last
   response (the reply for a refusal of that kind, reason for the log)
   before the connection is closed. */
void qmtpd_stop(struct qmtpd *s, enum netstring_status r, const char *toobig_reply, const char *what);
#endif
