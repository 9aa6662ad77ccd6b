#ifndef TERN_SCAN_H
#define TERN_SCAN_H
#include <stddef.h>
/* Parsing numbers without scanf/atoi. Each returns the number of bytes
   consumed (0 if none, or on overflow). */
size_t scan_ulong(const char *s, size_t len, unsigned long long *out);
/* The whole NUL-terminated string must be a number: 1 ok, 0 not. */
int scan_ulong_all(const char *s, unsigned long long *out);
#endif
