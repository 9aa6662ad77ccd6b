/* Fuzz harness for DKIM relaxed canonicalization (src/lib/dkim_canon.c):
   the body fed in chunks whose sizes come from the first bytes must give
   exactly what a whole-input reference gives; a header field's canonical
   form must hold no CR or LF but its final CRLF, no tab, no two spaces in
   a row and no space before that CRLF. */
#include <string.h>
#include "dkim_canon.h"
#include "str.h"

static void cat(void *ctx, const char *s, size_t len) { str_catb(ctx, s, len); }

static int wsp(char c) { return c == ' ' || c == '\t'; }

/* Reference: split into lines at LF (a CR before it belongs to the end),
   squeeze and trim each, drop trailing empty lines, CRLF after each. */
static void reference(const char *s, size_t len, str *out)
{
	size_t i = 0, keep = 0;
	while (i < len) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - s) : len, e = end, k;
		int sp = 0, any = 0;
		if (nl && e > i && s[e - 1] == '\r') e--;
		for (k = i; k < e; k++) {
			if (wsp(s[k])) { sp = 1; continue; }
			if (sp) str_catc(out, ' ');
			sp = 0;
			str_catc(out, s[k]);
			any = 1;
		}
		str_catb(out, "\r\n", 2);
		if (any) keep = out->len;
		i = nl ? end + 1 : len;
	}
	out->len = keep;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	str got = STR_INIT, want = STR_INIT, h = STR_INIT;
	struct dkim_body b;
	size_t i = 2, step;
	if (size < 2) return 0;
	dkim_body_init(&b, cat, &got);
	step = (size_t)(data[0] % 17) + 1;
	while (i < size) {
		size_t n = size - i < step ? size - i : step;
		dkim_body_feed(&b, (const char *)data + i, n);
		i += n;
		step = (size_t)((data[1] + i) % 23) + 1;
	}
	dkim_body_end(&b);
	reference((const char *)data + 2, size - 2, &want);
	if (got.len != want.len || (got.len && memcmp(got.s, want.s, got.len))) __builtin_trap();
	if (dkim_canon_header(&h, (const char *)data + 2, size - 2) == 0) {
		if (h.len < 3 || h.s[h.len - 2] != '\r' || h.s[h.len - 1] != '\n') __builtin_trap();
		for (i = 0; i + 2 < h.len; i++) {
			if (h.s[i] == '\r' || h.s[i] == '\n' || h.s[i] == '\t') __builtin_trap();
			if (h.s[i] == ' ' && (h.s[i + 1] == ' ' || i + 3 == h.len)) __builtin_trap();
		}
	}
	str_free(&got);
	str_free(&want);
	str_free(&h);
	return 0;
}
