/* local-spawn: runs local delivery jobs from the manager (fd 0), one
   deliver-local per recipient, as that recipient; reports on fd 1.
   See doc/local-spawn.md and doc/internals.md. Runs as root: it parses
   only the manager's job records and the queue file's trailer. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "address.h"
#include "auto.h"
#include "control.h"
#include "die.h"
#include "io.h"
#include "jobs.h"
#include "logline.h"
#include "queue.h"
#include "recipient.h"
#include "str.h"
#include "vec.h"

#define SPAWN_MAX 500          /* hard ceiling on concurrencylocal */
#define REPORT_TEXT_MAX 1000   /* bytes of deliver-local's answer kept */

struct task {                  /* one recipient waiting for a slot */
	unsigned long long jobid, msgid, index;
	str rcpt, sender;
};
struct slot {                  /* one running deliver-local */
	pid_t pid;
	int fd;                    /* its stdout; -1 when the slot is free */
	struct task t;
	str out;
};
struct jobcount { unsigned long long id; size_t left; };

static struct slot *slots;
static size_t nslots, running;
static struct task *tasks;
static size_t ntasks, tasks_a, tasks_head;
static struct jobcount *jobs;
static size_t njobs, jobs_a;
static str defaultdelivery, report;


/* ---- the child: resolve, drop privileges, exec deliver-local ---- */

static void child_fail(int code, const char *text) __attribute__((noreturn));
static void child_fail(int code, const char *text)
{
	io_write_all(1, text, strlen(text));
	io_write_all(1, "\n", 1);
	_exit(code);
}

static int open_message(unsigned long long msgid, str *msglen)
{
	str path = STR_INIT, raw = STR_INIT;
	unsigned long long len;
	int fd;
	if (queue_path(&path, "queue/mess", msgid) < 0) child_fail(111, "4.3.0 out of memory");
	fd = open(path.s, O_RDONLY);
	if (fd < 0) child_fail(111, "4.3.0 cannot open the queue file");
	if (queue_file_read_envelope(fd, &len, &raw) != 0) child_fail(111, "4.3.0 bad queue file");
	if (str_catnum(msglen, len) < 0 || str_0(msglen) < 0) child_fail(111, "4.3.0 out of memory");
	str_free(&path);
	str_free(&raw);
	return fd;
}

/* deliver-local gets an empty environment but for the filter hook
   (QUEUE_INJECT, QMAILQUEUE) when the queue service set it: forwards
   then pass the same filter as every other injection. */
static void filter_env(char *envp[3])
{
	extern char **environ;
	size_t i, n = 0;
	for (i = 0; environ && environ[i] && n < 2; i++)
		if (!strncmp(environ[i], "QUEUE_INJECT=", 13) || !strncmp(environ[i], "QMAILQUEUE=", 11))
			envp[n++] = environ[i];
	envp[n] = NULL;
}

static void child(const struct task *t)
{
	struct recipient r;
	str msglen = STR_INIT, local = STR_INIT, domain = STR_INIT, prog = STR_INIT;
	size_t at = address_at(t->rcpt.s, t->rcpt.len);
	size_t dom = at < t->rcpt.len ? at + 1 : at;
	char *argv[16], *envp[3];
	int fd = open_message(t->msgid, &msglen), n = 0, x;
	if (str_copyb(&local, t->rcpt.s, at) < 0 || str_0(&local) < 0 ||
	    str_copyb(&domain, t->rcpt.s + dom, t->rcpt.len - dom) < 0 || str_0(&domain) < 0 ||
	    str_catv(&prog, auto_home, "/bin/deliver-local", NULL) < 0 || str_0(&prog) < 0)
		child_fail(111, "4.3.0 out of memory");
	recipient_init(&r);
	x = recipient_resolve(local.s, local.len, &r);
	if (x < 0) child_fail(111, "4.3.0 cannot look up the recipient");
	if (x == 0) child_fail(100, "5.1.1 no such user");
	if (r.uid == 0) child_fail(111, "4.3.0 refusing to deliver as root");
	if (initgroups(r.user.s, r.gid) < 0 && setgroups(1, &r.gid) < 0) child_fail(111, "4.3.0 cannot set groups");
	if (setgid(r.gid) < 0 || setuid(r.uid) < 0) child_fail(111, "4.3.0 cannot switch to the user");
	if (chdir(r.home.s) < 0) child_fail(111, "4.2.1 cannot chdir to the home directory");
	if (dup2(fd, 0) < 0 || lseek(0, 0, SEEK_SET) < 0) child_fail(111, "4.3.0 cannot set up fd 0");
	argv[n++] = (char *)"deliver-local";
	if (r.alias) argv[n++] = (char *)"-a";
	argv[n++] = (char *)"--";
	argv[n++] = r.user.s; argv[n++] = r.home.s; argv[n++] = local.s; argv[n++] = r.dash.s;
	argv[n++] = r.ext.s; argv[n++] = domain.s; argv[n++] = t->sender.s; argv[n++] = msglen.s;
	argv[n++] = defaultdelivery.s;
	argv[n] = NULL;
	filter_env(envp);
	execve(prog.s, argv, envp);
	child_fail(111, "4.3.0 cannot run deliver-local");
}

