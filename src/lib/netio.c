#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include "io.h"
#include "netio.h"

int netio_connect(const struct sockaddr *sa, socklen_t len, unsigned int timeout)
{
	int one = 1, err = 0, fd;
	socklen_t el = sizeof err;
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) return -1;
	if (connect(fd, sa, len) < 0) {
		if (errno != EINPROGRESS) goto fail;
		if (io_wait(fd, POLLOUT, (int)timeout * 1000) <= 0) goto fail;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0) goto fail;
		if (err) { errno = err; goto fail; }
	}
	if (io_nonblock(fd, 0) < 0) goto fail;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

void netio_init(struct netio *io, int fd, unsigned int timeout)
{
	io->fd = fd;
	io->timeout = timeout;
	io->p = io->n = 0;
	io->hook_read = NULL;
	io->hook_write = NULL;
	io->hook_data = NULL;
}

ssize_t netio_read(struct netio *io, char *out, size_t len)
{
	if (io->hook_read) return io->hook_read(io, out, len);
	if (io_wait(io->fd, POLLIN, (int)io->timeout * 1000) <= 0) return -1;
	return io_read(io->fd, out, len);
}

int netio_write(struct netio *io, const char *s, size_t len)
{
	if (io->hook_write) return io->hook_write(io, s, len);
	return io_write_all_timeout(io->fd, s, len, (int)io->timeout);
}

int netio_line(struct netio *io, str *line, size_t max)
{
	line->len = 0;
	for (;;) {
		char *nl;
		size_t take;
		if (io->p == io->n) {
			ssize_t r = netio_read(io, io->buf, sizeof io->buf);
			if (r < 0) return -1;
			if (r == 0) return 0;
			io->p = 0;
			io->n = (size_t)r;
		}
		nl = memchr(io->buf + io->p, '\n', io->n - io->p);
		take = nl ? (size_t)(nl - (io->buf + io->p)) : io->n - io->p;
		if (line->len < max) {
			size_t keep = take < max - line->len ? take : max - line->len;
			if (str_catb(line, io->buf + io->p, keep) < 0) return -1;
		}
		io->p += take;
		if (nl) {
			io->p++;
			if (line->len && line->s[line->len - 1] == '\r') line->len--;
			return 1;
		}
	}
}

int netio_reply(struct netio *io, struct smtp_reply *r)
{
	str line = STR_INIT;
	int k;
	smtp_reply_reset(r);
	for (;;) {
		k = netio_line(io, &line, 1000);
		if (k <= 0) { k = -1; break; }
		k = smtp_reply_line(r, line.s, line.len);
		if (k != SMTP_REPLY_MORE) break;
	}
	str_free(&line);
	return k == SMTP_REPLY_DONE ? 0 : k;
}

int netio_pending(struct netio *io)
{
	char c;
	ssize_t r;
	if (io->p < io->n) return 1;
	do r = recv(io->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT); while (r < 0 && errno == EINTR);
	return r > 0;
}
