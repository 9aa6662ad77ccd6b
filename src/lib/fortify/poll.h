/* poll.h of the musl build: musl's, then poll and ppoll checked against
   the size of the array (src/lib/fortify.h says why and how). */
#include_next <poll.h>
#ifndef FORTIFY_POLL_H
#define FORTIFY_POLL_H
#include <signal.h>
#include "../fortify.h"
int __poll_chk(struct pollfd *, nfds_t, int, size_t);
int __ppoll_chk(struct pollfd *, nfds_t, const struct timespec *, const sigset_t *, size_t);
#if FORTIFY_ON
extern int fortify_poll(struct pollfd *, nfds_t, int) __asm__("poll");
extern int fortify_ppoll(struct pollfd *, nfds_t, const struct timespec *,
	const sigset_t *) __asm__("ppoll");

FORTIFY_INLINE int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	if (FORTIFY_PLAIN(n * sizeof *fds, FORTIFY_SIZE1(fds))) return fortify_poll(fds, n, timeout);
	return __poll_chk(fds, n, timeout, FORTIFY_SIZE1(fds));
}
FORTIFY_INLINE int ppoll(struct pollfd *fds, nfds_t n, const struct timespec *t,
	const sigset_t *mask)
{
	if (FORTIFY_PLAIN(n * sizeof *fds, FORTIFY_SIZE1(fds))) return fortify_ppoll(fds, n, t, mask);
	return __ppoll_chk(fds, n, t, mask, FORTIFY_SIZE1(fds));
}
#endif
#endif
