#include <string.h>
#include "logline.h"
#include "receiver.h"
#include "recipient.h"

int receiver_init(struct receiver *w)
{
	return rcpthosts_init(&w->rcpthosts);
}

int receiver_is_local(void *ctx, const char *addr, size_t len)
{
	struct receiver *w = ctx;
	int r = recipient_classify(addr, len, &w->tmp);
	return r < 0 ? -1 : r == RECIPIENT_LOCAL;
}

int receiver_rcpthosts(void *ctx, const char *domain, size_t len)
{
	struct receiver *w = ctx;
	str a = STR_INIT;
	int r;
	if (w->rcpthosts.present) return rcpthosts_match(&w->rcpthosts, domain, len);
	if (str_copys(&a, "postmaster@") < 0 || str_catb(&a, domain, len) < 0) return -1;
	r = receiver_is_local(ctx, a.s, a.len);
	str_free(&a);
	return r;
}

int receiver_deliverable(void *ctx, const char *addr, size_t len)
{
	return recipient_deliverable(addr, len);
}

int receiver_inject_start(void *ctx)
{
	struct receiver *w = ctx;
	if (qinject_start(&w->q) < 0) return -1;
	buffer_init(&w->qbuf, w->q.msgfd, w->qspace, sizeof w->qspace);
	w->qbroken = 0;
	return 0;
}

int receiver_inject_put(void *ctx, const char *s, size_t len)
{
	struct receiver *w = ctx;
	if (buffer_put(&w->qbuf, s, len) < 0) { w->qbroken = 1; return -1; }
	return 0;
}

/* Replays the session's envelope records into qinject. */
const char *receiver_inject_finish(void *ctx, const char *env, size_t len)
{
	struct receiver *w = ctx;
	size_t i = 0;
	int r = 0;
	if (!w->qbroken && buffer_flush(&w->qbuf) < 0) w->qbroken = 1;
	while (i < len && r == 0) {
		size_t n = strlen(env + i);
		r = qinject_record(&w->q, env[i], env + i + 1, n - 1);
		i += n + 1;
	}
	if (r < 0) {
		qinject_abort(&w->q);
		return "451 4.3.0 out of memory";
	}
	return qinject_reply(qinject_finish(&w->q), NULL);
}

void receiver_inject_abort(void *ctx)
{
	struct receiver *w = ctx;
	qinject_abort(&w->q);
}

void receiver_log(void *ctx, str *line)
{
	logline_emit(line);
}
