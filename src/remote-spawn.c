/* remote-spawn: runs one relay-remote per remote job (doc/remote-spawn.md).
   Jobs on fd 0, reports on fd 1 (doc/internals.md), log on fd 2. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "control.h"
#include "die.h"
#include "io.h"
#include "jobs.h"
#include "logline.h"
#include "str.h"

#define CONCURRENCY_DEFAULT 20
#define CONCURRENCY_MAX 1000
#define CRASH_TEXT "4.4.2 relay-remote crashed or exited without reporting this recipient"

struct child {
	pid_t pid;
	int fd;                 /* its reports; -1 when the slot is free */
	str raw;                /* the job's bytes: job points into them */
	struct job job;
	char *done;             /* per recipient of the job: reported yet? */
	str in;                 /* report bytes not yet parsed */
};

static struct child *kids;
static size_t nkids, running;
static char *const *relay_argv;
static str jobs_in, out;

static void out_flush(void)
{
	if (out.len && io_write_all(1, out.s, out.len) < 0) die_temp_sys("cannot write reports", NULL);
	out.len = 0;
}

static void log_job(const char *event, const struct child *c, int status)
{
	str l = STR_INIT;
	if (logline_kvs(&l, "event", event) == 0 && logline_kvnum(&l, "job", c->job.id) == 0 &&
	    logline_kv(&l, "domain", c->job.domain, c->job.domain_len) == 0 &&
	    logline_kvnum(&l, "msgs", c->job.nmsg) == 0 && logline_kvnum(&l, "rcpts", c->job.nrcpt) == 0 &&
	    (status < 0 || logline_kvnum(&l, "wait", (unsigned long long)status) == 0))
		logline_emit(&l);
	str_free(&l);
}

/* Runs relay-remote on the job with the job on a pipe to its fd 0 and
   its reports on a pipe from its fd 1. 0, or -1 (then the caller
   defers the whole job). */
static int child_start(struct child *c)
{
	int jp[2], rp[2];
	if (pipe2(jp, O_CLOEXEC) < 0) return -1;
	if (pipe2(rp, O_CLOEXEC) < 0) { close(jp[0]); close(jp[1]); return -1; }
	c->pid = fork();
	if (c->pid < 0) { close(jp[0]); close(jp[1]); close(rp[0]); close(rp[1]); return -1; }
	if (c->pid == 0) {
		if (dup2(jp[0], 0) < 0 || dup2(rp[1], 1) < 0) _exit(111);
		execv(relay_argv[0], relay_argv);
		warn_sys("cannot run ", relay_argv[0], NULL);
		_exit(111);
	}
	close(jp[0]);
	close(rp[1]);
	/* relay-remote reads its whole job before anything else, so this
	   blocking write ends soon; EPIPE (it died) is caught at EOF. */
	(void)io_write_all(jp[1], c->raw.s, c->raw.len);
	close(jp[1]);
	c->fd = rp[0];
	running++;
	log_job("relay-start", c, -1);
	return 0;
}

/* Every recipient not yet reported gets Z, then E. */
static void job_finish(struct child *c)
{
	for (size_t i = 0; i < c->job.nmsg; i++) {
		const struct job_msg *m = &c->job.msg[i];
		for (size_t k = 0; k < m->n; k++)
			if (!c->done[m->first + k] &&
			    jobs_report_s(&out, c->job.id, m->id, k, JOBS_TEMPORARY, CRASH_TEXT) < 0)
				die_nomem();
	}
	if (jobs_end(&out, c->job.id) < 0) die_nomem();
	out_flush();
}

/* Takes the next whole job from jobs_in into a free slot and starts it.
   1 started (or answered at once), 0 no whole job yet, -1 bad input. */
static int job_take(void)
{
	struct child *c = NULL;
	size_t used = 0;
	int r;
	for (size_t i = 0; i < nkids; i++) if (kids[i].fd < 0 && kids[i].pid == 0) { c = &kids[i]; break; }
	if (!c) return 0;
	r = jobs_parse(jobs_in.s, jobs_in.len, &c->job, &used);
	if (r == 0) return 0;
	if (r < 0) return -1;
	/* Keep a private copy of the bytes: jobs_in moves on. */
	if (str_copyb(&c->raw, jobs_in.s, used) < 0 || jobs_parse(c->raw.s, c->raw.len, &c->job, &used) != 1)
		die_nomem();
	memmove(jobs_in.s, jobs_in.s + used, jobs_in.len - used);
	jobs_in.len -= used;
	free(c->done);
	c->done = calloc(c->job.nrcpt ? c->job.nrcpt : 1, 1);
	if (!c->done) die_nomem();
	c->in.len = 0;
	if (child_start(c) < 0) {
		warn_sys("cannot start relay-remote", NULL);
		job_finish(c);
		c->pid = 0;
	}
	return 1;
}