/* ---- the parent ---- */

static void start(struct slot *s)
{
	int p[2];
	s->t = tasks[tasks_head++];
	if (pipe2(p, O_CLOEXEC) < 0) goto fail;
	s->pid = fork();
	if (s->pid < 0) { close(p[0]); close(p[1]); goto fail; }
	if (s->pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		if (dup2(p[1], 1) < 0) _exit(111);
		child(&s->t);
	}
	close(p[1]);
	s->fd = p[0];
	s->out.len = 0;
	running++;
	return;
fail:
	s->pid = -1;
	s->fd = -1;
	s->out.len = 0;
	str_copys(&s->out, "4.3.0 cannot start a delivery");
}

static void job_done_one(unsigned long long jobid)
{
	size_t i;
	for (i = 0; i < njobs; i++) {
		if (jobs[i].id != jobid) continue;
		if (--jobs[i].left == 0) {
			if (jobs_end(&report, jobid) < 0) die_nomem();
			jobs[i] = jobs[--njobs];
		}
		return;
	}
}

static void log_result(const struct slot *s, char status, const char *text, size_t len)
{
	str l = STR_INIT;
	if (logline_kvs(&l, "event", "local") == 0 && logline_kvnum(&l, "msg", s->t.msgid) == 0 &&
	    logline_kv(&l, "to", s->t.rcpt.s, s->t.rcpt.len) == 0 &&
	    logline_kv(&l, "status", &status, 1) == 0 && logline_kv(&l, "reply", text, len) == 0)
		logline_emit(&l);
	str_free(&l);
}

/* deliver-local said everything it will say: report the exit code. */
static void finish(struct slot *s)
{
	int status = 0;
	char st;
	const char *text;
	size_t len;
	char *nl = memchr(s->out.s ? s->out.s : "", '\n', s->out.len);
	if (nl) s->out.len = (size_t)(nl - s->out.s);
	if (s->pid > 0) {
		while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR) {}
		running--;
	} else status = 111 << 8;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) st = JOBS_DELIVERED;
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 100) st = JOBS_PERMANENT;
	else st = JOBS_TEMPORARY;
	text = s->out.s;
	len = s->out.len;
	if (WIFSIGNALED(status)) { text = "4.3.0 deliver-local crashed"; len = strlen(text); }
	else if (!len) {
		text = st == JOBS_DELIVERED ? "2.0.0 delivered" : st == JOBS_PERMANENT ?
		       "5.3.0 delivery failed" : "4.3.0 delivery failed";
		len = strlen(text);
	}
	if (jobs_report(&report, s->t.jobid, s->t.msgid, s->t.index, st, text, len) < 0) die_nomem();
	log_result(s, st, text, len);
	job_done_one(s->t.jobid);
	if (s->fd >= 0) close(s->fd);
	s->fd = -1;
	s->pid = 0;
	str_free(&s->t.rcpt);
	str_free(&s->t.sender);
}

static void read_child(struct slot *s)
{
	char buf[1024];
	ssize_t r = io_read(s->fd, buf, sizeof buf);
	if (r > 0) {
		size_t keep = s->out.len < REPORT_TEXT_MAX ? REPORT_TEXT_MAX - s->out.len : 0;
		if (keep > (size_t)r) keep = (size_t)r;
		if (keep && str_catb(&s->out, buf, keep) < 0) die_nomem();
		return;
	}
	finish(s);
}

static void add_task(const struct job *j, size_t m, size_t k)
{
	struct task *t;
	if (tasks_head > 0 && (tasks_head == ntasks || tasks_head >= ntasks / 2)) {
		/* the started tasks were moved into slots: drop their places */
		memmove(tasks, tasks + tasks_head, (ntasks - tasks_head) * sizeof *tasks);
		ntasks -= tasks_head;
		tasks_head = 0;
	}
	if (VEC_READY(tasks, tasks_a, ntasks + 1) < 0) die_nomem();
	t = &tasks[ntasks++];
	memset(t, 0, sizeof *t);
	t->jobid = j->id;
	t->msgid = j->msg[m].id;
	t->index = k - j->msg[m].first;
	if (str_copyb(&t->rcpt, j->rcpt[k].addr, j->rcpt[k].len) < 0 || str_0(&t->rcpt) < 0 ||
	    str_copyb(&t->sender, j->msg[m].sender, j->msg[m].sender_len) < 0 || str_0(&t->sender) < 0)
		die_nomem();
}

