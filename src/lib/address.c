#include <string.h>
#include <strings.h>
#include "address.h"

size_t address_at(const char *addr, size_t len)
{
	size_t i = len;
	while (i > 0) {
		if (addr[i - 1] == '@') return i - 1;
		i--;
	}
	return len;
}

int address_domain_matches(const char *domain, size_t len, const char *pattern)
{
	size_t plen = strlen(pattern);
	if (plen == 0) return 0;
	if (pattern[0] == '.')
		return len > plen && strncasecmp(domain + len - plen, pattern, plen) == 0;
	return len == plen && strncasecmp(domain, pattern, plen) == 0;
}

int address_has_control(const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f) return 1;
	}
	return 0;
}
