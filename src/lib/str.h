#ifndef TERN_STR_H
#define TERN_STR_H
#include <stddef.h>

/* Length-counted, growable strings (qmail's stralloc) with a hard
   ceiling: no str ever holds more than STR_LIMIT bytes, so a hostile
   input can exhaust at most that much memory per string. Growth is
   overflow-checked. Functions return 0 on success, -1 with errno
   ENOMEM when the allocation fails or the ceiling is reached. */
#define STR_LIMIT ((size_t)512 * 1024 * 1024)

typedef struct str { char *s; size_t len; size_t a; } str;
#define STR_INIT { 0, 0, 0 }

int str_ready(str *x, size_t n);         /* room for n bytes in all */
int str_readyplus(str *x, size_t n);     /* room for len+n bytes */
int str_copyb(str *x, const char *s, size_t n);
int str_copys(str *x, const char *s);
int str_copy(str *x, const str *y);
int str_catb(str *x, const char *s, size_t n);
int str_cats(str *x, const char *s);
int str_cat(str *x, const str *y);
int str_catc(str *x, char c);
int str_catnum(str *x, unsigned long long n);
/* Several strings, then NULL. */
int str_catv(str *x, ...);
/* Appends a NUL that is not counted in len (for C APIs). */
int str_0(str *x);
/* Appends a NUL that is counted (for NUL-separated lists). */
static inline int str_cat0(str *x) { return str_catc(x, 0); }
void str_free(str *x);
int str_starts(const str *x, const char *prefix);
int str_equals(const str *x, const char *s);
/* Lower-cases ASCII letters in place. */
void str_lower(str *x);
#endif
