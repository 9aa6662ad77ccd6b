#include <errno.h>
#include "base64.h"

static int value(char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+') return 62;
	if (c == '/') return 63;
	return -1;
}

int base64_decode(const char *in, size_t len, str *out)
{
	size_t i;
	out->len = 0;
	if (len % 4) { errno = EINVAL; return -1; }
	if (str_ready(out, len / 4 * 3 + 1) < 0) return -1;
	for (i = 0; i < len; i += 4) {
		int v[4], k, pad = 0;
		for (k = 0; k < 4; k++) {
			if (in[i + k] == '=' && i + 4 == len && k >= 2) { v[k] = 0; pad++; continue; }
			if (pad || (v[k] = value(in[i + k])) < 0) { errno = EINVAL; return -1; }
		}
		out->s[out->len++] = (char)(v[0] << 2 | v[1] >> 4);
		if (pad < 2) out->s[out->len++] = (char)((v[1] & 15) << 4 | v[2] >> 2);
		if (pad < 1) out->s[out->len++] = (char)((v[2] & 3) << 6 | v[3]);
	}
	return 0;
}

int base64_encode(str *out, const char *in, size_t len)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = (const unsigned char *)in;
	size_t i;
	if (len > (STR_LIMIT / 4) * 3 || str_readyplus(out, (len + 2) / 3 * 4) < 0) return -1;
	for (i = 0; i + 2 < len; i += 3) {
		unsigned long v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 | p[i + 2];
		out->s[out->len++] = a[v >> 18];
		out->s[out->len++] = a[(v >> 12) & 63];
		out->s[out->len++] = a[(v >> 6) & 63];
		out->s[out->len++] = a[v & 63];
	}
	if (i < len) {
		unsigned long v = (unsigned long)p[i] << 16 | (i + 1 < len ? (unsigned long)p[i + 1] << 8 : 0);
		out->s[out->len++] = a[v >> 18];
		out->s[out->len++] = a[(v >> 12) & 63];
		out->s[out->len++] = i + 1 < len ? a[(v >> 6) & 63] : '=';
		out->s[out->len++] = '=';
	}
	return 0;
}
