#ifndef TERN_FMT_H
#define TERN_FMT_H
#include <stddef.h>
/* Formatting numbers without printf. FMT_ULONG is enough room for any
   unsigned long long in decimal. Returns the number of bytes written;
   the result is not NUL-terminated. */
#define FMT_ULONG 21
size_t fmt_ulong(char *out, unsigned long long n);
/* Zero-padded to at least width digits (width <= 20). */
size_t fmt_ulong0(char *out, unsigned long long n, unsigned int width);
size_t fmt_xlong(char *out, unsigned long long n);
#endif
