/* local-spawn: runs local delivery jobs from the manager (fd 0), one
   child per recipient, as that recipient; reports on fd 1.
   See doc/local-spawn.md and doc/internals.md. Runs as root: it parses
   only the manager's job records, the queue file's trailer and the
   recipient tables (users/cdb, aliases.cdb, passwd) that root wrote. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "address.h"
#include "auto.h"
#include "control.h"
#include "delivery.h"
#include "die.h"
#include "dotqmail.h"
#include "fmt.h"
#include "io.h"
#include "jobs.h"
#include "logline.h"
#include "msgfd.h"
#include "queue.h"
#include "recipient.h"
#include "str.h"
#include "usergroups.h"
#include "vec.h"

#define SPAWN_MAX 500          /* hard ceiling on concurrencylocal */
#define REPORT_TEXT_MAX 1000   /* bytes of a delivery's answer kept */
#define DEFAULT_INSTR_MAX 100  /* lines of control/defaultdelivery (deliver-local's limit) */

/* ==== the children table and the poll loop ====
   What a spawner is: recipients waiting for a slot, slots running one
   child each whose first line of output and exit code become a report,
   and a poll loop over the job input and the children. The local
   delivery itself is behind the two hooks of the next part: local_start
   (answer a recipient at once, or start its child) and local_status (a
   child's exit status as a report status). */

struct task {                  /* one recipient waiting for a slot */
	unsigned long long jobid, msgid, index;
	str rcpt, sender;
};
enum slot_state {
	SLOT_FREE,
	SLOT_RUNNING,              /* a child runs; fd is its output */
	SLOT_ANSWERED              /* answered without a child: status and out are the report */
};
struct slot {
	enum slot_state state;
	pid_t pid;
	int fd;
	char status;               /* JOBS_* when SLOT_ANSWERED */
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
static str input, report;

static void local_start(struct slot *s);
static char local_status(int wstatus, const char **text, size_t *len);

/* Zeroes a string's whole allocation: recipients' addresses must not
   outlive their delivery in memory a later child inherits. */
static void wipe(str *x)
{
	if (x->s) explicit_bzero(x->s, x->a);
}

static void task_wipe_free(struct task *t)
{
	wipe(&t->rcpt);
	wipe(&t->sender);
	str_free(&t->rcpt);
	str_free(&t->sender);
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
	wipe(&l);
	str_free(&l);
}

/* The delivery said everything it will say: report it, free the slot. */
static void finish(struct slot *s)
{
	int status = 0;
	char st;
	const char *text = s->out.s;
	size_t len;
	char *nl = memchr(s->out.s ? s->out.s : "", '\n', s->out.len);
	if (nl) s->out.len = (size_t)(nl - s->out.s);
	len = s->out.len;
	if (s->state == SLOT_RUNNING) {
		while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR) {}
		running--;
		st = local_status(status, &text, &len);
	} else {
		st = s->status;
	}
	if (jobs_report(&report, s->t.jobid, s->t.msgid, s->t.index, st, text, len) < 0) die_nomem();
	log_result(s, st, text, len);
	job_done_one(s->t.jobid);
	if (s->fd >= 0) close(s->fd);
	s->fd = -1;
	s->pid = 0;
	s->state = SLOT_FREE;
	task_wipe_free(&s->t);
	wipe(&s->out);
	s->out.len = 0;
}

