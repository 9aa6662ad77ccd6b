#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "ipport.h"
#include "scan.h"

int ipport_parse(const char *s, size_t len, unsigned int dflt,
                 struct sockaddr_storage *sa, socklen_t *salen)
{
	char buf[64];
	const char *host = s, *port = NULL;
	size_t hlen = len, plen = 0;
	unsigned long long pn = dflt;
	struct sockaddr_in *v4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)sa;
	const char *colon = memchr(s, ':', len);
	if (len == 0 || len >= sizeof buf) return 0;
	if (s[0] == '[') {
		const char *close = memchr(s, ']', len);
		if (!close) return 0;
		host = s + 1; hlen = (size_t)(close - s) - 1;
		if ((size_t)(close - s) + 1 < len) {
			if (close[1] != ':') return 0;
			port = close + 2; plen = len - (size_t)(close - s) - 2;
		}
	} else if (colon && !memchr(colon + 1, ':', len - (size_t)(colon - s) - 1)) {
		hlen = (size_t)(colon - s);        /* exactly one colon: IPv4 with port */
		port = colon + 1; plen = len - hlen - 1;
	}
	if (port && (plen == 0 || scan_ulong(port, plen, &pn) != plen || pn == 0 || pn > 65535)) return 0;
	memcpy(buf, host, hlen);
	buf[hlen] = 0;
	memset(sa, 0, sizeof *sa);
	if (inet_pton(AF_INET, buf, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)pn);
		*salen = sizeof *v4;
		return 1;
	}
	if (inet_pton(AF_INET6, buf, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)pn);
		*salen = sizeof *v6;
		return 1;
	}
	return 0;
}
