#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "atomic.h"
#include "auto.h"
#include "control.h"
#include "infofile.h"
#include "io.h"
#include "logline.h"
#include "qmsg.h"
#include "qmsg_internal.h"
#include "recipient.h"
#include "scan.h"
#include "slurp.h"

#define INFO_MAX (64 * 1024 * 1024)

void qmsg_world_init(struct qmsg_world *w)
{
	memset(w, 0, sizeof *w);
	w->split = auto_split;
}

void qmsg_log(struct qmsg_world *w, str *line)
{
	if (w->log) w->log(line);
	line->len = 0;
}

/* A one-off error line: event=error id=N what=... */
void qmsg_log_error(struct qmsg_world *w, unsigned long long id, const char *what, int err)
{
	str line = STR_INIT;
	logline_kvs(&line, "event", "error");
	if (id) logline_kvnum(&line, "id", id);
	logline_kvs(&line, "what", what);
	if (err) logline_kvs(&line, "errno", strerror(err));
	qmsg_log(w, &line);
	str_free(&line);
}

int qmsg_config_read(struct qmsg_world *w)
{
	struct qconfig *c = &w->cfg;
	if (control_read_string(&c->me, "control/me", "localhost") < 0 || str_0(&c->me) < 0) return -1;
	if (control_read_string(&c->bouncefrom, "control/bouncefrom", "MAILER-DAEMON") < 0 || str_0(&c->bouncefrom) < 0) return -1;
	if (control_read_string(&c->bouncehost, "control/bouncehost", c->me.s) < 0 || str_0(&c->bouncehost) < 0) return -1;
	if (control_read_string(&c->dbhost, "control/doublebouncehost", c->me.s) < 0 || str_0(&c->dbhost) < 0) return -1;
	if (control_read_string(&c->dbto, "control/doublebounceto", "postmaster") < 0 || str_0(&c->dbto) < 0) return -1;
	if (control_read_ulong(&c->conclocal, "control/concurrencylocal", 10) < 0) return -1;
	if (control_read_ulong(&c->concremote, "control/concurrencyremote", 20) < 0) return -1;
	if (control_read_ulong(&c->perdomain, "control/concurrencyperdomain", 5) < 0) return -1;
	if (control_read_ulong(&c->lifetime, "control/queuelifetime", 604800) < 0) return -1;
	if (control_read_ulong(&c->retrymin, "control/retrymin", 60) < 0) return -1;
	if (c->conclocal < 1) c->conclocal = 1;
	if (c->concremote < 1) c->concremote = 1;
	if (c->perdomain < 1) c->perdomain = 1;
	if (c->retrymin < 1) c->retrymin = 1;
	return 0;
}

/* ---- the table of known messages ---- */

struct qmsg *qmsg_find(struct qmsg_world *w, unsigned long long id)
{
	struct qmsg *m;
	for (m = w->table[id % QMSG_HASH]; m; m = m->hnext)
		if (m->id == id) return m;
	return NULL;
}

static struct qmsg *msg_new(struct qmsg_world *w, unsigned long long id)
{
	struct qmsg *m = calloc(1, sizeof *m);
	if (!m) return NULL;
	m->id = id;
	m->status = QM_WAITING;
	m->hnext = w->table[id % QMSG_HASH];
	w->table[id % QMSG_HASH] = m;
	return m;
}

static void msg_forget(struct qmsg_world *w, struct qmsg *m)
{
	struct qmsg **p = &w->table[m->id % QMSG_HASH];
	while (*p != m) p = &(*p)->hnext;
	*p = m->hnext;
	str_free(&m->raw);
	free(m);
}

int qmsg_path(str *out, const char *dir, unsigned long long id) { return queue_path(out, dir, id); }

/* ---- scanning ---- */

static time_t info_next_time(unsigned long long id, time_t now)
{
	str path = STR_INIT, data = STR_INIT;
	time_t next = now;
	if (qmsg_path(&path, "queue/info", id) == 0 && slurp_path(path.s, &data, INFO_MAX) == 1)
		if (infofile_next(data.s, data.len, &next) != 0) next = now;
	str_free(&path);
	str_free(&data);
	return next;
}

