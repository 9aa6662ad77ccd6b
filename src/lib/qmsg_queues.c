#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "address.h"
#include "logline.h"
#include "qmsg_internal.h"
#include "recipient.h"
#include "vec.h"

static int local_push(struct qmsg_world *w, struct qmsg *m, size_t i)
{
	if (w->lqhead == w->lqlen) w->lqhead = w->lqlen = 0;
	if (w->lqhead > 1024 && w->lqhead > w->lqlen / 2) {
		memmove(w->lq, w->lq + w->lqhead, (w->lqlen - w->lqhead) * sizeof *w->lq);
		w->lqlen -= w->lqhead;
		w->lqhead = 0;
	}
	if (VEC_READY(w->lq, w->lqa, w->lqlen + 1) < 0) return -1;
	w->lq[w->lqlen].m = m;
	w->lq[w->lqlen++].i = i;
	return 0;
}

int qmsg_local_next(struct qmsg_world *w, struct qmsg **m, size_t *i)
{
	while (w->lqhead < w->lqlen) {
		struct qitem *it = &w->lq[w->lqhead++];
		if (it->m->r[it->i].state != QR_PENDING) continue;
		*m = it->m;
		*i = it->i;
		return 1;
	}
	return 0;
}

static struct qdomain *domain_get(struct qmsg_world *w, const char *name, size_t len)
{
	struct qdomain *d;
	size_t k;
	for (k = 0; k < w->ndomains; k++) {
		d = w->domains[k];
		if (d->name.len == len && strncasecmp(d->name.s, name, len) == 0) return d;
	}
	if (VEC_READY(w->domains, w->adomains, w->ndomains + 1) < 0) return NULL;
	if (!(d = calloc(1, sizeof *d))) return NULL;
	if (str_copyb(&d->name, name, len) < 0 || str_0(&d->name) < 0) { free(d); return NULL; }
	str_lower(&d->name);
	w->domains[w->ndomains++] = d;
	return d;
}

static int domain_push(struct qdomain *d, struct qmsg *m)
{
	if (d->last_gen == m->gen) return 0;   /* already queued in this pass */
	d->last_gen = m->gen;
	if (d->qhead == d->qlen) d->qhead = d->qlen = 0;
	if (d->qhead > 64 && d->qhead > d->qlen / 2) {
		memmove(d->q, d->q + d->qhead, (d->qlen - d->qhead) * sizeof *d->q);
		d->qlen -= d->qhead;
		d->qhead = 0;
	}
	if (VEC_READY(d->q, d->qa, d->qlen + 1) < 0) return -1;
	d->q[d->qlen++] = m;
	return 0;
}

int qmsg_domain_next(struct qdomain *d, struct qmsg **m)
{
	if (d->qhead >= d->qlen) return 0;
	*m = d->q[d->qhead++];
	return 1;
}

int qmsg_remote_pending(const struct qmsg *m, size_t i, const struct qdomain *d)
{
	return !m->r[i].local && m->r[i].dom == d && m->r[i].state == QR_PENDING;
}

void qmsg_busy(struct qmsg *m, size_t i) { m->r[i].state = QR_BUSY; }

void qmsg_domains_sweep(struct qmsg_world *w)
{
	size_t k = 0;
	while (k < w->ndomains) {
		struct qdomain *d = w->domains[k];
		if (d->refs || d->inflight || d->qhead < d->qlen) { k++; continue; }
		w->domains[k] = w->domains[--w->ndomains];
		str_free(&d->name);
		free(d->q);
		free(d);
	}
}

/* One open recipient into its queue. 0 or -1. */
static int classify_one(struct qmsg_world *w, struct qmsg *m, size_t i)
{
	struct qrcpt *r = &m->r[i];
	const char *addr = m->env.rcpt[i].addr;
	size_t len = m->env.rcpt[i].len, at = address_at(addr, len);
	str local = STR_INIT;
	int k = recipient_classify(addr, len, &local);
	if (k == RECIPIENT_LOCAL) {
		r->local = 1;
		if (str_copy(&r->dest, &local) < 0 || str_catc(&r->dest, '@') < 0 ||
		    (at < len ? str_catb(&r->dest, addr + at + 1, len - at - 1) : str_cat(&r->dest, &w->cfg.me)) < 0 ||
		    str_0(&r->dest) < 0 || local_push(w, m, i) < 0)
			k = -2;
	} else if (k == RECIPIENT_REMOTE && at + 1 >= len) {
		r->state = QR_FAILED;
		if (str_copys(&r->text, "5.1.2 the address has no domain") < 0) k = -2;
		str_free(&local);
		return k == -2 ? -1 : 0;
	} else if (k == RECIPIENT_REMOTE) {
		if (!(r->dom = domain_get(w, addr + at + 1, len - at - 1)) || domain_push(r->dom, m) < 0) k = -2;
		else r->dom->refs++;
	} else {
		/* Temporary trouble reading control files: try again next pass. */
		r->state = QR_DEFERRED;
		if (str_copys(&r->text, "4.3.0 cannot classify the recipient") < 0) k = -2;
		str_free(&local);
		return k == -2 ? -1 : 0;
	}
	str_free(&local);
	if (k == -2) return -1;
	m->open++;
	return 0;
}

int qmsg_classify(struct qmsg_world *w, struct qmsg *m)
{
	size_t i;
	m->open = 0;
	for (i = 0; i < m->env.nrcpt; i++)
		if (m->r[i].state == QR_PENDING && classify_one(w, m, i) < 0) return -1;
	return 0;
}

static void log_result(struct qmsg_world *w, struct qmsg *m, size_t i, char status, const char *text, size_t len)
{
	str line = STR_INIT;
	time_t now = time(NULL);
	logline_kvs(&line, "event", "delivery");
	logline_kvnum(&line, "id", m->id);
	logline_kv(&line, "rcpt", m->env.rcpt[i].addr, m->env.rcpt[i].len);
	logline_kvs(&line, "status", status == 'K' ? "delivered" : status == 'D' ? "failed" : "deferred");
	logline_kvnum(&line, "delay", now > m->birth ? (unsigned long long)(now - m->birth) : 0);
	logline_kv(&line, "text", text, len);
	qmsg_log(w, &line);
	str_free(&line);
}

void qmsg_result(struct qmsg_world *w, struct qmsg *m, size_t i, char status, const char *text, size_t len)
{
	struct qrcpt *r = &m->r[i];
	if (r->state != QR_BUSY) return;
	log_result(w, m, i, status, text, len);
	r->state = status == 'K' ? QR_DONE : status == 'D' ? QR_FAILED : QR_DEFERRED;
	if (status == 'K') r->text.len = 0;
	else if (str_copyb(&r->text, text, strnlen(text, len)) < 0) r->text.len = 0;
	if (--m->open == 0) qmsg_pass_end(w, m);
}
