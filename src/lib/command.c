#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include "command.h"
#include "io.h"

int command_result(int code)
{
	switch (code) {
	case 0: return COMMAND_OK;
	case 99: return COMMAND_STOP;
	case 100: case 64: case 65: case 70: case 76: case 77: case 78: case 112:
		return COMMAND_PERM;
	default: return COMMAND_TEMP;
	}
}

static void child(const char *cmd, int infd, int out, char *const envp[])
{
	char *argv[4];
	argv[0] = (char *)"sh";
	argv[1] = (char *)"-c";
	argv[2] = (char *)cmd;
	argv[3] = NULL;
	signal(SIGPIPE, SIG_DFL);
	if (dup2(infd, 0) < 0 || lseek(0, 0, SEEK_SET) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(111);
	execve("/bin/sh", argv, envp);
	_exit(111);
}

/* Reads the pipe to its end, keeping the first outmax bytes. */
static void drain(int fd, str *output, size_t outmax)
{
	char buf[4096];
	output->len = 0;
	for (;;) {
		ssize_t r = io_read(fd, buf, sizeof buf);
		size_t keep;
		if (r <= 0) break;
		keep = output->len < outmax ? outmax - output->len : 0;
		if (keep > (size_t)r) keep = (size_t)r;
		if (keep && str_catb(output, buf, keep) < 0) keep = 0;
	}
}

int command_run(const char *cmd, int infd, char *const envp[], str *output, size_t outmax)
{
	int p[2], status;
	pid_t pid;
	if (pipe2(p, O_CLOEXEC) < 0) return -1;
	pid = fork();
	if (pid < 0) { int e = errno; close(p[0]); close(p[1]); errno = e; return -1; }
	if (pid == 0) child(cmd, infd, p[1], envp);
	close(p[1]);
	drain(p[0], output, outmax);
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) return -1;
	if (WIFSIGNALED(status)) return COMMAND_KILLED + WTERMSIG(status);
	return WEXITSTATUS(status);
}