int qmsg_scan_mess(struct qmsg_world *w, time_t now)
{
	str dir = STR_INIT;
	unsigned int s;
	int r = 0;
	for (s = 0; s < w->split && r == 0; s++) {
		DIR *d;
		struct dirent *e;
		unsigned long long id;
		dir.len = 0;
		if (str_cats(&dir, "queue/mess/") < 0 || str_catnum(&dir, s) < 0 || str_0(&dir) < 0) { r = -1; break; }
		if (!(d = opendir(dir.s))) { qmsg_log_error(w, 0, "cannot read queue/mess", errno); continue; }
		while ((e = readdir(d)) != NULL) {
			struct qmsg *m;
			if (!scan_ulong_all(e->d_name, &id) || qmsg_find(w, id)) continue;
			if (!(m = msg_new(w, id))) { r = -1; break; }
			if (schedule_push(&w->heap, info_next_time(id, now), m) < 0) { r = -1; break; }
		}
		closedir(d);
	}
	str_free(&dir);
	return r;
}

void qmsg_info_cleanup(struct qmsg_world *w)
{
	str path = STR_INIT;
	unsigned int s;
	for (s = 0; s < w->split; s++) {
		DIR *d;
		struct dirent *e;
		unsigned long long id;
		path.len = 0;
		if (str_cats(&path, "queue/info/") < 0 || str_catnum(&path, s) < 0 || str_0(&path) < 0) break;
		if (!(d = opendir(path.s))) continue;
		while ((e = readdir(d)) != NULL) {
			size_t base = path.len;
			if (e->d_name[0] == '.') continue;
			/* Leftover temporary files of atomic_write, and state of
			   messages that are gone. */
			if (scan_ulong_all(e->d_name, &id) && qmsg_find(w, id)) continue;
			if (str_catc(&path, '/') < 0 || str_cats(&path, e->d_name) < 0 || str_0(&path) < 0) break;
			if (unlink(path.s) < 0) qmsg_log_error(w, 0, "cannot remove a stale info file", errno);
			path.len = base;
		}
		closedir(d);
	}
	str_free(&path);
}

/* ---- loading ---- */

static void unload(struct qmsg_world *w, struct qmsg *m)
{
	size_t i;
	if (m->r) {
		for (i = 0; i < m->env.nrcpt; i++) {
			str_free(&m->r[i].dest);
			str_free(&m->r[i].text);
			if (m->r[i].dom) m->r[i].dom->refs--;
		}
		free(m->r);
		m->r = NULL;
	}
	envelope_free(&m->env);
	memset(&m->env, 0, sizeof m->env);
	str_free(&m->raw);
	m->open = 0;
	if (m->status == QM_ACTIVE) w->nactive--;
}

/* Applies queue/info/S/N to the freshly parsed recipients. 0 or -1 (read error). */
static int info_load(struct qmsg_world *w, struct qmsg *m)
{
	str path = STR_INIT, data = STR_INIT;
	size_t n = m->env.nrcpt, i;
	unsigned char *st = calloc(n ? n : 1, 1);
	str *tx = calloc(n ? n : 1, sizeof *tx);
	time_t birth = 0, next = 0;
	int r = -1;
	if (!st || !tx || qmsg_path(&path, "queue/info", m->id) < 0) goto out;
	r = slurp_path(path.s, &data, INFO_MAX);
	if (r <= 0) { m->has_info = 0; goto out; }
	m->has_info = 1;
	r = infofile_parse(data.s, data.len, n, &birth, &next, st, tx);
	if (r == -1) goto out;
	if (r != 0 || birth != m->birth) {
		/* Not this message's state (or damaged): deliver everything again. */
		qmsg_log_error(w, m->id, "ignoring a stale or damaged info file", 0);
		r = 0;
		goto out;
	}
	for (i = 0; i < n; i++) {
		m->r[i].state = st[i] == INFO_DONE ? QR_DONE : st[i] == INFO_FAILED ? QR_FAILED : QR_PENDING;
		m->r[i].text = tx[i];
		tx[i].s = NULL;
	}
out:
	if (tx) for (i = 0; i < n; i++) str_free(&tx[i]);
	free(tx);
	free(st);
	str_free(&path);
	str_free(&data);
	return r < 0 ? -1 : 0;
}

#define LOAD_OK 0
#define LOAD_GONE 1
#define LOAD_BROKEN 2
#define LOAD_TEMP 3
#define LOAD_NOMEM 4

