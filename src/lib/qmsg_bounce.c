#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include "bounce.h"
#include "io.h"
#include "logline.h"
#include "qinject.h"
#include "qmsg_internal.h"

#define BOUNCE_CAP (100 * 1024)   /* bytes of the original in a bounce */
#define DOUBLE_BOUNCE_SENDER "#@[]"  /* qmail's: a failed double bounce is dropped */

/* Did the sender ask for failure notices for this recipient (RFC 3461)? */
static int wants_failure(const char *notify)
{
	size_t i, n;
	if (!notify) return 1;
	n = strlen(notify);
	for (i = 0; i + 7 <= n; i++)
		if (strncasecmp(notify + i, "FAILURE", 7) == 0) return 1;
	return 0;
}

/* The first BOUNCE_CAP bytes of the message into out. 0 or -1. */
static int read_original(struct qmsg *m, str *out)
{
	str path = STR_INIT;
	size_t want = m->msglen < BOUNCE_CAP ? (size_t)m->msglen : BOUNCE_CAP;
	ssize_t n;
	int fd, r = -1;
	if (qmsg_path(&path, "queue/mess", m->id) < 0 || str_ready(out, want + 1) < 0) goto out;
	if ((fd = open(path.s, O_RDONLY | O_CLOEXEC)) < 0) goto out;
	out->len = 0;
	while (out->len < want) {
		n = pread(fd, out->s + out->len, want - out->len, (off_t)out->len);
		if (n < 0 && errno == EINTR) continue;
		if (n <= 0) break;
		out->len += (size_t)n;
	}
	close(fd);
	if (out->len == want) r = 0;
out:
	str_free(&path);
	return r;
}

static void log_bounce(struct qmsg_world *w, struct qmsg *m, const char *to, size_t n, int code)
{
	str line = STR_INIT;
	logline_kvs(&line, "event", code == 0 ? "bounce" : "bounce_failed");
	logline_kvnum(&line, "id", m->id);
	logline_kvs(&line, "to", to);
	logline_kvnum(&line, "nrcpt", n);
	if (code) logline_kvs(&line, "text", code < 0 ? "cannot run queue-inject" : qinject_reply(code, NULL));
	qmsg_log(w, &line);
	str_free(&line);
}

/* Queues the bounce message text to one recipient with envelope sender
   from. The exit code of queue-inject, or -1. */
static int inject(const str *text, const char *from, const char *to)
{
	struct qinject q;
	sigset_t none, old;
	int werr, r;
	/* The manager blocks its signals outside ppoll; queue-inject must
	   not inherit that mask. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, &old);
	r = qinject_start(&q);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (r < 0) return -1;
	werr = io_write_all(q.msgfd, text->s, text->len);
	if (werr < 0) { qinject_abort(&q); return -1; }
	if (qinject_sender(&q, from, strlen(from)) < 0 || qinject_recipient(&q, to, strlen(to)) < 0) {
		qinject_abort(&q);
		return -1;
	}
	return qinject_finish(&q);
}

static int compose(struct qmsg_world *w, struct qmsg *m, const char *to, const str *orig,
                   struct bounce_rcpt *br, size_t n, str *text)
{
	struct bounce b;
	str from = STR_INIT;
	int r;
	memset(&b, 0, sizeof b);
	if (str_copy(&from, &w->cfg.bouncefrom) < 0 || str_catc(&from, '@') < 0 ||
	    str_cat(&from, &w->cfg.bouncehost) < 0 || str_0(&from) < 0) { str_free(&from); return -1; }
	b.me = w->cfg.me.s;
	b.from = from.s;
	b.to = to;
	b.envid = m->env.envid;
	b.arrival = m->birth;
	b.now = time(NULL);
	b.id = m->id;
	b.msg = orig->s;
	b.msg_len = orig->len;
	b.headers_only = (m->env.ret && strcasecmp(m->env.ret, "HDRS") == 0) || m->msglen > BOUNCE_CAP;
	b.nrcpt = n;
	b.rcpt = br;
	r = bounce_compose(text, &b);
	str_free(&from);
	return r;
}

/* The recipients that get a notice. */
static size_t collect(struct qmsg *m, struct bounce_rcpt *br)
{
	size_t i, n = 0;
	for (i = 0; i < m->env.nrcpt; i++) {
		struct qrcpt *r = &m->r[i];
		if (r->state != QR_FAILED || !wants_failure(m->env.rcpt[i].notify)) continue;
		br[n].addr = m->env.rcpt[i].addr;
		br[n].len = m->env.rcpt[i].len;
		br[n].orcpt = m->env.rcpt[i].orcpt;
		br[n].text = r->text.s ? r->text.s : "";
		br[n].text_len = r->text.len;
		n++;
	}
	return n;
}

int qmsg_bounce(struct qmsg_world *w, struct qmsg *m)
{
	struct bounce_rcpt *br;
	str to = STR_INIT, orig = STR_INIT, text = STR_INIT;
	const char *from = "";
	size_t n;
	int code = -1;
	if (m->env.sender_len == strlen(DOUBLE_BOUNCE_SENDER) &&
	    memcmp(m->env.sender, DOUBLE_BOUNCE_SENDER, m->env.sender_len) == 0) {
		log_bounce(w, m, "(dropped: failed double bounce)", 0, 0);
		return 0;
	}
	if (!(br = calloc(m->env.nrcpt ? m->env.nrcpt : 1, sizeof *br))) return -1;
	n = collect(m, br);
	if (n == 0) { free(br); return 0; }   /* NOTIFY=NEVER for all of them */
	if (m->env.sender_len == 0) {
		/* A bounce failed: tell the postmaster, from the double-bounce sender. */
		from = DOUBLE_BOUNCE_SENDER;
		if (str_copy(&to, &w->cfg.dbto) < 0 || str_catc(&to, '@') < 0 || str_cat(&to, &w->cfg.dbhost) < 0) goto out;
	} else if (str_copyb(&to, m->env.sender, m->env.sender_len) < 0) {
		goto out;
	}
	if (str_0(&to) < 0 || read_original(m, &orig) < 0) goto out;
	if (compose(w, m, to.s, &orig, br, n, &text) < 0) goto out;
	code = inject(&text, from, to.s);
out:
	log_bounce(w, m, to.s ? to.s : "", n, code);
	free(br);
	str_free(&to);
	str_free(&orig);
	str_free(&text);
	return code == 0 ? 0 : -1;
}
