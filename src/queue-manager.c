/* queue-manager: schedules every queued message's deliveries
   (doc/queue-manager.md). Runs as tern-send; talks to local-spawn,
   remote-spawn and queue-clean over the pipes of doc/internals.md. The
   per-message model (loading, state files, bounces) is in
   src/lib/qmsg.c; this file holds the event loop, ingestion and
   dispatch. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>
#include "control.h"
#include "die.h"
#include "io.h"
#include "jobs.h"
#include "logline.h"
#include "qmsg.h"
#include "scan.h"
#include "schedule.h"
#include "vec.h"

#define BATCH 50              /* todo entries, and due messages, per loop turn */
#define JOB_MSG_MAX 50        /* messages in one remote job */
#define ACTIVE_MAX 10000      /* messages loaded at once */
#define RESCAN_EVERY 1800     /* full scan of mess/ for lost todo hints */
#define TODO_EVERY 300        /* todo/ scan without a trigger */
#define CLEAN_EVERY 3600      /* queue-clean's C */
#define STOP_GRACE 120        /* TERM: how long in-flight jobs may take */

struct chan {
	int out, in;
	str w;                    /* bytes waiting to be written */
	size_t wpos;
	str r;                    /* bytes read, not yet parsed */
	size_t busy;              /* jobs in flight */
	int dead;
};

struct jobitem { struct qmsg *m; size_t i, pos; int reported; };
struct mjob {
	unsigned long long id;
	struct chan *c;
	struct qdomain *dom;      /* remote jobs */
	struct jobitem *it;
	size_t n, a;
};

static struct qmsg_world W;
static struct chan local = { 3, 4, STR_INIT, 0, STR_INIT, 0, 0 };
static struct chan remote = { 5, 6, STR_INIT, 0, STR_INIT, 0, 0 };
static struct chan clean = { 7, 8, STR_INIT, 0, STR_INIT, 0, 0 };
static struct mjob *jobs;
static size_t njobs, ajobs;
static unsigned long long jobseq;
static unsigned long long *todo;   /* ids found in todo/ */
static size_t ntodo, todopos, atodo;
static int todo_wanted = 1;
static int trigger = -1, trigger_w = -1;
static volatile sig_atomic_t got_alrm, got_hup, got_term;

static void on_signal(int sig)
{
	if (sig == SIGALRM) got_alrm = 1;
	else if (sig == SIGHUP) got_hup = 1;
	else got_term = 1;
}


/* ---- pipes ---- */

static void chan_flush(struct chan *c)
{
	while (!c->dead && c->wpos < c->w.len) {
		ssize_t n = write(c->out, c->w.s + c->wpos, c->w.len - c->wpos);
		if (n < 0 && errno == EINTR) continue;
		if (n < 0 && errno == EAGAIN) return;
		if (n <= 0) { c->dead = 1; warn_sys("cannot write to a spawner", NULL); break; }
		c->wpos += (size_t)n;
	}
	if (c->wpos == c->w.len) c->w.len = c->wpos = 0;
}

/* Reads what is there. 1 data or nothing new, 0 EOF, -1 error. */
static int chan_read(struct chan *c)
{
	char buf[8192];
	ssize_t n = read(c->in, buf, sizeof buf);
	if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 1 : -1;
	if (n == 0) return 0;
	if (str_catb(&c->r, buf, (size_t)n) < 0) die_nomem();
	return 1;
}

static void chan_consume(struct chan *c, size_t used)
{
	memmove(c->r.s, c->r.s + used, c->r.len - used);
	c->r.len -= used;
}

/* ---- queue-clean ---- */

struct cleancmd { char letter; unsigned long long id; };
static struct cleancmd *cmds;   /* asked, not answered: cmds[cmdhead..ncmds) */
static size_t cmdhead, ncmds, acmds;

static void clean_send(char letter, unsigned long long id)
{
	if (cmdhead == ncmds) cmdhead = ncmds = 0;
	if (ncmds == acmds && cmdhead > acmds / 2) {
		memmove(cmds, cmds + cmdhead, (ncmds - cmdhead) * sizeof *cmds);
		ncmds -= cmdhead;
		cmdhead = 0;
	}
	if (VEC_READY(cmds, acmds, ncmds + 1) < 0) die_nomem();
	cmds[ncmds].letter = letter;
	cmds[ncmds++].id = id;
	if (str_catc(&clean.w, letter) < 0 || (letter != 'C' && str_catnum(&clean.w, id) < 0) ||
	    str_cat0(&clean.w) < 0)
		die_nomem();
}

