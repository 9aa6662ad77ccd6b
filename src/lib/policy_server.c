#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "io.h"
#include "policy_server.h"
#include "vec.h"

static volatile sig_atomic_t got_term, got_hup;
static void on_signal(int sig)
{
	if (sig == SIGTERM) got_term = 1;
	else got_hup = 1;
}

int policy_server_listen(const char *path)
{
	struct sockaddr_un sa;
	int fd;
	size_t n = strlen(path);
	if (n >= sizeof sa.sun_path) { errno = ENAMETOOLONG; return -1; }
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, n + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) return -1;
	if ((unlink(path) < 0 && errno != ENOENT) || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    chmod(path, 0666) < 0 || listen(fd, 128) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

struct server {
	const struct policy_server_hooks *h;
	void *ctx;
	struct policy_peer **peer;
	size_t n, a;
	uid_t allowed;
};

static void peer_drop(struct server *s, size_t i)
{
	struct policy_peer *p = s->peer[i];
	s->h->closed(s->ctx, p);
	close(p->fd);
	str_free(&p->in);
	free(p);
	s->peer[i] = s->peer[--s->n];
}

static void peer_accept(struct server *s, int lfd)
{
	struct ucred cred;
	socklen_t cl = sizeof cred;
	struct policy_peer *p;
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0) return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) < 0 ||
	    (cred.uid != 0 && cred.uid != getuid() && cred.uid != s->allowed) || s->n >= POLICY_PEERS_MAX ||
	    VEC_READY(s->peer, s->a, s->n + 1) < 0 || !(p = calloc(1, sizeof *p))) {
		close(fd);
		return;
	}
	p->fd = fd;
	s->peer[s->n++] = p;
}

/* Reads what peer i sent and answers every whole request. 0 keep, -1 drop. */
static int peer_serve(struct server *s, size_t i)
{
	struct policy_peer *p = s->peer[i];
	char buf[8192];
	ssize_t r = read(p->fd, buf, sizeof buf);
	str out = STR_INIT, action = STR_INIT;
	int rc = 0;
	if (r < 0) return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (r == 0 || str_catb(&p->in, buf, (size_t)r) < 0) return -1;
	for (;;) {
		struct policy_request req;
		size_t used;
		int k = policy_request_parse(p->in.s, p->in.len, &req, &used);
		if (k == 0) break;
		action.len = 0;
		if (k != 1 || s->h->request(s->ctx, p, &req, &action) < 0 || str_0(&action) < 0 ||
		    policy_reply(&out, action.s) < 0) { rc = -1; break; }
		memmove(p->in.s, p->in.s + used, p->in.len - used);
		p->in.len -= used;
	}
	/* Replies are a few dozen bytes to a client that waits for them. */
	if (rc == 0 && out.len && io_write_all_timeout(p->fd, out.s, out.len, 5) < 0) rc = -1;
	str_free(&out);
	str_free(&action);
	return rc;
}

static void signals_catch(sigset_t *old)
{
	struct sigaction sa;
	sigset_t block;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, old);
}

int policy_server_run(int lfd, const struct policy_server_hooks *h, void *ctx, uid_t allowed)
{
	struct server s = { h, ctx, NULL, 0, 0, allowed };
	struct pollfd *pfd = NULL;
	size_t apfd = 0, i;
	sigset_t old;
	time_t last = 0;
	int rc = 0;
	signals_catch(&old);
	while (!got_term) {
		struct timespec ts = { 1, 0 };
		time_t now;
		if (VEC_READY(pfd, apfd, s.n + 1) < 0) { rc = -1; break; }
		pfd[0].fd = lfd;
		pfd[0].events = POLLIN;
		for (i = 0; i < s.n; i++) { pfd[i + 1].fd = s.peer[i]->fd; pfd[i + 1].events = POLLIN; }
		if (ppoll(pfd, s.n + 1, &ts, &old) < 0 && errno != EINTR) { rc = -1; break; }
		if (got_hup) { got_hup = 0; if (h->hup) h->hup(ctx); }
		/* Backwards, so that dropping a peer (the last moves into its
		   place) never skips one that is ready. */
		for (i = s.n; i-- > 0;)
			if (pfd[i + 1].revents && peer_serve(&s, i) < 0) peer_drop(&s, i);
		if (pfd[0].revents & POLLIN) peer_accept(&s, lfd);
		else if (pfd[0].revents & (POLLERR | POLLNVAL)) { rc = -1; break; }
		now = time(NULL);
		if (now != last && h->tick) { h->tick(ctx, now); last = now; }
	}
	while (s.n) peer_drop(&s, s.n - 1);
	free(s.peer);
	free(pfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int policy_server_serve(const char *path, const struct policy_server_hooks *h, void *ctx, const char **why)
{
	const char *client = getenv("POLICY_CLIENT");
	struct passwd *pw;
	int fd;
	if (!client || !*client) client = "tern-recv";
	errno = 0;
	if (!(pw = getpwnam(client))) { *why = "no user named by POLICY_CLIENT (default tern-recv)"; if (!errno) errno = ENOENT; return -1; }
	if ((fd = policy_server_listen(path)) < 0) { *why = "cannot listen on the socket"; return -1; }
	if (policy_server_run(fd, h, ctx, pw->pw_uid) < 0) { *why = "the listening socket failed"; return -1; }
	return 0;
}
