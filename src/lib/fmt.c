#include "fmt.h"

size_t fmt_ulong0(char *out, unsigned long long n, unsigned int width)
{
	char tmp[FMT_ULONG];
	size_t len = 0, i;
	do { tmp[len++] = (char)('0' + n % 10); n /= 10; } while (n);
	while (len < width && len < sizeof tmp) tmp[len++] = '0';
	for (i = 0; i < len; i++) out[i] = tmp[len - 1 - i];
	return len;
}

size_t fmt_ulong(char *out, unsigned long long n)
{
	return fmt_ulong0(out, n, 0);
}

size_t fmt_xlong(char *out, unsigned long long n)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[FMT_ULONG];
	size_t len = 0, i;
	do { tmp[len++] = hex[n & 15]; n >>= 4; } while (n);
	for (i = 0; i < len; i++) out[i] = tmp[len - 1 - i];
	return len;
}
