#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include "io.h"

ssize_t io_read(int fd, void *buf, size_t len)
{
	ssize_t r;
	do r = read(fd, buf, len); while (r < 0 && errno == EINTR);
	return r;
}

int io_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR) continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int io_write_all_timeout(int fd, const void *buf, size_t len, int timeout)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t w;
		if (timeout > 0 && io_wait(fd, POLLOUT, timeout * 1000) <= 0) return -1;
		w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR || errno == EAGAIN) continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int io_wait(int fd, short events, int timeout_ms)
{
	struct pollfd p;
	int r;
	p.fd = fd;
	p.events = events;
	p.revents = 0;
	do r = poll(&p, 1, timeout_ms); while (r < 0 && errno == EINTR);
	if (r == 0) { errno = ETIMEDOUT; return 0; }
	return r < 0 ? -1 : 1;
}

int io_nonblock(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0) return -1;
	fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
	return fcntl(fd, F_SETFL, fl);
}

int io_cloexec(int fd)
{
	return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

int io_fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r, e;
	if (fd < 0) return -1;
	r = fsync(fd);
	e = errno;
	close(fd);
	errno = e;
	return r;
}
