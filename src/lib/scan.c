#include <limits.h>
#include "scan.h"

size_t scan_ulong(const char *s, size_t len, unsigned long long *out)
{
	unsigned long long v = 0;
	size_t i;
	for (i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
		unsigned int d = (unsigned int)(s[i] - '0');
		if (v > (ULLONG_MAX - d) / 10) return 0;
		v = v * 10 + d;
	}
	if (i) *out = v;
	return i;
}

int scan_ulong_all(const char *s, unsigned long long *out)
{
	size_t len = 0;
	while (s[len]) len++;
	return len > 0 && scan_ulong(s, len, out) == len;
}
