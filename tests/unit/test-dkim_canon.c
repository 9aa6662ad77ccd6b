/* Unit test of src/lib/dkim_canon.c and src/lib/dkim.c: RFC 6376's own
   relaxed examples, the body's edge cases, the h= list and the order in
   which signed fields are taken, and the signature field's length rule. */
#include <string.h>
#include "dkim.h"
#include "dkim_canon.h"
#include "check.h"

static void cat(void *ctx, const char *s, size_t len) { str_catb(ctx, s, len); }

/* The relaxed body of s, fed one byte at a time when bytewise. */
static int body_is(const char *in, const char *want, int bytewise)
{
	str out = STR_INIT;
	struct dkim_body b;
	size_t i, n = strlen(in);
	int ok;
	dkim_body_init(&b, cat, &out);
	if (bytewise) for (i = 0; i < n; i++) dkim_body_feed(&b, in + i, 1);
	else dkim_body_feed(&b, in, n);
	dkim_body_end(&b);
	ok = out.len == strlen(want) && (out.len == 0 || !memcmp(out.s, want, out.len));
	str_free(&out);
	return ok;
}

static int header_is(const char *in, const char *want)
{
	str out = STR_INIT;
	int ok = dkim_canon_header(&out, in, strlen(in)) == 0 && out.len == strlen(want) &&
	         (out.len == 0 || !memcmp(out.s, want, out.len));
	str_free(&out);
	return ok;
}

int main(void)
{
	static const char head[] = "Received: x\nFrom: a@b\nTo: c\nSubject: s\nX-Other: o\nTo: d\n";
	struct dkim_field f[6];
	str x = STR_INIT;
	size_t i, off = 0, n = 0;
	int k;
	/* RFC 6376 3.4.5 */
	check(header_is("A: X\r\n", "a:X\r\n"), "rfc example header A");
	check(header_is("B : Y\t\r\n\tZ  \r\n", "b:Y Z\r\n"), "rfc example header B");
	for (k = 0; k < 2; k++) {
		check(body_is(" C \r\nD \t E\r\n\r\n\r\n", " C\r\nD E\r\n", k), "rfc example body");
		check(body_is(" C \nD \t E\n\n\n", " C\r\nD E\r\n", k), "same with LF line ends");
		check(body_is("", "", k), "empty body is empty");
		check(body_is("\n\n \t\n", "", k), "only empty lines: empty");
		check(body_is("no newline", "no newline\r\n", k), "a last line without newline gets CRLF");
		check(body_is("a\n\n\nb\n\n", "a\r\n\r\n\r\nb\r\n", k), "inner empty lines kept");
		check(body_is("a\rb\r\n", "a\rb\r\n", k), "a lone CR is ordinary");
		check(body_is("a \r", "a \r\r\n", k), "a CR at the very end is ordinary");
	}
	check(header_is("SUBJECT:   lots   of\n   space  \n", "subject:lots of space\r\n"), "unfold and squeeze");
	check(header_is("X:\n", "x:\r\n"), "empty value");

	for (i = 0; i < sizeof head - 1; i++)
		if (head[i] == '\n') { f[n].off = off; f[n].len = i + 1 - off; off = i + 1; n++; }
	check(n == 6, "six fields");
	check(dkim_hlist(&x, head, f, n) == 0 && str_0(&x) == 0 && !strcmp(x.s, "from:to:subject:to:from"),
	      "h= lists signed fields in order, then from again");
	check(dkim_name_signed("Message-ID", 10) && !dkim_name_signed("Received", 8), "signed names");
	x.len = 0;
	check(dkim_signed_headers(&x, head, f, n, "to:to:to:from", 13) == 0 && str_0(&x) == 0 &&
	      !strcmp(x.s, "to:d\r\nto:c\r\nfrom:a@b\r\n"), "fields taken bottom-up, missing ones add nothing");

	{
		struct dkim_sig s = { "example.org", "sel", 1796160689ULL, "from:to:subject:date:from", "", "" };
		str a = STR_INIT, b = STR_INIT;
		char bh1[45], bh2[45], b1[345], b2[345];
		memset(bh1, 'A', 44); bh1[44] = 0;
		memset(bh2, 'z', 44); bh2[44] = 0;
		memset(b1, 'A', 344); b1[344] = 0;
		memset(b2, '/', 344); b2[344] = 0;
		s.bh = bh1; s.b = b1;
		dkim_sig_field(&a, &s);
		s.bh = bh2; s.b = b2;
		dkim_sig_field(&b, &s);
		check(a.len == b.len && a.len > 0, "the field's length depends on lengths only");
		check(!memcmp(a.s, "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=sel;\n\tt=1796160689; h=", 93),
		      "field begins as documented");
		for (i = 0, k = 1; i < a.len; i++) {
			size_t e = i;
			while (e < a.len && a.s[e] != '\n') e++;
			if (e - i > 78) k = 0;
			i = e;
		}
		check(k, "no line over 78 characters");
		str_free(&a);
		str_free(&b);
	}
	str_free(&x);
	return failed;
}
