/* queue-inject: puts one message into the queue (qmail-queue protocol).
   Runs setuid tern-queue with file descriptors, environment, signal state
   and limits chosen by an untrusted caller: it trusts none of them beyond
   what doc/queue-inject.md documents. The commit protocol is doc/queue.md's. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "auto.h"
#include "buffer.h"
#include "control.h"
#include "date822.h"
#include "fmt.h"
#include "io.h"
#include "queue.h"
#include "str.h"

#define DATABYTES_DEFAULT ((unsigned long long)50 * 1024 * 1024)
#define DATABYTES_HARD ((unsigned long long)1024 * 1024 * 1024)
#define ENVELOPE_MAX ((size_t)64 * 1024 * 1024)
#define TIMEOUT 86400

/* Exit codes (doc/queue-inject.md). */
enum {
	EX_OK = 0, EX_ADDR = 11, EX_TOOBIG = 33, EX_NOMEM = 51, EX_TIMEOUT = 52,
	EX_WRITE = 53, EX_READ = 54, EX_CONTROL = 55, EX_HOME = 61,
	EX_QUEUEDIR = 62, EX_PIDFILE = 63, EX_LINKMESS = 64, EX_LINKTODO = 65,
	EX_SYNCDIR = 66, EX_BUG = 81, EX_FORMAT = 91
};

/* What exists on disk, for the cleanup that runs on every failure, also
   from a signal handler: hence fixed arrays and a sig_atomic_t. */
static volatile sig_atomic_t stage;  /* 0 none, 1 pid file, 2 +mess, 3 +todo, 4 committed */
static char pidfn[64], messfn[64], todofn[64];

static void cleanup(void)
{
	if (stage >= 4) return;
	if (stage >= 3) unlink(todofn);
	if (stage >= 2) unlink(messfn);
	if (stage >= 1) unlink(pidfn);
	stage = 0;
}

static void fail(int code)
{
	cleanup();
	_exit(code);
}

static void on_alarm(int sig)
{
	(void)sig;
	fail(EX_TIMEOUT);
}

/* Killed by the caller: take nothing half-done along, then die of the
   same signal so the caller sees what happened. */
static void on_fatal(int sig)
{
	sigset_t set;
	cleanup();
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);   /* it is blocked in its handler */
	raise(sig);
	_exit(EX_BUG);
}

/* Undo what the caller may have set up to trip us: blocked or ignored
   signals, closed standard fds (a later open would land on fd 2), the
   environment, the umask. */
static void sanitize(void)
{
	static const int fatal[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2 };
	sigset_t none;
	size_t i;
	int fd;
	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd) _exit(EX_BUG);
	clearenv();
	umask(027);
	signal(SIGPIPE, SIG_IGN);   /* the trigger fifo may lose its reader */
	signal(SIGXFSZ, SIG_IGN);   /* a caller's RLIMIT_FSIZE becomes EFBIG → 53 */
	signal(SIGALRM, on_alarm);
	for (i = 0; i < sizeof fatal / sizeof fatal[0]; i++) signal(fatal[i], on_fatal);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	alarm(TIMEOUT);
}

static void block_signals(void)
{
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
}

static unsigned long long databytes(void)
{
	unsigned long long n;
	if (control_read_ulong(&n, "../control/databytes", 0) < 0)
		fail(errno == ENOMEM ? EX_NOMEM : EX_CONTROL);
	/* 0 is qmail's "no limit": the compiled ceiling is still kept. */
	if (n == 0 || n > DATABYTES_HARD) n = DATABYTES_HARD;
	return n;
}

/* Creates pid/<pid>.<time>.<try> exclusively; returns its fd and sets the
   message id to its inode number. */
static int pidfile_open(unsigned long long *id)
{
	struct stat st;
	int fd = -1, tries;
	for (tries = 0; tries < 5; tries++) {
		char *p = pidfn;
		memcpy(p, "pid/", 4); p += 4;
		p += fmt_ulong(p, (unsigned long long)getpid()); *p++ = '.';
		p += fmt_ulong(p, (unsigned long long)time(NULL)); *p++ = '.';
		p += fmt_ulong(p, (unsigned long long)tries); *p = 0;
		fd = open(pidfn, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640);
		if (fd >= 0 || errno != EEXIST) break;
		sleep(1);
	}
	if (fd < 0) fail(EX_PIDFILE);
	stage = 1;
	if (fstat(fd, &st) < 0) fail(EX_PIDFILE);
	*id = (unsigned long long)st.st_ino;
	return fd;
}

static void path_set(char *out, const char *dir, unsigned long long id)
{
	str p = STR_INIT;
	if (queue_path(&p, dir, id) < 0) fail(EX_NOMEM);
	if (p.len >= 64) fail(EX_BUG);
	memcpy(out, p.s, p.len + 1);
	str_free(&p);
}

static void received(buffer *out)
{
	char date[DATE822_LEN];
	date822_fmt(date, time(NULL));
	if (buffer_puts(out, "Received: (tern ") < 0 ||
	    buffer_putnum(out, (unsigned long long)getpid()) < 0 ||
	    buffer_puts(out, " invoked by uid ") < 0 ||
	    buffer_putnum(out, (unsigned long long)getuid()) < 0 ||
	    buffer_puts(out, "); ") < 0 || buffer_puts(out, date) < 0 ||
	    buffer_puts(out, "\n") < 0)
		fail(EX_WRITE);
}

