#ifndef TERN_QMTPD_H
#define TERN_QMTPD_H
#include <stddef.h>
#include "str.h"

/* The QMTP and QMQP server sessions (qmtp.txt, qmqp.html), on fds they
   are given; everything beyond them goes through hooks, so qmtpd, qmqpd
   and the fuzz harnesses run the same code. Envelope policy, limits,
   Received line and log fields are smtpd-recv's (envelope_policy.h,
   received.h); doc/qmtpd.md and doc/qmqpd.md list every response. */

struct qmtpd_config {
	const char *me;                /* control/me */
	unsigned long long databytes;  /* message limit (decoded bytes) */
	unsigned long maxrcpt;         /* per message; more get Z 4.5.3 */
	unsigned int timeout;          /* seconds per read or write */
	const str *badmailfrom;        /* NUL-separated; may be NULL */
	const char *remoteip, *remotehost, *remoteinfo;
	const char *localip, *proto;   /* may be NULL */
	const char *relayclient;       /* NULL: not a relay client */
};

struct qmtpd_hooks {
	void *ctx;
	/* As in smtpd_session.h: 1 yes, 0 no, -1 temporary trouble. */
	int (*rcpthosts)(void *ctx, const char *domain, size_t len);
	int (*is_local)(void *ctx, const char *addr, size_t len);
	int (*deliverable)(void *ctx, const char *addr, size_t len);
	/* queue-inject: start (0 or -1), message bytes (0 or -1), then finish
	   with the envelope records (each ending in NUL, without the final
	   empty one), which returns the SMTP-style reply for the outcome
	   ("250 2.0.0 ok" when queued, qinject_reply), or abort. */
	int (*inject_start)(void *ctx);
	int (*inject_put)(void *ctx, const char *s, size_t len);
	const char *(*inject_finish)(void *ctx, const char *env, size_t len);
	void (*inject_abort)(void *ctx);
	/* One finished log line (key=value pairs, no newline). */
	void (*log)(void *ctx, str *line);
};

/* Fills c from the control files (me, databytes, maxrcpt, timeoutsmtpd,
   badmailfrom: smtpd-recv's names, defaults and bounds) and tcpserver's
   environment (TCPREMOTEIP, TCPREMOTEHOST, TCPREMOTEINFO, TCPLOCALIP,
   PROTO, RELAYCLIENT). The strings live in me and badmailfrom. Call after
   control_chdir_home(). 0, or -1 (errno) when a file cannot be read. */
int qmtpd_config_read(struct qmtpd_config *c, str *me, str *badmailfrom);

/* The main of qmtpd and qmqpd: reads the configuration (after
   control_chdir_home), connects the hooks to the world (receiver.h) and
   runs the session on fd 0/1 with run. Returns the exit code: 0, or 111
   after an I/O or memory error or when the configuration cannot be read
   (the connection is then closed without a response). */
typedef int qmtpd_run_fn(const struct qmtpd_config *cfg, const struct qmtpd_hooks *hooks,
                         int rfd, int wfd);
int qmtpd_program(qmtpd_run_fn *run);

/* How a session ended. */
#define QMTPD_END_OK 0       /* the client closed, or QMQP's one reply was sent */
#define QMTPD_END_DROP 1     /* we closed: protocol violation, time-out, session too long */
#define QMTPD_END_ERROR 2    /* an I/O or memory error */

/* QMTP: packages until the client closes; one response per recipient. */
int qmtpd_session_run(const struct qmtpd_config *cfg, const struct qmtpd_hooks *hooks,
                      int rfd, int wfd);
/* QMQP: one package, one response. A client without RELAYCLIENT gets
   D (5.7.1) after its package has been read (nothing is queued). */
int qmqpd_session_run(const struct qmtpd_config *cfg, const struct qmtpd_hooks *hooks,
                      int rfd, int wfd);
#endif