static int load(struct qmsg_world *w, struct qmsg *m)
{
	str path = STR_INIT;
	struct stat st;
	int fd, r;
	if (qmsg_path(&path, "queue/mess", m->id) < 0) return LOAD_TEMP;
	fd = open(path.s, O_RDONLY | O_CLOEXEC);
	str_free(&path);
	if (fd < 0) return errno == ENOENT ? LOAD_GONE : LOAD_TEMP;
	if (fstat(fd, &st) < 0) { close(fd); return LOAD_TEMP; }
	m->birth = st.st_mtime;
	r = queue_file_read_envelope(fd, &m->msglen, &m->raw);
	close(fd);
	if (r == ENVELOPE_BAD) return LOAD_BROKEN;
	if (r < 0) return LOAD_TEMP;
	r = envelope_parse(m->raw.s, m->raw.len, &m->env);
	if (r == ENVELOPE_BAD || r == ENVELOPE_TOO_LONG) return LOAD_BROKEN;
	if (r < 0) return LOAD_TEMP;
	m->r = calloc(m->env.nrcpt ? m->env.nrcpt : 1, sizeof *m->r);
	if (!m->r || info_load(w, m) < 0) return LOAD_TEMP;
	m->gen = ++w->gen;
	/* Failing half-way would leave queue entries behind: fatal. */
	return qmsg_classify(w, m) < 0 ? LOAD_NOMEM : LOAD_OK;
}

static void log_new(struct qmsg_world *w, struct qmsg *m)
{
	str line = STR_INIT;
	logline_kvs(&line, "event", "new");
	logline_kvnum(&line, "id", m->id);
	logline_kvnum(&line, "size", m->msglen);
	logline_kv(&line, "from", m->env.sender, m->env.sender_len);
	logline_kvnum(&line, "nrcpt", m->env.nrcpt);
	qmsg_log(w, &line);
	str_free(&line);
}

/* Starts a delivery pass. The message stays known except when gone. */
static int start(struct qmsg_world *w, struct qmsg *m)
{
	int r = load(w, m);
	if (r == LOAD_NOMEM) return -1;
	if (r == LOAD_OK) {
		m->status = QM_ACTIVE;
		w->nactive++;
		if (!m->has_info) log_new(w, m);
		if (m->open == 0) qmsg_pass_end(w, m);
		return 0;
	}
	unload(w, m);
	if (r == LOAD_GONE) { msg_forget(w, m); return 0; }
	if (r == LOAD_BROKEN) {
		/* Never deleted silently: an admin must look at it. */
		m->status = QM_BROKEN;
		qmsg_log_error(w, m->id, "corrupt queue file left alone", 0);
		return 0;
	}
	m->status = QM_WAITING;
	qmsg_log_error(w, m->id, "cannot read the message now; will retry", errno);
	return schedule_push(&w->heap, time(NULL) + (time_t)w->cfg.retrymin, m);
}

int qmsg_ingest(struct qmsg_world *w, unsigned long long id)
{
	struct qmsg *m = qmsg_find(w, id);
	if (m) return (m->status == QM_REMOVING || m->status == QM_REMOVE_RETRY) ? QMSG_BUSY : 0;
	if (!(m = msg_new(w, id))) return -1;
	return start(w, m);
}

int qmsg_due(struct qmsg_world *w, time_t now, size_t max)
{
	size_t n = 0;
	void *p;
	while (n < max && schedule_pop_due(&w->heap, now, &p)) {
		struct qmsg *m = p;
		if (m->status == QM_REMOVE_RETRY) {
			m->status = QM_REMOVING;
			w->clean('X', m->id);
		} else if (m->status == QM_WAITING && start(w, m) < 0) {
			return -1;
		}
		n++;
	}
	return 0;
}

void qmsg_retry_all(struct qmsg_world *w) { schedule_all_at(&w->heap, 0); }

/* ---- the end of a pass ---- */

static int persist(struct qmsg_world *w, struct qmsg *m, time_t next)
{
	str path = STR_INIT, data = STR_INIT;
	size_t n = m->env.nrcpt, i;
	unsigned char *st = calloc(n ? n : 1, 1);
	str *tx = calloc(n ? n : 1, sizeof *tx);
	int r = -1;
	if (st && tx && qmsg_path(&path, "queue/info", m->id) == 0) {
		for (i = 0; i < n; i++) {
			st[i] = m->r[i].state == QR_DONE ? INFO_DONE : m->r[i].state == QR_FAILED ? INFO_FAILED : INFO_PENDING;
			tx[i] = m->r[i].text;
		}
		if (infofile_encode(&data, m->birth, next, n, st, tx) == 0) {
			m->has_info = 1;
			r = atomic_write(path.s, data.s, data.len, 0600);
		}
	}
	if (r < 0) qmsg_log_error(w, m->id, "cannot write the info file", errno);
	free(st);
	free(tx);
	str_free(&path);
	str_free(&data);
	return r;
}