static void read_child(struct slot *s)
{
	char buf[1024];
	ssize_t r = io_read(s->fd, buf, sizeof buf);
	if (r > 0) {
		size_t keep = s->out.len < REPORT_TEXT_MAX ? REPORT_TEXT_MAX - s->out.len : 0;
		if (keep > (size_t)r) keep = (size_t)r;
		if (keep && str_catb(&s->out, buf, keep) < 0) die_nomem();
		explicit_bzero(buf, sizeof buf);
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
static int read_jobs(void)
{
	char buf[8192];
	ssize_t r = io_read(0, buf, sizeof buf);
	size_t used;
	if (r < 0) return errno == EAGAIN ? 0 : -1;
	if (r == 0) return input.len ? -1 : 1;
	if (str_catb(&input, buf, (size_t)r) < 0) die_nomem();
	explicit_bzero(buf, sizeof buf);
	for (;;) {
		struct job j;
		int x;
		job_init(&j);
		x = jobs_parse(input.s, input.len, &j, &used);
		if (x == 1) add_job(&j);
		job_free(&j);
		if (x == 0) return 0;
		if (x < 0) { if (x == -1) die_nomem(); return -1; }
		memmove(input.s, input.s + used, input.len - used);
		input.len -= used;
	}
}

static void flush_report(void)
{
	if (!report.len) return;
	if (io_write_all(1, report.s, report.len) < 0) die_temp_sys("cannot write reports", NULL);
	report.len = 0;
}

/* Starts what waits, as far as there are free slots. */
static void fill_slots(void)
{
	size_t i;
	for (i = 0; i < nslots && tasks_head < ntasks; i++) {
		if (slots[i].state != SLOT_FREE) continue;
		slots[i].t = tasks[tasks_head++];
		slots[i].out.len = 0;
		slots[i].fd = -1;
		local_start(&slots[i]);
		if (slots[i].state == SLOT_RUNNING) running++;
		else finish(&slots[i]);
	}
}

/* One round of poll over the job input (until its end) and the running
   children. *eof set at the end of the input; 1 when it was broken. */
static int poll_once(struct pollfd *p, int *eof)
{
	size_t np = 0, i, k;
	int broken = 0;
	if (!*eof) { p[np].fd = 0; p[np].events = POLLIN; np++; }
	for (i = 0; i < nslots; i++)
		if (slots[i].state == SLOT_RUNNING) { p[np].fd = slots[i].fd; p[np].events = POLLIN; np++; }
	if (poll(p, np, -1) < 0) {
		if (errno == EINTR) return 0;
		die_temp_sys("poll failed", NULL);
	}
	for (i = 0; i < np; i++) {
		if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
		if (p[i].fd == 0) {
			int x = read_jobs();
			if (x != 0) *eof = 1;
			if (x < 0) { broken = 1; warn("broken job input from the manager; finishing", NULL); }
			continue;
		}
		for (k = 0; k < nslots; k++)
			if (slots[k].state == SLOT_RUNNING && slots[k].fd == p[i].fd) { read_child(&slots[k]); break; }
	}
	return broken;
}

/* ==== the local delivery: the hooks ==== */

static str defaultdelivery;
static str default_files;          /* "<kind><path>\0" when defaultdelivery is files only */
static int default_plain;          /* 1: it is (the in-process path may be taken) */
static int allow_group;            /* control/allowgroupwritable */

/* What the child needs, resolved by the parent before the fork: the
   lookups go through NSS once, in the parent, so no child loads NSS
   modules again (doc/local-spawn.md, "Measured"). */
struct who {
	struct recipient r;
	str local, domain;
	const gid_t *groups;           /* in the cache */
	int ngroups;
};
static struct usergroups groupcache;

static void child_fail(int code, const char *text) __attribute__((noreturn));
static void child_fail(int code, const char *text)
{
	io_write_all(1, text, strlen(text));
	io_write_all(1, "\n", 1);
	_exit(code);
}

/* The message alone, bytes [0, msglen) of the queue file, in a sealed
   memfd: all the recipient will ever be able to read. The queue file
   (with every recipient, Bcc included, and the DSN fields) is closed
   before anything runs as the recipient. */
static int message_memfd(unsigned long long msgid, unsigned long long *len)
{
	str path = STR_INIT;
	int q, m;
	if (queue_path(&path, "queue/mess", msgid) < 0) child_fail(111, "4.3.0 out of memory");
	q = open(path.s, O_RDONLY | O_CLOEXEC);
	if (q < 0) child_fail(111, "4.3.0 cannot open the queue file");
	if (msgfd_queue_length(q, len) < 0) child_fail(111, "4.3.0 bad queue file");
	m = msgfd_make("", 0, q, *len);
	if (m < 0) child_fail(111, "4.3.0 cannot copy the message");
	close(q);
	str_free(&path);
	return m;
}

/* The child holds a copy of the parent's memory: every other recipient's
   address and sender in it is zeroed before the child runs as this one. */
static void local_wipe(const struct slot *self)
{
	size_t i;
	for (i = tasks_head; i < ntasks; i++) { wipe(&tasks[i].rcpt); wipe(&tasks[i].sender); }
	for (i = 0; i < nslots; i++) {
		if (&slots[i] == self) continue;
		wipe(&slots[i].t.rcpt);
		wipe(&slots[i].t.sender);
		wipe(&slots[i].out);
	}
	wipe(&input);
	wipe(&report);
}

/* setgroups, setgid, setuid; then not dumpable, so the recipient's other
   processes can neither ptrace this one nor open its /proc files while
   it holds local-spawn's memory (an exec makes it dumpable again, with
   a fresh memory). */
static void drop_privileges(const struct who *w)
{
	if (setgroups((size_t)w->ngroups, w->groups) < 0 && setgroups(1, &w->r.gid) < 0)
		child_fail(111, "4.3.0 cannot set groups");
	if (setgid(w->r.gid) < 0 || setuid(w->r.uid) < 0 || getuid() != w->r.uid || geteuid() != w->r.uid)
		child_fail(111, "4.3.0 cannot switch to the user");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) child_fail(111, "4.3.0 cannot make the delivery undumpable");
}

/* fd 0 the message, 1 and 2 the answer pipe (qmail-lspawn's habit:
   what a delivery prints on stderr is part of its answer), nothing else. */
static void setup_fds(int msgfd)
{
	if (dup2(msgfd, 0) < 0 || dup2(1, 2) < 0) child_fail(111, "4.3.0 cannot set up fds");
	if (syscall(SYS_close_range, 3U, ~0U, 0) < 0) {
		int fd;
		for (fd = 3; fd < 1024; fd++) close(fd);
	}
}

/* The environment of deliver-local: PATH and the filter hook, when the
   queue service set it, so forwards pass the same filter as every other
   injection. */
static void deliver_env(char *envp[4])
{
	extern char **environ;
	size_t i, n = 0;
	envp[n++] = (char *)"PATH=/usr/local/bin:/usr/bin:/bin";
	for (i = 0; environ && environ[i] && n < 3; i++)
		if (!strncmp(environ[i], "QUEUE_INJECT=", 13) || !strncmp(environ[i], "QMAILQUEUE=", 11))
			envp[n++] = environ[i];
	envp[n] = NULL;
}

static void exec_deliver_local(const struct who *w, const struct task *t, const char *msglen)
{
	str prog = STR_INIT;
	char *argv[16], *envp[4];
	int n = 0;
	if (str_catv(&prog, auto_home, "/bin/deliver-local", NULL) < 0 || str_0(&prog) < 0)
		child_fail(111, "4.3.0 out of memory");
	argv[n++] = (char *)"deliver-local";
	if (w->r.alias) argv[n++] = (char *)"-a";
	if (allow_group) argv[n++] = (char *)"-g";
	argv[n++] = (char *)"--";
	argv[n++] = w->r.user.s; argv[n++] = w->r.home.s; argv[n++] = w->local.s; argv[n++] = w->r.dash.s;
	argv[n++] = w->r.ext.s; argv[n++] = w->domain.s; argv[n++] = t->sender.s; argv[n++] = (char *)msglen;
	argv[n++] = defaultdelivery.s;
	argv[n] = NULL;
	deliver_env(envp);
	execve(prog.s, argv, envp);
	child_fail(111, "4.3.0 cannot run deliver-local");
}

/* After delivery_start (the cwd is the home): would deliver-local do
   nothing but the default delivery? No .qmail and no .forward, whatever
   they hold. */
static int no_instructions(void)
{
	struct stat st;
	str path = STR_INIT;
	size_t at;
	int r = dotqmail_search(".", "", "", &path, &at);
	str_free(&path);
	return r == 0 && lstat(".forward", &st) < 0 && errno == ENOENT;
}

static void answer(enum delivery_code c, const str *why) __attribute__((noreturn));
static void answer(enum delivery_code c, const str *why)
{
	child_fail((int)c, why->s ? why->s : "4.3.0 out of memory");
}

/* The common case without an exec: deliver-local's steps for a plain
   recipient (no extension, not the alias user, no .qmail or .forward,
   a defaultdelivery of Maildir and mbox lines only; doc/deliver-local.md),
   run here as the recipient. Returns only when the recipient is not
   plain: then deliver-local runs. */
static void deliver_here(const struct who *w, const struct task *t, unsigned long long msglen)
{
	struct delivery d;
	str why = STR_INIT;
	char num[FMT_ULONG + 1];
	size_t i;
	unsigned long files = 0;
	enum delivery_code c;
	if (!default_plain || w->r.alias || w->r.dash.len) return;
	delivery_init(&d);
	d.user = w->r.user.s; d.home = w->r.home.s; d.local = w->local.s; d.domain = w->domain.s;
	d.sender = t->sender.s; d.msgfd = 0; d.msglen = msglen; d.allow_group = allow_group;
	if ((c = delivery_start(&d, &why)) != DELIVERY_OK) answer(c, &why);
	if (!no_instructions()) { delivery_free(&d); return; }
	umask(077);
	signal(SIGXFSZ, SIG_IGN);   /* a file size limit is a write error: the mbox is truncated back */
	if ((c = delivery_looped(&d, &why)) != DELIVERY_OK) answer(c, &why);
	for (i = 0; i < default_files.len; i += strlen(default_files.s + i) + 1, files++) {
		c = delivery_file(&d, (enum dotqmail_kind)default_files.s[i], default_files.s + i + 1, &why);
		if (c != DELIVERY_OK) answer(c, &why);
	}
	num[fmt_ulong(num, files)] = 0;
	why.len = 0;
	if (str_catv(&why, "2.0.0 delivered: did ", num, "+0+0", NULL) < 0 || str_0(&why) < 0)
		child_fail(0, "2.0.0 delivered");
	answer(DELIVERY_OK, &why);
}

static void child_main(struct slot *s, const struct who *w)
{
	unsigned long long msglen;
	char num[FMT_ULONG + 1];
	int m;
	signal(SIGPIPE, SIG_DFL);
	m = message_memfd(s->t.msgid, &msglen);
	local_wipe(s);
	drop_privileges(w);
	setup_fds(m);
	if (chdir(w->r.home.s) < 0) child_fail(111, "4.2.1 cannot chdir to the home directory");
	deliver_here(w, &s->t, msglen);
	num[fmt_ulong(num, msglen)] = 0;
	exec_deliver_local(w, &s->t, num);
}

/* The recipient's supplementary groups, looked up here (never in the
   child) and cached (src/lib/usergroups.h). */
static int lookup_groups(struct who *w)
{
	return usergroups_get(&groupcache, w->r.user.s, w->r.gid, time(NULL), &w->groups, &w->ngroups);
}

static void who_free(struct who *w)
{
	wipe(&w->local);
	wipe(&w->domain);
	wipe(&w->r.user);
	wipe(&w->r.home);
	wipe(&w->r.ext);
	str_free(&w->local);
	str_free(&w->domain);
	recipient_free(&w->r);
}

/* Resolves the recipient: 1 found (a child may start), else 0 with the
   answer in the slot. */
static int resolve(struct slot *s, struct who *w)
{
	const struct task *t = &s->t;
	size_t at = address_at(t->rcpt.s, t->rcpt.len);
	size_t dom = at < t->rcpt.len ? at + 1 : at;
	const char *no = NULL;
	int x;
	if (str_copyb(&w->local, t->rcpt.s, at) < 0 || str_0(&w->local) < 0 ||
	    str_copyb(&w->domain, t->rcpt.s + dom, t->rcpt.len - dom) < 0 || str_0(&w->domain) < 0)
		die_nomem();
	x = recipient_resolve(w->local.s, w->local.len, &w->r);
	if (x < 0) no = "4.3.0 cannot look up the recipient";
	else if (x == 0) no = "5.1.1 no such user";
	else if (w->r.uid == 0) no = "4.3.0 refusing to deliver as root";
	else if (lookup_groups(w) < 0) no = "4.3.0 cannot look up the user's groups";
	if (!no) return 1;
	s->state = SLOT_ANSWERED;
	s->status = x == 0 ? JOBS_PERMANENT : JOBS_TEMPORARY;
	if (str_copys(&s->out, no) < 0) die_nomem();
	return 0;
}

static void local_start(struct slot *s)
{
	struct who w;
	int p[2];
	memset(&w, 0, sizeof w);
	recipient_init(&w.r);
	if (resolve(s, &w)) {
		if (pipe2(p, O_CLOEXEC) < 0) goto fail;
		s->pid = fork();
		if (s->pid < 0) { close(p[0]); close(p[1]); goto fail; }
		if (s->pid == 0) {
			if (dup2(p[1], 1) < 0) _exit(111);
			child_main(s, &w);
		}
		close(p[1]);
		s->fd = p[0];
		s->state = SLOT_RUNNING;
	}
	who_free(&w);
	return;
fail:
	who_free(&w);
	s->state = SLOT_ANSWERED;
	s->status = JOBS_TEMPORARY;
	if (str_copys(&s->out, "4.3.0 cannot start a delivery") < 0) die_nomem();
}

/* The report for a child's exit: 0 delivered, 100 permanent, anything
   else (a signal too) temporary. */
static char local_status(int wstatus, const char **text, size_t *len)
{
	char st;
	if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) st = JOBS_DELIVERED;
	else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 100) st = JOBS_PERMANENT;
	else st = JOBS_TEMPORARY;
	if (WIFSIGNALED(wstatus)) *text = "4.3.0 the delivery crashed";
	else if (*len) return st;
	else if (st == JOBS_DELIVERED) *text = "2.0.0 delivered";
	else if (st == JOBS_PERMANENT) *text = "5.3.0 delivery failed";
	else *text = "4.3.0 delivery failed";
	*len = strlen(*text);
	return st;
}

