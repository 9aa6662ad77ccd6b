/* queue-start: starts the queue's four programs with their pipes on the
   fixed fds of doc/internals.md, each under its own uid, and supervises
   them as one unit (doc/queue-start.md). Runs as root. */
#include <errno.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "auto.h"
#include "control.h"
#include "die.h"
#include "logline.h"
#include "str.h"

#define NCHILD 4
#define MAXFD 9          /* fds 0..8 are the protocol's */
#define KILL_GRACE 10    /* seconds between TERM and KILL on a failure */
#define STOP_GRACE 300   /* seconds to let in-flight deliveries finish */

struct child {
	const char *prog;
	const char *user;    /* NULL: stays root */
	int fd[MAXFD];       /* fd[i] = our fd to put on i, or -1 */
	pid_t pid;
};

static struct child kids[NCHILD] = {
	{ "queue-manager", "tern-send", {0}, 0 },
	{ "local-spawn", NULL, {0}, 0 },
	{ "remote-spawn", "tern-relay", {0}, 0 },
	{ "queue-clean", "tern-queue", {0}, 0 },
};

/* close_range(2) by number: musl (1.2.3) has no wrapper for it. */
static void close_from(unsigned int lo)
{
	syscall(SYS_close_range, lo, ~0U, 0);
}

/* In the child: only the wanted fds, on their numbers. */
static int place_fds(const int *want)
{
	int tmp[MAXFD], i;
	for (i = 0; i < MAXFD; i++) {
		tmp[i] = -1;
		if (want[i] >= 0 && (tmp[i] = fcntl(want[i], F_DUPFD_CLOEXEC, 100)) < 0) return -1;
	}
	for (i = 0; i < MAXFD; i++)
		if (tmp[i] >= 0 && dup2(tmp[i], i) < 0) return -1;
	for (i = 3; i < MAXFD; i++)
		if (want[i] < 0) close(i);
	close_from(MAXFD);
	return 0;
}

static int drop_privileges(const char *user)
{
	struct passwd *pw;
	struct group *gr;
	gid_t gid;
	if (!user) return 0;
	if (!(pw = getpwnam(user))) { errno = ESRCH; return -1; }
	gr = getgrnam("tern");
	gid = gr ? gr->gr_gid : pw->pw_gid;
	if (setgroups(1, &gid) < 0 || setgid(gid) < 0 || setuid(pw->pw_uid) < 0) return -1;
	return 0;
}

static void child_exec(struct child *c, pid_t parent)
{
	sigset_t none;
	str prog = STR_INIT;
	char *argv[2];
	char *envp[] = { (char *)"PATH=/usr/local/bin:/usr/bin:/bin", NULL };
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (place_fds(c->fd) < 0) die_temp_sys("cannot set up fds for ", c->prog, NULL);
	if (drop_privileges(c->user) < 0) die_temp_sys("cannot become ", c->user, NULL);
	/* If queue-start is killed outright (SIGKILL from an admin or the
	   supervisor), the manager must stop too: otherwise it keeps the
	   sendmutex and the restarted set can never start. Set after the uid
	   change, which clears it; the spawners and the cleaner exit on their
	   own when the manager's pipes close. */
	if (c == &kids[0] && (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent))
		die_temp("queue-start went away", NULL);
	if (str_catv(&prog, auto_home, "/bin/", c->prog, NULL) < 0 || str_0(&prog) < 0)
		die_nomem();
	argv[0] = prog.s;
	argv[1] = NULL;
	execve(prog.s, argv, envp);
	die_temp_sys("cannot run ", prog.s, NULL);
}