/* Every recipient is done: forget the state, then the message. */
static void finish(struct qmsg_world *w, struct qmsg *m)
{
	str path = STR_INIT, line = STR_INIT;
	if (m->has_info && qmsg_path(&path, "queue/info", m->id) == 0) {
		/* Durably gone before the message goes, so a new message with
		   this inode number never inherits it. */
		if (unlink(path.s) < 0 && errno != ENOENT) qmsg_log_error(w, m->id, "cannot remove the info file", errno);
		path.len = 0;
		if (str_cats(&path, "queue/info/") == 0 && str_catnum(&path, m->id % w->split) == 0 &&
		    str_0(&path) == 0 && io_fsync_dir(path.s) < 0)
			qmsg_log_error(w, m->id, "cannot sync queue/info", errno);
	}
	unload(w, m);
	m->status = QM_REMOVING;
	w->clean('X', m->id);
	logline_kvs(&line, "event", "remove");
	logline_kvnum(&line, "id", m->id);
	qmsg_log(w, &line);
	str_free(&line);
	str_free(&path);
}

static void expire(struct qmsg_world *w, struct qmsg *m)
{
	size_t i;
	for (i = 0; i < m->env.nrcpt; i++) {
		struct qrcpt *r = &m->r[i];
		str t = STR_INIT;
		if (r->state != QR_DEFERRED && r->state != QR_PENDING) continue;
		if (str_cats(&t, "4.4.7 message expired in the queue") < 0 ||
		    (r->text.len && (str_cats(&t, "; last error: ") < 0 || str_cat(&t, &r->text) < 0))) {
			str_free(&t);
			continue;
		}
		str_free(&r->text);
		r->text = t;
		r->state = QR_FAILED;
	}
}

void qmsg_pass_end(struct qmsg_world *w, struct qmsg *m)
{
	time_t now = time(NULL), next;
	size_t i, done = 0, failed = 0;
	if (schedule_expired(m->birth, now, (unsigned long)w->cfg.lifetime)) expire(w, m);
	for (i = 0; i < m->env.nrcpt; i++) failed += m->r[i].state == QR_FAILED;
	if (failed && qmsg_bounce(w, m) == 0)
		for (i = 0; i < m->env.nrcpt; i++)
			if (m->r[i].state == QR_FAILED) m->r[i].state = QR_DONE;
	failed = 0;
	for (i = 0; i < m->env.nrcpt; i++) {
		done += m->r[i].state == QR_DONE;
		failed += m->r[i].state == QR_FAILED;
	}
	if (done == m->env.nrcpt) { finish(w, m); return; }
	next = schedule_next(m->birth, now, (unsigned long)w->cfg.retrymin, (unsigned long)w->cfg.lifetime);
	/* A bounce that could not be queued is tried again soon. */
	if (failed && next > now + (time_t)w->cfg.retrymin) next = now + (time_t)w->cfg.retrymin;
	for (i = 0; i < m->env.nrcpt; i++)
		if (m->r[i].state == QR_DEFERRED) m->r[i].state = QR_PENDING;
	persist(w, m, next);
	unload(w, m);
	m->status = QM_WAITING;
	if (schedule_push(&w->heap, next, m) < 0) qmsg_log_error(w, m->id, "out of memory", ENOMEM);
}

void qmsg_removed(struct qmsg_world *w, unsigned long long id, int ok)
{
	struct qmsg *m = qmsg_find(w, id);
	if (!m || m->status != QM_REMOVING) return;
	if (ok) { msg_forget(w, m); return; }
	qmsg_log_error(w, id, "queue-clean could not remove the message; will retry", 0);
	m->status = QM_REMOVE_RETRY;
	schedule_push(&w->heap, time(NULL) + (time_t)w->cfg.retrymin, m);
}

void qmsg_persist_all(struct qmsg_world *w, time_t now)
{
	size_t h, i;
	struct qmsg *m;
	for (h = 0; h < QMSG_HASH; h++)
		for (m = w->table[h]; m; m = m->hnext) {
			int any = 0;
			if (m->status != QM_ACTIVE) continue;
			for (i = 0; i < m->env.nrcpt; i++)
				any |= m->r[i].state == QR_DONE || m->r[i].state == QR_FAILED;
			if (any) persist(w, m, now);
		}
}