/* Passes on one report of the child, if it names a recipient of its
   job that has no report yet. */
static void report_forward(struct child *c, const struct job_report *r)
{
	if (r->kind != 'R' || r->jobid != c->job.id) return;
	for (size_t i = 0; i < c->job.nmsg; i++) {
		const struct job_msg *m = &c->job.msg[i];
		if (m->id != r->msgid || r->index >= m->n || c->done[m->first + r->index]) continue;
		c->done[m->first + r->index] = 1;
		if (jobs_report(&out, c->job.id, r->msgid, r->index, r->status, r->text, r->text_len) < 0)
			die_nomem();
		return;
	}
}

/* Reads the child's reports; at EOF reaps it and ends the job. */
static void child_read(struct child *c)
{
	char buf[8192];
	ssize_t n = io_read(c->fd, buf, sizeof buf);
	struct job_report rep;
	size_t used, pos = 0;
	int st, r;
	if (n > 0) {
		if (str_catb(&c->in, buf, (size_t)n) < 0) die_nomem();
		while ((r = jobs_report_parse(c->in.s + pos, c->in.len - pos, &rep, &used)) == 1) {
			report_forward(c, &rep);
			pos += used;
		}
		memmove(c->in.s, c->in.s + pos, c->in.len - pos);
		c->in.len -= pos;
		out_flush();
		if (r != JOBS_BAD) return;
		warn("malformed report from relay-remote; the rest of its job is deferred", NULL);
		kill(c->pid, SIGTERM);
	}
	close(c->fd);
	c->fd = -1;
	while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR) {}
	log_job("relay-end", c, st);
	job_finish(c);
	c->pid = 0;
	running--;
}

static void setup(int argc, char **argv)
{
	unsigned long long conc;
	static char *dflt[] = { "bin/relay-remote", NULL };
	die_program = "remote-spawn";
	signal(SIGPIPE, SIG_IGN);
	if (control_chdir_home() < 0) die_temp_sys("cannot chdir to home", NULL);
	if (control_read_ulong(&conc, "control/concurrencyremote", CONCURRENCY_DEFAULT) < 0)
		die_temp_sys("bad control/concurrencyremote", NULL);
	if (conc == 0) conc = 1;
	if (conc > CONCURRENCY_MAX) conc = CONCURRENCY_MAX;
	nkids = (size_t)conc;
	relay_argv = argc > 1 ? argv + 1 : dflt;
	kids = calloc(nkids, sizeof *kids);
	if (!kids) die_nomem();
	for (size_t i = 0; i < nkids; i++) { kids[i].fd = -1; job_init(&kids[i].job); }
}

int main(int argc, char **argv)
{
	struct pollfd *p;
	int eof = 0, bad = 0;
	setup(argc, argv);
	p = calloc(nkids + 1, sizeof *p);
	if (!p) die_nomem();
	for (;;) {
		size_t np = 0;
		int r = 0;
		while (!bad && (r = job_take()) == 1) {}
		if (!bad && r < 0) { warn("malformed job from the manager; reading no more", NULL); bad = 1; }
		if ((eof || bad) && running == 0) break;
		if (!eof && !bad && running < nkids) { p[np].fd = 0; p[np].events = POLLIN; np++; }
		for (size_t i = 0; i < nkids; i++)
			if (kids[i].fd >= 0) { p[np].fd = kids[i].fd; p[np].events = POLLIN; np++; }
		if (poll(p, np, -1) < 0) { if (errno == EINTR) continue; die_temp_sys("poll failed", NULL); }
		for (size_t k = 0; k < np; k++) {
			if (!(p[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
			if (p[k].fd == 0) {
				char buf[65536];
				ssize_t n = io_read(0, buf, sizeof buf);
				if (n <= 0) eof = 1;
				else if (str_catb(&jobs_in, buf, (size_t)n) < 0) die_nomem();
				continue;
			}
			for (size_t i = 0; i < nkids; i++)
				if (kids[i].fd == p[k].fd) { child_read(&kids[i]); break; }
		}
	}
	free(p);
	if (bad) die_temp("stopped after a malformed job", NULL);
	if (jobs_in.len) warn("input ended inside a job; it was not run", NULL);
	return 0;
}
