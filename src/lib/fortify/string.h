/* string.h of the musl build: musl's, then bounds-checked copies
   (src/lib/fortify.h says why and how). */
#include_next <string.h>
#ifndef FORTIFY_STRING_H
#define FORTIFY_STRING_H
#include "../fortify.h"
void __explicit_bzero_chk(void *, size_t, size_t);
#if FORTIFY_ON
extern void fortify_explicit_bzero(void *, size_t) __asm__("explicit_bzero");

/* gcc's __builtin___X_chk: a call the compiler proves safe becomes plain
   X, one it proves unsafe is a compile error (-Werror), the rest call
   __X_chk. */
FORTIFY_INLINE void *memcpy(void *restrict d, const void *restrict s, size_t n)
{ return __builtin___memcpy_chk(d, s, n, FORTIFY_SIZE0(d)); }
FORTIFY_INLINE void *memmove(void *d, const void *s, size_t n)
{ return __builtin___memmove_chk(d, s, n, FORTIFY_SIZE0(d)); }
FORTIFY_INLINE void *memset(void *d, int c, size_t n)
{ return __builtin___memset_chk(d, c, n, FORTIFY_SIZE0(d)); }
FORTIFY_INLINE void *mempcpy(void *restrict d, const void *restrict s, size_t n)
{ return __builtin___mempcpy_chk(d, s, n, FORTIFY_SIZE0(d)); }
FORTIFY_INLINE char *strcpy(char *restrict d, const char *restrict s)
{ return __builtin___strcpy_chk(d, s, FORTIFY_SIZE1(d)); }
FORTIFY_INLINE char *stpcpy(char *restrict d, const char *restrict s)
{ return __builtin___stpcpy_chk(d, s, FORTIFY_SIZE1(d)); }
FORTIFY_INLINE char *strncpy(char *restrict d, const char *restrict s, size_t n)
{ return __builtin___strncpy_chk(d, s, n, FORTIFY_SIZE1(d)); }
FORTIFY_INLINE char *strcat(char *restrict d, const char *restrict s)
{ return __builtin___strcat_chk(d, s, FORTIFY_SIZE1(d)); }
FORTIFY_INLINE char *strncat(char *restrict d, const char *restrict s, size_t n)
{ return __builtin___strncat_chk(d, s, n, FORTIFY_SIZE1(d)); }

/* Checked whenever the size is known, as glibc does. */
FORTIFY_INLINE void explicit_bzero(void *d, size_t n)
{
	if (FORTIFY_SIZE0(d) == FORTIFY_UNKNOWN) fortify_explicit_bzero(d, n);
	else __explicit_bzero_chk(d, n, FORTIFY_SIZE0(d));
}
#endif
#endif
