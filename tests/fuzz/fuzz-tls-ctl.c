/* Fuzzes the UCSPI-TLS control line (src/lib/tlsctl.h): what tls-server
   writes after a handshake and smtpd-recv (or tls-server's own -Z child)
   parses. Checks: the parser never reads past len, whatever it accepts
   holds only field characters and survives a make/parse round trip, and
   whatever tlsctl_line_make builds parses back to the same fields. */
#include <stdlib.h>
#include <string.h>
#include "str.h"
#include "tlsctl.h"

static int fieldish(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')
		      || *s == '.' || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static void roundtrip(const struct tlsctl_info *a)
{
	str line = STR_INIT;
	struct tlsctl_info b;
	if (tlsctl_line_make(&line, a->protocol, a->cipher, a->sni[0] ? a->sni : 0) < 0) abort();
	if (line.len > TLSCTL_LINE_MAX) abort();
	if (!tlsctl_line_parse(line.s, line.len, &b)) abort();
	if (strcmp(a->protocol, b.protocol) || strcmp(a->cipher, b.cipher)) abort();
	if (strcasecmp(a->sni, b.sni)) abort();
	str_free(&line);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct tlsctl_info info;
	/* An exact-size heap copy, so ASan sees any read past the end. */
	char *copy = malloc(size ? size : 1);
	if (!copy) return 0;
	memcpy(copy, data, size);
	if (tlsctl_line_parse(copy, size, &info)) {
		if (!info.protocol[0] || !info.cipher[0]) abort();
		if (!fieldish(info.protocol) || !fieldish(info.cipher) || !fieldish(info.sni)) abort();
		roundtrip(&info);
	}
	/* The input as three NUL-separated strings for the line maker. */
	size_t a = strnlen(copy, size), b = a < size ? strnlen(copy + a + 1, size - a - 1) : 0;
	if (a < size && a + 1 + b < size) {
		char *p = strndup(copy, a), *c = strndup(copy + a + 1, b);
		char *s = strndup(copy + a + 2 + b, size - a - 2 - b);
		str line = STR_INIT;
		if (p && c && s && tlsctl_line_make(&line, p, c, s) == 0) {
			if (!tlsctl_line_parse(line.s, line.len, &info)) abort();
			if (strcmp(info.protocol, p) || strcmp(info.cipher, c)) abort();
			if (info.sni[0] && strcasecmp(info.sni, s)) abort();
		}
		str_free(&line);
		free(p); free(c); free(s);
	}
	free(copy);
	return 0;
}
