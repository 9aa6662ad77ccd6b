/* fortify.h: bounds-checked copies for the musl build.
 *
 * glibc's -D_FORTIFY_SOURCE=2 turns a copy into a buffer whose size the
 * compiler knows into a call that checks the length at run time and
 * aborts on overflow. musl has no such headers, so the musl build puts
 * src/lib/fortify/ in front of musl's headers (-I): its string.h,
 * unistd.h, poll.h and sys/socket.h include musl's (#include_next) and
 * then wrap the functions glibc fortifies that tern calls (and the str*
 * copies) the way glibc's level 2 does, calling the same __*_chk entry
 * points. Those are defined in fortify.c, which also serves Debian's
 * libbearssl.a (compiled against glibc with fortification).
 * doc/performance.md; tests/unit/test-fortify.c.
 *
 * Object sizes: type 0 (the whole object) for memory functions and
 * read-like calls, type 1 (the closest member) for string copies,
 * gethostname and poll, as glibc's level 2. An unknown size, (size_t)-1,
 * or a length the compiler proves to fit means an unchecked call, as
 * there. Without optimisation the compiler knows no sizes, so nothing is
 * wrapped. */
#ifndef FORTIFY_H
#define FORTIFY_H
#include <stddef.h>

#if defined(__OPTIMIZE__) && !defined(__SANITIZE_ADDRESS__)
#define FORTIFY_ON 1
#else
#define FORTIFY_ON 0
#endif

#define FORTIFY_INLINE extern __inline__ \
	__attribute__((__always_inline__, __gnu_inline__, __artificial__))
#define FORTIFY_SIZE0(p) __builtin_object_size((p), 0)
#define FORTIFY_SIZE1(p) __builtin_object_size((p), 1)
#define FORTIFY_UNKNOWN ((size_t)-1)
/* No check needed: the size is unknown, or the compiler can prove the
   length fits (glibc calls the plain function then too). */
#define FORTIFY_PLAIN(n, size) ((size) == FORTIFY_UNKNOWN || \
	(__builtin_constant_p((n) <= (size)) && (n) <= (size)))

/* Writes one line to fd 2 and aborts: the process is already corrupt. */
void fortify_fail(void) __attribute__((__noreturn__));
#endif
