#include <string.h>
#include "fmt.h"
#include "netstring.h"

void netstring_len_init(struct netstring_len *p)
{
	p->value = 0;
	p->digits = 0;
}

enum netstring_status netstring_len_byte(struct netstring_len *p, unsigned char c,
                                         unsigned long long max)
{
	if (c == ':') return p->digits ? NETSTRING_OK : NETSTRING_SYNTAX;
	if (c < '0' || c > '9') return NETSTRING_SYNTAX;
	/* "[len] begins with 0 exactly when [string] is empty" (QMTP 6). */
	if (p->digits == 1 && p->value == 0) return NETSTRING_SYNTAX;
	if (p->digits >= NETSTRING_DIGITS_MAX) return NETSTRING_TOOBIG;
	p->value = p->value * 10 + (unsigned long long)(c - '0');
	p->digits++;
	return p->value > max ? NETSTRING_TOOBIG : NETSTRING_MORE;
}

enum netstring_status netstring_parse(const char *s, size_t len, unsigned long long max,
                                      const char **payload, size_t *plen, size_t *used)
{
	struct netstring_len p;
	size_t i = 0;
	enum netstring_status r = NETSTRING_MORE;
	netstring_len_init(&p);
	while (i < len && r == NETSTRING_MORE) r = netstring_len_byte(&p, (unsigned char)s[i++], max);
	if (r != NETSTRING_OK) return r;
	if (len - i <= p.value) return NETSTRING_MORE;   /* payload and comma not all there */
	if (s[i + p.value] != ',') return NETSTRING_SYNTAX;
	*payload = s + i;
	*plen = (size_t)p.value;
	*used = i + (size_t)p.value + 1;
	return NETSTRING_OK;
}

/* Makes input available: >0 bytes held, or the status. */
static enum netstring_status fill(struct netstring_in *in)
{
	ssize_t r;
	if (in->left == 0) return NETSTRING_SYNTAX;
	if (buffer_held(in->b) > 0) return NETSTRING_OK;
	if (in->flush && buffer_flush(in->flush) < 0) return NETSTRING_IO;
	r = buffer_feed(in->b);
	if (r == 0) return NETSTRING_EOF;
	return r < 0 ? NETSTRING_IO : NETSTRING_OK;
}

static void count_off(struct netstring_in *in, size_t n)
{
	buffer_skip(in->b, n);
	if (in->left != NETSTRING_UNBOUNDED) in->left -= n;
}

static enum netstring_status read_byte(struct netstring_in *in, unsigned char *c)
{
	enum netstring_status r = fill(in);
	if (r != NETSTRING_OK) return r;
	*c = (unsigned char)*buffer_peek(in->b);
	count_off(in, 1);
	return NETSTRING_OK;
}

enum netstring_status netstring_read_len(struct netstring_in *in, unsigned long long max,
                                         unsigned long long *len)
{
	struct netstring_len p;
	enum netstring_status r = NETSTRING_MORE;
	netstring_len_init(&p);
	while (r == NETSTRING_MORE) {
		unsigned char c;
		enum netstring_status g = read_byte(in, &c);
		if (g != NETSTRING_OK) return g;
		r = netstring_len_byte(&p, c, max);
	}
	if (r != NETSTRING_OK) return r;
	/* The payload and its comma must fit in what encloses them. */
	if (in->left != NETSTRING_UNBOUNDED && p.value >= in->left) return NETSTRING_SYNTAX;
	*len = p.value;
	return NETSTRING_OK;
}

enum netstring_status netstring_read_comma(struct netstring_in *in)
{
	unsigned char c;
	enum netstring_status r = read_byte(in, &c);
	if (r != NETSTRING_OK) return r;
	return c == ',' ? NETSTRING_OK : NETSTRING_SYNTAX;
}

enum netstring_status netstring_read_some(struct netstring_in *in, unsigned long long want,
                                          const char **p, size_t *n)
{
	enum netstring_status r = fill(in);
	size_t held;
	if (r != NETSTRING_OK) return r;
	held = buffer_held(in->b);
	if (want > in->left) want = in->left;
	*n = want < held ? (size_t)want : held;
	*p = buffer_peek(in->b);
	count_off(in, *n);
	return NETSTRING_OK;
}

enum netstring_status netstring_read_bytes(struct netstring_in *in, size_t n, str *out)
{
	if (str_readyplus(out, n) < 0) return NETSTRING_IO;
	while (n > 0) {
		const char *p;
		size_t got;
		enum netstring_status r = netstring_read_some(in, n, &p, &got);
		if (r != NETSTRING_OK) return r;
		memcpy(out->s + out->len, p, got);
		out->len += got;
		n -= got;
	}
	return NETSTRING_OK;
}

enum netstring_status netstring_skip(struct netstring_in *in, unsigned long long n)
{
	while (n > 0) {
		const char *p;
		size_t got;
		enum netstring_status r = netstring_read_some(in, n, &p, &got);
		if (r != NETSTRING_OK) return r;
		n -= got;
	}
	return NETSTRING_OK;
}

enum netstring_status netstring_read(struct netstring_in *in, size_t max, str *out)
{
	unsigned long long len;
	enum netstring_status r = netstring_read_len(in, max, &len);
	if (r != NETSTRING_OK) return r;
	out->len = 0;
	r = netstring_read_bytes(in, (size_t)len, out);
	return r != NETSTRING_OK ? r : netstring_read_comma(in);
}

int netstring_cat_len(str *out, unsigned long long len)
{
	char num[FMT_ULONG];
	size_t n = fmt_ulong(num, len);
	return str_catb(out, num, n) < 0 || str_catc(out, ':') < 0 ? -1 : 0;
}

int netstring_cat(str *out, const char *s, size_t len)
{
	if (netstring_cat_len(out, len) < 0 || str_catb(out, s, len) < 0) return -1;
	return str_catc(out, ',');
}

unsigned long long netstring_size(unsigned long long len)
{
	char num[FMT_ULONG];
	return fmt_ulong(num, len) + len + 2;
}
