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
