#include <errno.h>
#include "spki.h"

/* A DER tag and length at p (n bytes available): header size and content
   length. Only low tag numbers and definite lengths up to 4 bytes, which
   is all a certificate uses. 0 or -1. */
static int der_header(const unsigned char *p, size_t n, size_t *hdr, size_t *len)
{
	size_t l = 0, i, k;
	if (n < 2 || (p[0] & 0x1f) == 0x1f) return -1;
	if (p[1] < 0x80) {
		*hdr = 2;
		l = p[1];
	} else {
		k = p[1] & 0x7f;
		if (k == 0 || k > 4 || n < 2 + k) return -1;
		for (i = 0; i < k; i++) l = (l << 8) | p[2 + i];
		*hdr = 2 + k;
	}
	if (l > n - *hdr) return -1;
	*len = l;
	return 0;
}

/* Certificate { tbsCertificate { [0] version OPTIONAL, serial, signature,
   issuer, validity, subject, subjectPublicKeyInfo, ... } ... } */
int spki_find(const unsigned char *p, size_t n, const unsigned char **spki, size_t *spki_len)
{
	size_t h, l, k;
	int i;
	for (i = 0; i < 2; i++) {   /* into Certificate, then tbsCertificate */
		if (der_header(p, n, &h, &l) < 0 || p[0] != 0x30) return -1;
		p += h;
		n = l;
	}
	for (k = (n && p[0] == 0xa0) ? 0 : 1; k < 6; k++) {
		if (der_header(p, n, &h, &l) < 0) return -1;
		p += h + l;
		n -= h + l;
	}
	if (der_header(p, n, &h, &l) < 0 || p[0] != 0x30) return -1;
	*spki = p;
	*spki_len = h + l;
	return 0;
}

/* DER: tag, length (short or long form), then the contents. */
static int der_put(str *out, unsigned char tag, const void *p, size_t len)
{
	unsigned char h[6];
	size_t n = 0;
	h[n++] = tag;
	if (len < 128) h[n++] = (unsigned char)len;
	else if (len < 256) { h[n++] = 0x81; h[n++] = (unsigned char)len; }
	else if (len < 65536) { h[n++] = 0x82; h[n++] = (unsigned char)(len >> 8); h[n++] = (unsigned char)len; }
	else { errno = EINVAL; return -1; }
	return str_catb(out, (const char *)h, n) < 0 || str_catb(out, p, len) < 0 ? -1 : 0;
}

/* An unsigned big-endian INTEGER: no leading zeros, one 0 if the top bit is set. */
static int der_uint(str *out, const unsigned char *v, size_t len)
{
	str t = STR_INIT;
	int r;
	while (len > 1 && v[0] == 0) { v++; len--; }
	r = (len && (v[0] & 0x80) && str_catc(&t, 0) < 0) || str_catb(&t, (const char *)v, len) < 0 ? -1 :
	    der_put(out, 0x02, t.s, t.len);
	str_free(&t);
	return r;
}

int spki_encode_rsa(str *out, const unsigned char *n, size_t nlen, const unsigned char *e, size_t elen)
{
	static const unsigned char alg[] = {
		0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00
	};
	str key = STR_INIT, seq = STR_INIT, all = STR_INIT;
	int r = -1;
	out->len = 0;
	if (der_uint(&key, n, nlen) == 0 && der_uint(&key, e, elen) == 0 &&
	    str_catc(&seq, 0) == 0 && der_put(&seq, 0x30, key.s, key.len) == 0 &&   /* 0 unused bits */
	    str_catb(&all, (const char *)alg, sizeof alg) == 0 && der_put(&all, 0x03, seq.s, seq.len) == 0 &&
	    der_put(out, 0x30, all.s, all.len) == 0)
		r = 0;
	str_free(&key);
	str_free(&seq);
	str_free(&all);
	return r;
}