static void clean_replies(void)
{
	const char *z;
	size_t pos = 0;
	while (pos < clean.r.len && (z = memchr(clean.r.s + pos, 0, clean.r.len - pos)) != NULL) {
		int ok = clean.r.s[pos] == 'K';
		struct cleancmd *c = &cmds[cmdhead];
		if (cmdhead == ncmds) die_temp("queue-clean answered an unasked question", NULL);
		cmdhead++;
		if (c->letter == 'X') qmsg_removed(&W, c->id, ok);
		else if (!ok) warn("queue-clean could not carry out a command", NULL);
		pos = (size_t)(z - clean.r.s) + 1;
	}
	chan_consume(&clean, pos);
}

/* ---- jobs ---- */

static struct mjob *job_new(struct chan *c, struct qdomain *dom)
{
	struct mjob *j;
	if (VEC_READY(jobs, ajobs, njobs + 1) < 0) die_nomem();
	j = &jobs[njobs++];
	memset(j, 0, sizeof *j);
	j->id = ++jobseq;
	j->c = c;
	j->dom = dom;
	c->busy++;
	if (dom) dom->inflight++;
	return j;
}

static void job_add(struct mjob *j, struct qmsg *m, size_t i, size_t pos)
{
	if (VEC_READY(j->it, j->a, j->n + 1) < 0) die_nomem();
	j->it[j->n].m = m;
	j->it[j->n].i = i;
	j->it[j->n].pos = pos;
	j->it[j->n].reported = 0;
	j->n++;
	qmsg_busy(m, i);
}

static void job_finish(size_t k)
{
	struct mjob *j = &jobs[k];
	struct jobitem *it = j->it;
	size_t n = j->n, i;
	j->c->busy--;
	if (j->dom) j->dom->inflight--;
	jobs[k] = jobs[--njobs];
	/* Every recipient without a report is a temporary failure. */
	for (i = 0; i < n; i++)
		if (!it[i].reported)
			qmsg_result(&W, it[i].m, it[i].i, JOBS_TEMPORARY, "4.3.0 no report from the spawner", 32);
	free(it);
}

static void dispatch_local(void)
{
	struct qmsg *m;
	size_t i;
	while (!local.dead && local.busy < W.cfg.conclocal && qmsg_local_next(&W, &m, &i)) {
		struct mjob *j = job_new(&local, NULL);
		const str *dest = &m->r[i].dest;
		size_t at = dest->len;
		while (at > 0 && dest->s[at - 1] != '@') at--;
		if (jobs_job_begin(&local.w, j->id, dest->s + at, dest->len - at) < 0 ||
		    jobs_job_msg(&local.w, m->id, m->env.sender, m->env.sender_len) < 0 ||
		    jobs_job_rcpt(&local.w, dest->s, dest->len) < 0 || jobs_job_end(&local.w) < 0)
			die_nomem();
		job_add(j, m, i, 0);
	}
}

/* One remote job for dom: up to JOB_MSG_MAX messages, each with all its
   pending recipients at dom. */
static void dispatch_domain(struct qdomain *dom)
{
	struct mjob *j = NULL;
	struct qmsg *m;
	size_t nmsg = 0, i, pos;
	while (nmsg < JOB_MSG_MAX && qmsg_domain_next(dom, &m)) {
		for (i = 0, pos = 0; i < m->env.nrcpt; i++) {
			if (!qmsg_remote_pending(m, i, dom)) continue;
			if (!j) {
				j = job_new(&remote, dom);
				if (jobs_job_begin(&remote.w, j->id, dom->name.s, dom->name.len) < 0) die_nomem();
			}
			if (pos == 0 && jobs_job_msg(&remote.w, m->id, m->env.sender, m->env.sender_len) < 0) die_nomem();
			if (jobs_job_rcpt(&remote.w, m->env.rcpt[i].addr, m->env.rcpt[i].len) < 0) die_nomem();
			job_add(j, m, i, pos++);
		}
		if (pos) nmsg++;
	}
	if (j && jobs_job_end(&remote.w) < 0) die_nomem();
}

static void dispatch_remote(void)
{
	static size_t start;
	size_t k, n = W.ndomains;
	if (remote.dead || n == 0) return;
	for (k = 0; k < n && remote.busy < W.cfg.concremote; k++) {
		struct qdomain *dom = W.domains[(start + k) % n];
		while (dom->qlen > dom->qhead && dom->inflight < W.cfg.perdomain &&
		       remote.busy < W.cfg.concremote)
			dispatch_domain(dom);
	}
	start = n ? (start + 1) % n : 0;
}

