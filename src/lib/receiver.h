#ifndef TERN_RECEIVER_H
#define TERN_RECEIVER_H
#include <stddef.h>
#include "buffer.h"
#include "qinject.h"
#include "rcpthosts.h"
#include "str.h"

/* What a network receiver that queues mail needs of the world, as hook
   functions (ctx is the struct receiver): rcpthosts, the recipient
   database (recipient.h), queue-inject through qinject.h, the log.
   qmtpd and qmqpd use them; smtpd-recv's hooks of the same names do the
   same and can be replaced by these. One receiver per process, set up
   after control_chdir_home(). */
struct receiver {
	struct rcpthosts rcpthosts;
	struct qinject q;
	buffer qbuf;
	char qspace[8192];
	int qbroken;          /* a write to queue-inject failed */
	str tmp;
};
/* Reads rcpthosts. 0 or -1 (errno). */
int receiver_init(struct receiver *w);

/* 1 accepted, 0 not, -1 temporary. Without rcpthosts only local
   domains (by locals/virtualdomains) are accepted: no open relay. */
int receiver_rcpthosts(void *ctx, const char *domain, size_t len);
/* 1 local, 0 remote, -1 temporary (recipient_classify). */
int receiver_is_local(void *ctx, const char *addr, size_t len);
/* 1 deliverable, 0 unknown, -1 temporary (recipient_deliverable). */
int receiver_deliverable(void *ctx, const char *addr, size_t len);
/* queue-inject: start, message bytes (buffered), then finish with the
   envelope records (each ending in NUL, no final empty one), which
   returns qinject_reply's text for the outcome, or abort. */
int receiver_inject_start(void *ctx);
int receiver_inject_put(void *ctx, const char *s, size_t len);
const char *receiver_inject_finish(void *ctx, const char *env, size_t len);
void receiver_inject_abort(void *ctx);
/* Writes the line to fd 2 (logline_emit). */
void receiver_log(void *ctx, str *line);
#endif
