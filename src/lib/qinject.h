#ifndef TERN_QINJECT_H
#define TERN_QINJECT_H
#include <stddef.h>
#include <sys/types.h>
#include "str.h"

/* Handing a message to queue-inject (or to the filter named by
   QUEUE_INJECT / QMAILQUEUE), for every program that queues mail:
   inject, smtpd-recv, qmtpd, qmqpd, the manager's bounces, deliver-local's
   forwards. The protocol is qmail-queue's (doc/queue-inject.md).

   Use:
       struct qinject q;
       if (qinject_start(&q) < 0) ...temporary failure...
       write the message bytes to q.msgfd (any way you like; a buffer
           on q.msgfd is fine, flush it before qinject_finish);
       qinject_sender(&q, from, len); qinject_recipient(&q, to, len); ...
       code = qinject_finish(&q);        0 = queued
       text = qinject_reply(code, &permanent);

   The envelope records are only collected in memory (q.env) and written
   in one go by qinject_finish after the message pipe is closed, because
   queue-inject reads the envelope only after the whole message: writing
   it earlier could fill the pipe and deadlock.

   SIGPIPE: if queue-inject exits early (it should not: it reads the
   message to EOF even when it is too big), writes to msgfd fail with
   EPIPE. Callers must ignore SIGPIPE (signal(SIGPIPE, SIG_IGN)), may stop
   writing on a write error, and then still call qinject_finish (or
   qinject_abort) to learn the exit code and reap the child.

   The filter hook: when QUEUE_INJECT (first) or QMAILQUEUE is set and not
   empty, and the caller is not running setuid/setgid (real and effective
   ids equal), that program is run instead of <auto_home>/bin/queue-inject,
   with the same arguments-free protocol. */

struct qinject {
	pid_t pid;   /* the child, -1 when none */
	int msgfd;   /* write the message here; -1 once closed */
	int envfd;   /* envelope pipe; written only by qinject_finish */
	str env;     /* envelope records collected so far */
};

/* Starts queue-inject (or the filter) with the message pipe on its fd 0
   and the envelope pipe on its fd 1; both of our ends are close-on-exec.
   0, or -1 with errno (nothing left running). */
int qinject_start(struct qinject *q);

/* Envelope records (doc/queue.md). Each appends "<letter><text>\0" to
   q->env; the order rules are the caller's (F first, then E/R, then per
   recipient T followed by its N/O). The text must not hold a NUL byte
   (-1 errno EINVAL); other checks (control characters, lengths) are
   queue-inject's, which answers 91 or 11. 0 or -1 (errno ENOMEM/EINVAL). */
int qinject_sender(struct qinject *q, const char *addr, size_t len);
int qinject_recipient(struct qinject *q, const char *addr, size_t len);
/* DSN extension records: 'E' envid, 'R' ret, 'N' notify, 'O' orcpt. */
int qinject_record(struct qinject *q, char letter, const char *text, size_t len);

/* Closes the message pipe (if still open), writes the envelope records and
   the final NUL in one write, closes the envelope pipe, waits for the
   child and frees q->env. Returns the child's exit code (0 = queued),
   QINJECT_CRASHED + signal number if it was killed, or -1 with errno if
   waiting failed. A failed envelope write (the child died) is not an
   error here: the exit code says what happened. */
#define QINJECT_CRASHED 256
int qinject_finish(struct qinject *q);

/* Gives up: closes both pipes without sending an envelope, so queue-inject
   sees a truncated envelope, queues nothing and removes its temporary
   file; then reaps the child and frees q->env. */
void qinject_abort(struct qinject *q);

/* The reply for an exit code of qinject_finish: a static string
   "<SMTP code> <enhanced code> <text>", e.g. "451 4.3.0 queue: out of
   memory", directly usable as an SMTP reply; skip the first 4 bytes for
   the bare enhanced code and text. *permanent (if not NULL) is set to 1
   for codes 11..40 (qmail's permanent range), else 0. Code 0 gives
   "250 2.0.0 ok" with *permanent 0. */
const char *qinject_reply(int code, int *permanent);
#endif