/* ==== start ==== */

static int add_default(void *ctx, enum dotqmail_kind kind, const char *s, size_t len)
{
	(void)ctx;
	if (kind != DOTQMAIL_MAILDIR && kind != DOTQMAIL_MBOX) return 1;
	if (!len || memchr(s, 0, len) || ++default_plain > DEFAULT_INSTR_MAX) return 1;
	if (str_catc(&default_files, (char)kind) < 0 || str_catb(&default_files, s, len) < 0 ||
	    str_cat0(&default_files) < 0)
		die_nomem();
	return 0;
}

/* Reads the control files; decides whether the default delivery can be
   done without deliver-local (files only). */
static void setup(void)
{
	unsigned long long cap, group;
	size_t i;
	die_program = "local-spawn";
	signal(SIGPIPE, SIG_IGN);
	if (control_chdir_home() < 0) die_temp_sys("cannot chdir to home", NULL);
	if (control_read_ulong(&cap, "control/concurrencylocal", 10) < 0)
		die_temp_sys("cannot read control/concurrencylocal", NULL);
	if (control_read_ulong(&group, "control/allowgroupwritable", 0) < 0)
		die_temp_sys("cannot read control/allowgroupwritable", NULL);
	allow_group = group != 0;
	if (cap < 1) cap = 1;
	if (cap > SPAWN_MAX) cap = SPAWN_MAX;
	if (control_read_string(&defaultdelivery, "control/defaultdelivery", "./Maildir/") < 0 ||
	    str_0(&defaultdelivery) < 0)
		die_temp_sys("cannot read control/defaultdelivery", NULL);
	if (dotqmail_parse(defaultdelivery.s, defaultdelivery.len, add_default, NULL) != 0) default_plain = 0;
	if (!default_plain) default_files.len = 0;
	default_plain = default_plain > 0;
	nslots = (size_t)cap;
	slots = calloc(nslots, sizeof *slots);
	if (!slots) die_nomem();
	for (i = 0; i < nslots; i++) slots[i].fd = -1;
	usergroups_init(&groupcache);
	io_nonblock(0, 1);
}

int main(void)
{
	struct pollfd *p;
	int eof = 0, broken = 0;
	size_t i;
	setup();
	p = calloc(nslots + 1, sizeof *p);
	if (!p) die_nomem();
	for (;;) {
		fill_slots();
		flush_report();
		if (eof && running == 0 && tasks_head == ntasks) break;
		broken |= poll_once(p, &eof);
	}
	for (i = 0; i < nslots; i++) str_free(&slots[i].out);
	free(slots);
	free(tasks);
	free(jobs);
	free(p);
	str_free(&input);
	str_free(&report);
	str_free(&defaultdelivery);
	str_free(&default_files);
	usergroups_free(&groupcache);
	return broken ? 111 : 0;
}
