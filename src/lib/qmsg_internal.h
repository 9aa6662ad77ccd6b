#ifndef TERN_QMSG_INTERNAL_H
#define TERN_QMSG_INTERNAL_H
#include "qmsg.h"
/* Shared between qmsg.c (messages, state files), qmsg_queues.c
   (classification, queues, reports) and qmsg_bounce.c (bounces). */
void qmsg_log(struct qmsg_world *w, str *line);
void qmsg_log_error(struct qmsg_world *w, unsigned long long id, const char *what, int err);
struct qmsg *qmsg_find(struct qmsg_world *w, unsigned long long id);
int qmsg_path(str *out, const char *dir, unsigned long long id);
/* Sorts a loaded message's open recipients into the local queue and
   the domain queues. 0 or -1 (no memory). */
int qmsg_classify(struct qmsg_world *w, struct qmsg *m);
/* No recipient is pending or busy: bounce, finish or reschedule. */
void qmsg_pass_end(struct qmsg_world *w, struct qmsg *m);
/* Queues one bounce for the failed recipients. 0 queued (or none
   needed, or dropped by policy), -1 not queued (try again later). */
int qmsg_bounce(struct qmsg_world *w, struct qmsg *m);
#endif