static void reports(struct chan *c)
{
	struct job_report rep;
	size_t used = 0, k, pos = 0;
	int r;
	while ((r = jobs_report_parse(c->r.s + pos, c->r.len - pos, &rep, &used)) == 1) {
		for (k = 0; k < njobs && !(jobs[k].id == rep.jobid && jobs[k].c == c); k++) ;
		if (k == njobs) {
			warn("report for an unknown job", NULL);
		} else if (rep.kind == 'E') {
			job_finish(k);
		} else {
			struct mjob *j = &jobs[k];
			size_t i;
			for (i = 0; i < j->n; i++) {
				struct jobitem *it = &j->it[i];
				/* reported first: a message whose recipients have all
				   reported may already be freed (qmsg_result). */
				if (it->reported || it->m->id != rep.msgid || it->pos != rep.index) continue;
				it->reported = 1;
				qmsg_result(&W, it->m, it->i, rep.status, rep.text, rep.text_len);
				break;
			}
		}
		pos += used;
	}
	chan_consume(c, pos);
	if (r == JOBS_BAD) {
		warn("malformed report from a spawner", NULL);
		if (c == &local) die_temp("local-spawn is broken", NULL);
		c->dead = 1;
	}
}

/* ---- todo/ ---- */

static void todo_scan(void)
{
	str dir = STR_INIT;
	unsigned int s;
	ntodo = todopos = 0;
	for (s = 0; s < W.split; s++) {
		DIR *d;
		struct dirent *e;
		unsigned long long id;
		dir.len = 0;
		if (str_cats(&dir, "queue/todo/") < 0 || str_catnum(&dir, s) < 0 || str_0(&dir) < 0) die_nomem();
		if (!(d = opendir(dir.s))) { warn_sys("cannot read ", dir.s, NULL); continue; }
		while ((e = readdir(d)) != NULL) {
			if (!scan_ulong_all(e->d_name, &id)) continue;
			if (VEC_READY(todo, atodo, ntodo + 1) < 0) die_nomem();
			todo[ntodo++] = id;
		}
		closedir(d);
	}
	str_free(&dir);
}

/* At most BATCH new messages per turn, so deliveries keep flowing. */
static void todo_ingest(void)
{
	size_t done = 0;
	while (todopos < ntodo && done < BATCH && W.nactive < ACTIVE_MAX) {
		unsigned long long id = todo[todopos++];
		int r = qmsg_ingest(&W, id);
		if (r < 0) die_nomem();
		if (r == QMSG_BUSY) { todo_wanted = 1; continue; }   /* being removed: look again later */
		clean_send('T', id);
		done++;
	}
}

/* ---- the trigger ---- */

