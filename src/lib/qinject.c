#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "auto.h"
#include "io.h"
#include "qinject.h"

extern char **environ;

/* The program to run: the filter when the environment may be trusted to
   choose one (not setuid or setgid), else the real queue-inject. */
static int program(str *path)
{
	const char *f = NULL;
	path->len = 0;
	if (getuid() == geteuid() && getgid() == getegid()) {
		f = getenv("QUEUE_INJECT");
		if (!f || !*f) f = getenv("QMAILQUEUE");
	}
	if (f && *f) return str_copys(path, f) < 0 ? -1 : str_0(path);
	if (str_copys(path, auto_home) < 0 || str_cats(path, "/bin/queue-inject") < 0)
		return -1;
	return str_0(path);
}

/* A close-on-exec pipe whose ends are both above 2, so that dup2 onto the
   child's fd 0 and 1 can never clobber the other pipe's end. */
static int pipe_high(int p[2])
{
	int i;
	if (pipe2(p, O_CLOEXEC) < 0) return -1;
	for (i = 0; i < 2; i++) {
		if (p[i] <= 2) {
			int n = fcntl(p[i], F_DUPFD_CLOEXEC, 3);
			if (n < 0) { int e = errno; close(p[0]); close(p[1]); errno = e; return -1; }
			close(p[i]);
			p[i] = n;
		}
	}
	return 0;
}

static int spawn(struct qinject *q, const char *path, int msg_r, int env_r)
{
	posix_spawn_file_actions_t fa;
	char *argv[2];
	int r;
	argv[0] = (char *)path;
	argv[1] = NULL;
	if ((r = posix_spawn_file_actions_init(&fa)) != 0) { errno = r; return -1; }
	r = posix_spawn_file_actions_adddup2(&fa, msg_r, 0);
	if (!r) r = posix_spawn_file_actions_adddup2(&fa, env_r, 1);
	if (!r) r = posix_spawn(&q->pid, path, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r) { q->pid = -1; errno = r; return -1; }
	return 0;
}

int qinject_start(struct qinject *q)
{
	int m[2], e[2], err;
	str path = STR_INIT;
	q->pid = -1;
	q->msgfd = q->envfd = -1;
	q->env.s = NULL;
	q->env.len = q->env.a = 0;
	if (program(&path) < 0) return -1;
	if (pipe_high(m) < 0) { err = errno; goto fail0; }
	if (pipe_high(e) < 0) { err = errno; close(m[0]); close(m[1]); goto fail0; }
	if (spawn(q, path.s, m[0], e[0]) < 0) {
		err = errno;
		close(m[0]); close(m[1]); close(e[0]); close(e[1]);
		goto fail0;
	}
	close(m[0]);
	close(e[0]);
	q->msgfd = m[1];
	q->envfd = e[1];
	str_free(&path);
	return 0;
fail0:
	str_free(&path);
	errno = err;
	return -1;
}

int qinject_record(struct qinject *q, char letter, const char *text, size_t len)
{
	if (len && memchr(text, 0, len)) { errno = EINVAL; return -1; }
	if (str_readyplus(&q->env, len + 2) < 0) return -1;
	q->env.s[q->env.len++] = letter;
	if (len) memcpy(q->env.s + q->env.len, text, len);
	q->env.len += len;
	q->env.s[q->env.len++] = 0;
	return 0;
}

int qinject_sender(struct qinject *q, const char *addr, size_t len)
{
	return qinject_record(q, 'F', addr, len);
}

int qinject_recipient(struct qinject *q, const char *addr, size_t len)
{
	return qinject_record(q, 'T', addr, len);
}

static int reap(struct qinject *q)
{
	int status;
	pid_t r;
	if (q->pid <= 0) { errno = ECHILD; return -1; }
	do r = waitpid(q->pid, &status, 0); while (r < 0 && errno == EINTR);
	q->pid = -1;
	if (r < 0) return -1;
	if (WIFSIGNALED(status)) return QINJECT_CRASHED + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void close_fd(int *fd)
{
	if (*fd >= 0) close(*fd);
	*fd = -1;
}

int qinject_finish(struct qinject *q)
{
	close_fd(&q->msgfd);
	/* A write error means the child is gone; its exit code tells why. */
	if (str_catc(&q->env, 0) == 0)
		(void)io_write_all(q->envfd, q->env.s, q->env.len);
	close_fd(&q->envfd);
	str_free(&q->env);
	return reap(q);
}

void qinject_abort(struct qinject *q)
{
	close_fd(&q->msgfd);
	close_fd(&q->envfd);
	str_free(&q->env);
	(void)reap(q);
}

const char *qinject_reply(int code, int *permanent)
{
	int perm = code >= 11 && code <= 40;
	const char *t;
	if (permanent) *permanent = perm;
	switch (code) {
	case 0: return "250 2.0.0 ok";
	case 11: return "554 5.1.3 envelope address too long for the queue";
	case 31: return "554 5.3.0 mail server permanently rejected message";
	case 33: return "552 5.3.4 message too big for the queue";
	case 51: return "451 4.3.0 queue: out of memory";
	case 52: return "451 4.3.0 queue: timeout";
	case 53: return "452 4.3.1 queue: write error or disk full";
	case 54: return "451 4.3.0 queue: error reading message or envelope";
	case 55: return "451 4.3.0 queue: unable to read configuration";
	case 61: return "451 4.3.0 queue: trouble in home directory";
	case 62: case 63: case 64: case 65: case 66:
		return "451 4.3.0 queue: trouble creating files in queue";
	case 71: return "451 4.3.0 mail server temporarily rejected message";
	case 81: return "451 4.3.0 queue: internal bug";
	case 91: return "451 4.3.0 queue: envelope format error";
	case 127: return "451 4.3.0 queue: unable to run queue-inject";
	}
	if (perm) t = "554 5.3.0 queue: permanent problem";
	else if (code >= QINJECT_CRASHED) t = "451 4.3.0 queue: queue-inject crashed";
	else t = "451 4.3.0 queue: temporary problem";
	return t;
}
