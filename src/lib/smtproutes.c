#include <string.h>
#include <strings.h>
#include "scan.h"
#include "smtproutes.h"

int smtproutes_parse_relay(const char *s, size_t len, struct smtproute *r)
{
	const char *port = NULL;
	size_t hlen = len, plen = 0;
	unsigned long long pn = 25;
	r->literal = 0;
	if (len && s[0] == '[') {
		const char *close = memchr(s, ']', len);
		if (!close) return 0;
		hlen = (size_t)(close - s) - 1;
		if ((size_t)(close - s) + 1 < len) {
			if (close[1] != ':') return 0;
			port = close + 2;
			plen = len - (size_t)(close - s) - 2;
		}
		s++;
		r->literal = 1;
		if (hlen == 0) return 0;
	} else {
		const char *colon = memchr(s, ':', len);
		if (colon) {
			hlen = (size_t)(colon - s);
			port = colon + 1;
			plen = len - hlen - 1;
		}
	}
	/* Further ":fields" (AUTH credentials in some qmail patches) are
	   ignored: tern keeps credentials in control/relayauth, which only
	   tern-relay can read (smtproutes is world-readable). */
	if (port) {
		const char *more = memchr(port, ':', plen);
		if (more) plen = (size_t)(more - port);
		if (plen && (scan_ulong(port, plen, &pn) != plen || pn == 0 || pn > 65535)) return 0;
	}
	if (hlen >= sizeof r->host) return 0;
	for (size_t i = 0; i < hlen; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= 0x20 || c >= 0x7f) return 0;
	}
	memcpy(r->host, s, hlen);
	r->host[hlen] = 0;
	r->port = (unsigned int)pn;
	return 1;
}

/* The relay part of the item for pattern (plen bytes), or NULL. */
static const char *item_for(const str *items, const char *pattern, size_t plen, size_t *rlen)
{
	size_t i = 0;
	while (i < items->len) {
		const char *it = items->s + i;
		size_t n = strlen(it);
		const char *colon = memchr(it, ':', n);
		if (colon && (size_t)(colon - it) == plen && strncasecmp(it, pattern, plen) == 0) {
			*rlen = n - plen - 1;
			return colon + 1;
		}
		i += n + 1;
	}
	return NULL;
}

const char *smtproutes_lookup(const str *items, const char *domain, size_t len, size_t *vlen)
{
	for (size_t i = 0; i <= len; i++) {
		const char *v;
		if (i != 0 && i != len && domain[i] != '.') continue;
		v = item_for(items, domain + i, len - i, vlen);
		if (v) return v;
	}
	return NULL;
}

int smtproutes_find(const str *items, const char *domain, size_t len, struct smtproute *r)
{
	size_t rlen = 0;
	const char *relay = smtproutes_lookup(items, domain, len, &rlen);
	return relay ? smtproutes_parse_relay(relay, rlen, r) : 0;
}