static void trigger_open(void)
{
	if (trigger >= 0) close(trigger);
	trigger = open("queue/lock/trigger", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (trigger < 0) die_temp_sys("cannot open queue/lock/trigger", NULL);
	/* Our own writer keeps the fifo from reporting EOF forever once an
	   injector closes it; without write permission we reopen on EOF. */
	if (trigger_w < 0) trigger_w = open("queue/lock/trigger", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
}

static void trigger_drain(void)
{
	char buf[256];
	ssize_t n;
	while ((n = read(trigger, buf, sizeof buf)) > 0) ;
	if (n == 0) trigger_open();
	todo_wanted = 1;
}

/* ---- hooks for the model ---- */

static void log_line(str *line)
{
	if (logline_emit(line) < 0) line->len = 0;
}

static void clean_hook(char letter, unsigned long long id) { clean_send(letter, id); }

/* ---- start-up ---- */

static void setup(void)
{
	int fd, i;
	struct sigaction sa;
	if (control_chdir_home() < 0) die_temp_sys("cannot chdir to home", NULL);
	fd = open("queue/lock/sendmutex", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) die_temp_sys("cannot open queue/lock/sendmutex", NULL);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) die_temp_sys("another queue-manager is running", NULL);
	/* The pipes must not leak into queue-inject (bounces). */
	for (i = 3; i <= 8; i++) io_cloexec(i);
	io_nonblock(3, 1); io_nonblock(4, 1); io_nonblock(5, 1);
	io_nonblock(6, 1); io_nonblock(7, 1); io_nonblock(8, 1);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	qmsg_world_init(&W);
	W.clean = clean_hook;
	W.log = log_line;
	if (qmsg_config_read(&W) < 0) die_temp_sys("cannot read control files", NULL);
	trigger_open();
	if (qmsg_scan_mess(&W, time(NULL)) < 0) die_nomem();
	qmsg_info_cleanup(&W);
	{
		str line = STR_INIT;
		logline_kvs(&line, "event", "start");
		logline_kvnum(&line, "queued", W.heap.n);
		logline_emit(&line);
		str_free(&line);
	}
}

static void shutdown_now(void)
{
	str line = STR_INIT;
	qmsg_persist_all(&W, time(NULL));
	chan_flush(&clean);
	logline_kvs(&line, "event", "stop");
	logline_kvnum(&line, "jobs", njobs);
	logline_emit(&line);
	_exit(0);
}

/* ---- the loop ---- */

struct timers { time_t rescan, todo, clean, stop; };

static void periodic(struct timers *t, time_t now)
{
	if (now >= t->clean) { clean_send('C', 0); t->clean = now + CLEAN_EVERY; }
	if (now >= t->rescan) {
		if (qmsg_scan_mess(&W, now) < 0) die_nomem();
		t->rescan = now + RESCAN_EVERY;
	}
	if (now >= t->todo) { todo_wanted = 1; t->todo = now + TODO_EVERY; }
}

static int poll_timeout(const struct timers *t, time_t now, int stopping)
{
	time_t until = t->clean, first = schedule_first(&W.heap);
	/* A signal that came while it was unblocked (bounces) is handled now. */
	if (got_alrm || got_hup || got_term) return 0;
	if (stopping) until = t->stop;
	if (!stopping && todopos < ntodo && W.nactive < ACTIVE_MAX) return 0;
	if (!stopping && t->rescan < until) until = t->rescan;
	if (!stopping && t->todo < until) until = t->todo;
	if (!stopping && W.heap.n && first < until) until = first;
	if (until <= now) return W.nactive < ACTIVE_MAX || stopping ? 0 : 1000;
	return until - now > 3600 ? 3600 * 1000 : (int)(until - now) * 1000;
}

static void handle_input(struct pollfd *p)
{
	int r;
	if (p[0].revents) trigger_drain();
	if (p[1].revents) {
		r = chan_read(&local);
		if (r <= 0) die_temp("local-spawn went away", NULL);
		reports(&local);
	}
	if (p[2].revents && !remote.dead) {
		r = chan_read(&remote);
		if (r <= 0) {
			size_t k = 0;
			warn("remote-spawn went away; remote deliveries wait", NULL);
			remote.dead = 1;
			while (k < njobs) { if (jobs[k].c == &remote) job_finish(k); else k++; }
		} else {
			reports(&remote);
		}
	}
	if (p[3].revents) {
		r = chan_read(&clean);
		if (r <= 0) die_temp("queue-clean went away", NULL);
		clean_replies();
	}
}

static void loop(void)
{
	struct timers t;
	struct pollfd p[7];
	sigset_t block, none;
	time_t now = time(NULL);
	int stopping = 0;
	t.rescan = now + RESCAN_EVERY; t.todo = now + TODO_EVERY; t.clean = now; t.stop = 0;
	sigemptyset(&block); sigemptyset(&none);
	sigaddset(&block, SIGALRM); sigaddset(&block, SIGHUP); sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, NULL);
	for (;;) {
		now = time(NULL);
		if (got_hup) { got_hup = 0; if (qmsg_config_read(&W) < 0) warn_sys("cannot reread control files", NULL); }
		if (got_alrm) { got_alrm = 0; qmsg_retry_all(&W); }
		if (got_term && !stopping) { stopping = 1; t.stop = now + STOP_GRACE; }
		if (stopping && ((local.busy == 0 && remote.busy == 0) || now >= t.stop)) shutdown_now();
		if (!stopping) {
			periodic(&t, now);
			if (todo_wanted && todopos >= ntodo) { todo_wanted = 0; todo_scan(); }
			todo_ingest();
			if (W.nactive < ACTIVE_MAX && qmsg_due(&W, now, BATCH) < 0) die_nomem();
			qmsg_domains_sweep(&W);
			dispatch_local();
			dispatch_remote();
		}
		chan_flush(&local); chan_flush(&remote); chan_flush(&clean);
		if (local.dead) die_temp("cannot write to local-spawn", NULL);
		if (clean.dead) die_temp("cannot write to queue-clean", NULL);
		p[0].fd = trigger; p[0].events = POLLIN;
		p[1].fd = 4; p[1].events = POLLIN;
		p[2].fd = remote.dead ? -1 : 6; p[2].events = POLLIN;
		p[3].fd = 8; p[3].events = POLLIN;
		p[4].fd = local.wpos < local.w.len ? 3 : -1; p[4].events = POLLOUT;
		p[5].fd = !remote.dead && remote.wpos < remote.w.len ? 5 : -1; p[5].events = POLLOUT;
		p[6].fd = clean.wpos < clean.w.len ? 7 : -1; p[6].events = POLLOUT;
		{
			int ms = poll_timeout(&t, now, stopping);
			struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
			if (ppoll(p, 7, &ts, &none) < 0) {
				if (errno == EINTR) continue;
				die_temp_sys("poll failed", NULL);
			}
		}
		handle_input(p);
	}
}

int main(void)
{
	die_program = "queue-manager";
	setup();
	loop();
	return 111;
}