/* Creates the pipes and fills in every child's fd table. */
static void make_pipes(void)
{
	int p[6][2], i, devnull;
	for (i = 0; i < 6; i++)
		if (pipe2(p[i], O_CLOEXEC) < 0) die_temp_sys("cannot create pipe", NULL);
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull < 0) die_temp_sys("cannot open /dev/null", NULL);
	for (i = 0; i < NCHILD; i++) {
		memset(kids[i].fd, -1, sizeof kids[i].fd);
		kids[i].fd[2] = 2;
	}
	/* manager: 0 /dev/null, 1 log, 3/4 local, 5/6 remote, 7/8 clean */
	kids[0].fd[0] = devnull;
	kids[0].fd[1] = 2;
	for (i = 0; i < 3; i++) {
		kids[0].fd[3 + 2 * i] = p[2 * i][1];       /* jobs/commands out */
		kids[0].fd[4 + 2 * i] = p[2 * i + 1][0];   /* reports in */
		kids[1 + i].fd[0] = p[2 * i][0];
		kids[1 + i].fd[1] = p[2 * i + 1][1];
	}
}

static int index_of(pid_t pid)
{
	int i;
	for (i = 0; i < NCHILD; i++)
		if (kids[i].pid == pid) return i;
	return -1;
}

static int running(void)
{
	int i, n = 0;
	for (i = 0; i < NCHILD; i++) n += kids[i].pid > 0;
	return n;
}

static void signal_all(int sig)
{
	int i;
	for (i = 0; i < NCHILD; i++)
		if (kids[i].pid > 0) kill(kids[i].pid, sig);
}

/* One log line: event=exit program=NAME status=N or signal=N. */
static void log_exit(const char *prog, int st)
{
	str line = STR_INIT;
	logline_kvs(&line, "event", "exit");
	logline_kvs(&line, "program", prog);
	if (WIFEXITED(st)) logline_kvnum(&line, "status", (unsigned long long)WEXITSTATUS(st));
	else logline_kvnum(&line, "signal", (unsigned long long)WTERMSIG(st));
	logline_emit(&line);
	str_free(&line);
}

/* Reaps what has exited; returns how many of ours died. */
static int reap(int *failed)
{
	int st, i, n = 0;
	pid_t pid;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if ((i = index_of(pid)) < 0) continue;
		kids[i].pid = 0;
		n++;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) *failed = 1;
		log_exit(kids[i].prog, st);
	}
	return n;
}

/* Waits for signals until no child is left or the deadline passes. */
static void wait_children(const sigset_t *set, time_t deadline, int *failed)
{
	struct timespec ts;
	while (running()) {
		time_t now = time(NULL);
		if (now >= deadline) return;
		ts.tv_sec = deadline - now;
		ts.tv_nsec = 0;
		if (sigtimedwait(set, NULL, &ts) == SIGTERM) continue;
		reap(failed);
	}
}

int main(void)
{
	sigset_t set;
	int i, failed = 0, sig;
	pid_t self;
	die_program = "queue-start";
	if (control_chdir_home() < 0) die_temp_sys("cannot chdir to home", NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD); sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP); sigaddset(&set, SIGALRM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	make_pipes();
	self = getpid();
	for (i = 0; i < NCHILD; i++) {
		kids[i].pid = fork();
		if (kids[i].pid < 0) { kids[i].pid = 0; signal_all(SIGKILL); die_temp_sys("cannot fork", NULL); }
		if (kids[i].pid == 0) child_exec(&kids[i], self);
	}
	close_from(3);   /* the children hold the pipes now */
	for (;;) {
		sig = sigwaitinfo(&set, NULL);
		if (sig == SIGHUP || sig == SIGALRM) { if (kids[0].pid > 0) kill(kids[0].pid, sig); continue; }
		if (sig == SIGTERM) break;
		if (sig == SIGCHLD && reap(&failed) > 0) { failed = 1; break; }
	}
	if (sig == SIGTERM) {
		/* The manager finishes its jobs; the spawners exit when its pipes close. */
		if (kids[0].pid > 0) kill(kids[0].pid, SIGTERM);
		wait_children(&set, time(NULL) + STOP_GRACE, &failed);
	} else {
		signal_all(SIGTERM);
		wait_children(&set, time(NULL) + KILL_GRACE, &failed);
	}
	if (running()) { signal_all(SIGKILL); wait_children(&set, time(NULL) + KILL_GRACE, &failed); failed = 1; }
	return failed ? 111 : 0;
}