static void add_job(const struct job *j)
{
	size_t m, k;
	if (VEC_READY(jobs, jobs_a, njobs + 1) < 0) die_nomem();
	jobs[njobs].id = j->id;
	jobs[njobs++].left = j->nrcpt;
	for (m = 0; m < j->nmsg; m++)
		for (k = j->msg[m].first; k < j->msg[m].first + j->msg[m].n; k++)
			add_task(j, m, k);
}

/* Reads what the manager sent and queues its jobs. 0 more may come,
   1 end of input, -1 broken input. */
static int read_jobs(str *in)
{
	char buf[8192];
	ssize_t r = io_read(0, buf, sizeof buf);
	size_t used;
	if (r < 0) return errno == EAGAIN ? 0 : -1;
	if (r == 0) return in->len ? -1 : 1;
	if (str_catb(in, buf, (size_t)r) < 0) die_nomem();
	for (;;) {
		struct job j;
		int x;
		job_init(&j);
		x = jobs_parse(in->s, in->len, &j, &used);
		if (x == 1) add_job(&j);
		job_free(&j);
		if (x == 0) return 0;
		if (x < 0) { if (x == -1) die_nomem(); return -1; }
		memmove(in->s, in->s + used, in->len - used);
		in->len -= used;
	}
}

static void flush_report(void)
{
	if (!report.len) return;
	if (io_write_all(1, report.s, report.len) < 0) die_temp_sys("cannot write reports", NULL);
	report.len = 0;
}

static void setup(void)
{
	unsigned long long cap;
	die_program = "local-spawn";
	signal(SIGPIPE, SIG_IGN);
	if (control_chdir_home() < 0) die_temp_sys("cannot chdir to home", NULL);
	if (control_read_ulong(&cap, "control/concurrencylocal", 10) < 0)
		die_temp_sys("cannot read control/concurrencylocal", NULL);
	if (cap < 1) cap = 1;
	if (cap > SPAWN_MAX) cap = SPAWN_MAX;
	if (control_read_string(&defaultdelivery, "control/defaultdelivery", "./Maildir/") < 0 ||
	    str_0(&defaultdelivery) < 0)
		die_temp_sys("cannot read control/defaultdelivery", NULL);
	nslots = (size_t)cap;
	slots = calloc(nslots, sizeof *slots);
	if (!slots) die_nomem();
	for (cap = 0; cap < nslots; cap++) slots[cap].fd = -1;
	io_nonblock(0, 1);
}

int main(void)
{
	struct pollfd *p;
	str in = STR_INIT;
	int eof = 0, broken = 0;
	size_t i;
	setup();
	p = calloc(nslots + 1, sizeof *p);
	if (!p) die_nomem();
	for (;;) {
		size_t np = 0;
		for (i = 0; i < nslots && tasks_head < ntasks; i++)
			if (slots[i].fd < 0) { start(&slots[i]); if (slots[i].fd < 0) finish(&slots[i]); }
		flush_report();
		if (eof && running == 0 && tasks_head == ntasks) break;
		if (!eof) { p[np].fd = 0; p[np].events = POLLIN; np++; }
		for (i = 0; i < nslots; i++)
			if (slots[i].fd >= 0) { p[np].fd = slots[i].fd; p[np].events = POLLIN; np++; }
		if (poll(p, np, -1) < 0) { if (errno == EINTR) continue; die_temp_sys("poll failed", NULL); }
		for (i = 0; i < np; i++) {
			size_t k;
			if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
			if (p[i].fd == 0) {
				int x = read_jobs(&in);
				if (x != 0) eof = 1;
				if (x < 0) { broken = 1; warn("broken job input from the manager; finishing", NULL); }
				continue;
			}
			for (k = 0; k < nslots; k++)
				if (slots[k].fd == p[i].fd) { read_child(&slots[k]); break; }
		}
	}
	for (i = 0; i < nslots; i++) str_free(&slots[i].out);
	free(slots);
	free(tasks);
	free(jobs);
	free(p);
	str_free(&in);
	str_free(&report);
	str_free(&defaultdelivery);
	return broken ? 111 : 0;
}
