/* sys/socket.h of the musl build: musl's, then recv checked against the
   size of its buffer (src/lib/fortify.h says why and how). */
#include_next <sys/socket.h>
#ifndef FORTIFY_SYS_SOCKET_H
#define FORTIFY_SYS_SOCKET_H
#include "../../fortify.h"
ssize_t __recv_chk(int, void *, size_t, size_t, int);
#if FORTIFY_ON
extern ssize_t fortify_recv(int, void *, size_t, int) __asm__("recv");

FORTIFY_INLINE ssize_t recv(int fd, void *buf, size_t n, int flags)
{
	if (FORTIFY_PLAIN(n, FORTIFY_SIZE0(buf))) return fortify_recv(fd, buf, n, flags);
	return __recv_chk(fd, buf, n, FORTIFY_SIZE0(buf), flags);
}
#endif
#endif
