/* fortify.c: the __*_chk entry points of glibc's _FORTIFY_SOURCE, for the
 * musl build (musl has none). Each checks the length against the size of
 * the destination the compiler passed and, like glibc's, aborts on
 * overflow: the process is already corrupt, so no error is returned and
 * nothing is written but one line to fd 2. Called by tern's code through
 * the wrappers in src/lib/fortify/ and by Debian's libbearssl.a
 * (__memcpy_chk, __memmove_chk, __memset_chk). Linked only into
 * musl-built programs (Makefile). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <sys/socket.h>
#include "fortify.h"

void fortify_fail(void)
{
	static const char msg[] = "*** buffer overflow detected ***: terminated\n";
	ssize_t r = write(2, msg, sizeof msg - 1);
	(void)r;
	abort();
}

static void fortify_check(size_t n, size_t room)
{
	if (n > room) fortify_fail();
}

void *__memcpy_chk(void *d, const void *s, size_t n, size_t room)
{
	fortify_check(n, room);
	return memcpy(d, s, n);
}

void *__memmove_chk(void *d, const void *s, size_t n, size_t room)
{
	fortify_check(n, room);
	return memmove(d, s, n);
}

void *__memset_chk(void *d, int c, size_t n, size_t room)
{
	fortify_check(n, room);
	return memset(d, c, n);
}

void *__mempcpy_chk(void *d, const void *s, size_t n, size_t room)
{
	fortify_check(n, room);
	return (char *)memcpy(d, s, n) + n;
}

/* The string copies check before writing: the length of the result,
   terminator included, must fit. */
char *__stpcpy_chk(char *d, const char *s, size_t room)
{
	size_t n = strlen(s);
	fortify_check(n + 1, room);
	memcpy(d, s, n + 1);
	return d + n;
}

char *__strcpy_chk(char *d, const char *s, size_t room)
{
	__stpcpy_chk(d, s, room);
	return d;
}

/* strncpy's contract (copy at most n bytes, pad the rest of n with NULs),
   spelled out: the code gates ban the call itself in src/. */
char *__strncpy_chk(char *d, const char *s, size_t n, size_t room)
{
	size_t k = strnlen(s, n);
	fortify_check(n, room);
	memcpy(d, s, k);
	memset(d + k, 0, n - k);
	return d;
}

char *__strcat_chk(char *d, const char *s, size_t room)
{
	size_t have = strnlen(d, room);
	fortify_check(have + 1, room);
	__stpcpy_chk(d + have, s, room - have);
	return d;
}

char *__strncat_chk(char *d, const char *s, size_t n, size_t room)
{
	size_t have = strnlen(d, room), add = strnlen(s, n);
	fortify_check(have + 1, room);
	fortify_check(add + 1, room - have);
	memcpy(d + have, s, add);
	d[have + add] = 0;
	return d;
}

void __explicit_bzero_chk(void *d, size_t n, size_t room)
{
	fortify_check(n, room);
	explicit_bzero(d, n);
}

ssize_t __read_chk(int fd, void *buf, size_t n, size_t room)
{
	fortify_check(n, room);
	return read(fd, buf, n);
}

ssize_t __pread_chk(int fd, void *buf, size_t n, off_t at, size_t room)
{
	fortify_check(n, room);
	return pread(fd, buf, n, at);
}

ssize_t __recv_chk(int fd, void *buf, size_t n, size_t room, int flags)
{
	fortify_check(n, room);
	return recv(fd, buf, n, flags);
}

int __gethostname_chk(char *buf, size_t n, size_t room)
{
	fortify_check(n, room);
	return gethostname(buf, n);
}

int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t room)
{
	fortify_check(n, room / sizeof *fds);
	return poll(fds, n, timeout);
}

int __ppoll_chk(struct pollfd *fds, nfds_t n, const struct timespec *t,
	const sigset_t *mask, size_t room)
{
	fortify_check(n, room / sizeof *fds);
	return ppoll(fds, n, t, mask);
}
