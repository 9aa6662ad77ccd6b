#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "io.h"
#include "policy_client.h"

static const struct { const char *name; unsigned bit; } stage_names[] = {
	{ "connect", POLICY_CONNECT }, { "helo", POLICY_HELO }, { "mail", POLICY_MAIL },
	{ "rcpt", POLICY_RCPT }, { "data", POLICY_DATA },
};

/* "rcpt,mail" into bits; 0 if a word is not a stage. */
static unsigned stages_parse(const char *s, size_t len)
{
	unsigned bits = 0;
	size_t i = 0;
	while (i < len) {
		size_t e = i, k, found = 0;
		while (e < len && s[e] != ',') e++;
		for (k = 0; k < sizeof stage_names / sizeof *stage_names; k++)
			if (strlen(stage_names[k].name) == e - i && !strncmp(stage_names[k].name, s + i, e - i)) {
				bits |= stage_names[k].bit;
				found = 1;
			}
		if (!found) return 0;
		i = e + 1;
	}
	return bits;
}

static int item_parse(const char *s, struct policy_service *p)
{
	size_t len = strlen(s), i = 0;
	const char *sp = memchr(s, ' ', len);
	memset(p, 0, sizeof *p);
	p->fd = -1;
	p->pid = -1;
	p->stages = POLICY_RCPT;
	if (sp && s[0] != '/' && strncmp(s, "unix:", 5)) {
		if (!(p->stages = stages_parse(s, (size_t)(sp - s)))) return -1;
		s = sp + 1;
		while (*s == ' ') s++;
		len = strlen(s);
	}
	if (!strncmp(s, "unix:", 5)) {
		if (s[5] != '/' || len - 5 >= sizeof ((struct sockaddr_un *)0)->sun_path) return -1;
		return str_copys(&p->target, s + 5) < 0 ? -1 : str_0(&p->target);
	}
	if (s[0] != '/') return -1;
	p->program = 1;
	while (i < len) {
		size_t e = i;
		while (e < len && s[e] != ' ') e++;
		if (e > i) {
			if (str_catb(&p->target, s + i, e - i) < 0 || str_cat0(&p->target) < 0) return -1;
			p->argc++;
		}
		i = e + 1;
	}
	return 0;
}

int policy_config(const str *items, struct policy_service *svc, size_t *n)
{
	size_t pos = 0;
	*n = 0;
	while (pos < items->len) {
		const char *s = items->s + pos;
		if (*n >= POLICY_SERVICES_MAX || item_parse(s, &svc[*n]) < 0) { errno = EINVAL; return -1; }
		(*n)++;
		pos += strlen(s) + 1;
	}
	return 0;
}

static int open_socket(struct policy_service *p)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) return -1;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, p->target.s, p->target.len + 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) { int e = errno; close(fd); errno = e; return -1; }
	p->fd = fd;
	return 0;
}

static int open_program(struct policy_service *p)
{
	char *argv[33], *envp[] = { "PATH=/usr/bin:/bin", NULL };
	posix_spawn_file_actions_t fa;
	size_t i, pos = 0;
	int sv[2], r;
	if (p->argc == 0 || p->argc > 32) { errno = EINVAL; return -1; }
	for (i = 0; i < p->argc; i++) { argv[i] = p->target.s + pos; pos += strlen(argv[i]) + 1; }
	argv[i] = NULL;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) return -1;
	if ((r = posix_spawn_file_actions_init(&fa)) == 0) {
		r = posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
		if (!r) r = posix_spawn_file_actions_adddup2(&fa, sv[1], 1);
		if (!r) r = posix_spawn(&p->pid, argv[0], &fa, NULL, argv, envp);
		posix_spawn_file_actions_destroy(&fa);
	}
	close(sv[1]);
	if (r) { close(sv[0]); p->pid = -1; errno = r; return -1; }
	p->fd = sv[0];
	return 0;
}

int policy_open(struct policy_service *p)
{
	if (p->fd >= 0) return 0;
	p->in.len = 0;
	return p->program ? open_program(p) : open_socket(p);
}

void policy_close(struct policy_service *p)
{
	if (p->fd >= 0) close(p->fd);
	p->fd = -1;
	if (p->pid > 0) {
		/* It has seen EOF; one that lingers is not waited for long. */
		int i, st;
		for (i = 0; i < 20 && waitpid(p->pid, &st, WNOHANG) == 0; i++) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };
			if (i == 10) kill(p->pid, SIGTERM);
			nanosleep(&ts, NULL);
		}
		if (i == 20) { kill(p->pid, SIGKILL); waitpid(p->pid, &st, 0); }
	}
	p->pid = -1;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int policy_ask(struct policy_service *p, const str *req, int timeout_ms, str *action)
{
	long long deadline = now_ms() + timeout_ms;
	int secs = timeout_ms / 1000 > 0 ? timeout_ms / 1000 : 1;
	if (policy_open(p) < 0) return -1;
	if (io_write_all_timeout(p->fd, req->s, req->len, secs) < 0) goto fail;
	for (;;) {
		char buf[1024];
		size_t used;
		long long left = deadline - now_ms();
		int k = policy_reply_parse(p->in.s, p->in.len, action, &used);
		ssize_t r;
		if (k == 1) {
			memmove(p->in.s, p->in.s + used, p->in.len - used);
			p->in.len -= used;
			return 1;
		}
		if (k != 0) goto fail;
		if (left <= 0 || io_wait(p->fd, POLLIN, (int)left) <= 0) {
			if (left <= 0 || errno == ETIMEDOUT) { policy_close(p); return 0; }
			goto fail;
		}
		r = io_read(p->fd, buf, sizeof buf);
		if (r <= 0 || str_catb(&p->in, buf, (size_t)r) < 0) goto fail;
	}
fail:
	policy_close(p);
	return -1;
}
