/* unistd.h of the musl build: musl's, then bounds-checked reads
   (src/lib/fortify.h says why and how). */
#include_next <unistd.h>
#ifndef FORTIFY_UNISTD_H
#define FORTIFY_UNISTD_H
#include "../fortify.h"
ssize_t __read_chk(int, void *, size_t, size_t);
ssize_t __pread_chk(int, void *, size_t, off_t, size_t);
int __gethostname_chk(char *, size_t, size_t);
#if FORTIFY_ON
extern ssize_t fortify_read(int, void *, size_t) __asm__("read");
extern ssize_t fortify_pread(int, void *, size_t, off_t) __asm__("pread");
extern int fortify_gethostname(char *, size_t) __asm__("gethostname");

FORTIFY_INLINE ssize_t read(int fd, void *buf, size_t n)
{
	if (FORTIFY_PLAIN(n, FORTIFY_SIZE0(buf))) return fortify_read(fd, buf, n);
	return __read_chk(fd, buf, n, FORTIFY_SIZE0(buf));
}
FORTIFY_INLINE ssize_t pread(int fd, void *buf, size_t n, off_t at)
{
	if (FORTIFY_PLAIN(n, FORTIFY_SIZE0(buf))) return fortify_pread(fd, buf, n, at);
	return __pread_chk(fd, buf, n, at, FORTIFY_SIZE0(buf));
}
FORTIFY_INLINE int gethostname(char *buf, size_t n)
{
	if (FORTIFY_PLAIN(n, FORTIFY_SIZE1(buf))) return fortify_gethostname(buf, n);
	return __gethostname_chk(buf, n, FORTIFY_SIZE1(buf));
}
#endif
#endif
