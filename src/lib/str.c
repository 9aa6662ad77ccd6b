#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "fmt.h"
#include "str.h"

int str_ready(str *x, size_t n)
{
	size_t a;
	char *s;
	if (n <= x->a && x->s) return 0;
	if (n > STR_LIMIT) { errno = ENOMEM; return -1; }
	a = n + (n >> 3) + 30;
	if (a > STR_LIMIT) a = STR_LIMIT;
	if (a < n) { errno = ENOMEM; return -1; }
	s = realloc(x->s, a);
	if (!s) { errno = ENOMEM; return -1; }
	x->s = s;
	x->a = a;
	return 0;
}

int str_readyplus(str *x, size_t n)
{
	if (n > STR_LIMIT || x->len > STR_LIMIT - n) { errno = ENOMEM; return -1; }
	return str_ready(x, x->len + n);
}

int str_copyb(str *x, const char *s, size_t n)
{
	if (str_ready(x, n + 1) < 0) return -1;
	if (n) memmove(x->s, s, n);
	x->len = n;
	return 0;
}

int str_copys(str *x, const char *s) { return str_copyb(x, s, strlen(s)); }
int str_copy(str *x, const str *y) { return str_copyb(x, y->s, y->len); }

int str_catb(str *x, const char *s, size_t n)
{
	if (str_readyplus(x, n + 1) < 0) return -1;
	if (n) memmove(x->s + x->len, s, n);
	x->len += n;
	return 0;
}

int str_cats(str *x, const char *s) { return str_catb(x, s, strlen(s)); }
int str_cat(str *x, const str *y) { return str_catb(x, y->s, y->len); }
int str_catc(str *x, char c) { return str_catb(x, &c, 1); }

int str_catnum(str *x, unsigned long long n)
{
	char num[FMT_ULONG];
	return str_catb(x, num, fmt_ulong(num, n));
}

int str_catv(str *x, ...)
{
	va_list ap;
	const char *s;
	int r = 0;
	va_start(ap, x);
	while ((s = va_arg(ap, const char *)) != NULL)
		if (str_cats(x, s) < 0) { r = -1; break; }
	va_end(ap);
	return r;
}

int str_0(str *x)
{
	if (str_readyplus(x, 1) < 0) return -1;
	x->s[x->len] = 0;
	return 0;
}

void str_free(str *x)
{
	free(x->s);
	x->s = NULL;
	x->len = x->a = 0;
}

int str_starts(const str *x, const char *prefix)
{
	size_t n = strlen(prefix);
	return x->len >= n && memcmp(x->s, prefix, n) == 0;
}

int str_equals(const str *x, const char *s)
{
	size_t n = strlen(s);
	return x->len == n && memcmp(x->s, s, n) == 0;
}

void str_lower(str *x)
{
	size_t i;
	for (i = 0; i < x->len; i++)
		if (x->s[i] >= 'A' && x->s[i] <= 'Z') x->s[i] = (char)(x->s[i] + 32);
}