/* Copies fd 0 to out. Past the ceiling it keeps reading to the end, so
   the writer never gets SIGPIPE mid-message, then gives up with 33.
   Returns the number of message bytes written. */
static unsigned long long message_copy(buffer *out, unsigned long long max)
{
	static char chunk[65536];
	unsigned long long total = 0;
	for (;;) {
		ssize_t r = io_read(0, chunk, sizeof chunk);
		if (r < 0) fail(EX_READ);
		if (r == 0) break;
		total += (unsigned long long)r;
		if (total > max) continue;
		if (buffer_put(out, chunk, (size_t)r) < 0) fail(EX_WRITE);
	}
	if (total > max) fail(EX_TOOBIG);
	return total;
}

/* Reads the envelope from fd 1 up to and including its final empty
   record (qmail-queue stops there too, so a caller may keep the pipe
   open). Checks record lengths as they arrive, so a hostile caller cannot
   make us hold more than ENVELOPE_MAX bytes. */
static void envelope_read(str *env)
{
	char chunk[4096];
	size_t reclen = 0;     /* bytes of the current record so far */
	char letter = 0;
	for (;;) {
		ssize_t r = io_read(1, chunk, sizeof chunk);
		ssize_t i;
		if (r < 0) fail(EX_READ);
		if (r == 0) fail(EX_FORMAT);      /* no final NUL */
		for (i = 0; i < r; i++) {
			char c = chunk[i];
			if (reclen == 0) {
				if (c == 0) {             /* the end */
					if (str_catb(env, chunk, (size_t)i + 1) < 0) fail(EX_NOMEM);
					return;
				}
				letter = c;
			} else if (c == 0) {
				reclen = 0;
				continue;
			}
			reclen++;
			if (reclen - 1 > ENVELOPE_ADDR_MAX && (letter == 'F' || letter == 'T'))
				fail(EX_ADDR);
			if (reclen - 1 > ENVELOPE_PARAM_MAX) fail(EX_FORMAT);
		}
		if (env->len + (size_t)r > ENVELOPE_MAX) fail(EX_FORMAT);
		if (str_catb(env, chunk, (size_t)r) < 0) fail(EX_NOMEM);
	}
}

static void envelope_check(const str *env)
{
	struct envelope e;
	int r = envelope_parse(env->s, env->len, &e);
	if (r == ENVELOPE_TOO_LONG) fail(EX_ADDR);
	if (r == ENVELOPE_BAD) fail(EX_FORMAT);
	if (r < 0) fail(EX_NOMEM);
	envelope_free(&e);
}

/* Step 5 of doc/queue.md: after the fsync of mess/S the message is queued. */
static void commit(void)
{
	char dir[64];
	char *slash;
	/* stage is raised before each link, so a signal right after one
	   still removes it (unlinking a name that is not there is harmless). */
	stage = 2;
	if (link(pidfn, messfn) < 0) fail(EX_LINKMESS);
	stage = 3;
	if (link(pidfn, todofn) < 0) fail(EX_LINKTODO);
	if (unlink(pidfn) < 0) fail(EX_PIDFILE);
	memcpy(dir, messfn, sizeof dir);
	slash = strrchr(dir, '/');
	if (!slash) fail(EX_BUG);
	*slash = 0;
	if (io_fsync_dir(dir) < 0) fail(EX_SYNCDIR);
	/* Queued: from here on nothing may turn this into a failure. */
	block_signals();
	stage = 4;
}

/* Wakes the manager. A fifo without a reader (ENXIO) or a full one
   (EAGAIN) is fine: the todo link is enough. */
static void trigger(void)
{
	int fd = open("lock/trigger", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) return;
	if (write(fd, "", 1) < 0) { /* see above */ }
	close(fd);
}

int main(void)
{
	static char outspace[65536];
	buffer out;
	str env = STR_INIT;
	char trailer[QUEUE_TRAILER_LEN];
	unsigned long long id, max, msglen;
	int fd;

	sanitize();
	if (chdir(auto_home) < 0) fail(EX_HOME);
	if (chdir("queue") < 0) fail(EX_QUEUEDIR);
	max = databytes();
	fd = pidfile_open(&id);
	path_set(messfn, "mess", id);
	path_set(todofn, "todo", id);

	buffer_init(&out, fd, outspace, sizeof outspace);
	received(&out);
	msglen = out.p;
	msglen += message_copy(&out, max);
	envelope_read(&env);
	envelope_check(&env);
	queue_trailer_make(trailer, msglen);
	if (buffer_put(&out, env.s, env.len) < 0 || buffer_put(&out, trailer, sizeof trailer) < 0 ||
	    buffer_flush(&out) < 0)
		fail(EX_WRITE);
	if (fsync(fd) < 0) fail(EX_WRITE);
	if (close(fd) < 0) fail(EX_WRITE);
	commit();
	trigger();
	_exit(EX_OK);
}
