/* Fuzz harness for mboxrd quoting (src/lib/mbox.c): the input, fed in
   chunks whose sizes come from the first bytes, must give exactly what a
   plain line-by-line reference gives, and the final-newline flag must
   be right. */
#include <stdlib.h>
#include <string.h>
#include "mbox.h"
#include "str.h"

static int put(void *ctx, const char *s, size_t len) { return str_catb(ctx, s, len); }

/* Reference: each line matching ">*From " gets one more '>'. */
static void reference(const char *s, size_t len, str *out)
{
	size_t i = 0;
	while (i < len) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - s) + 1 : len, k = i;
		while (k < end && s[k] == '>') k++;
		if (end - k >= 5 && memcmp(s + k, "From ", 5) == 0) str_catc(out, '>');
		str_catb(out, s + i, end - i);
		i = end;
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct mbox_quote q;
	str got = STR_INIT, want = STR_INIT;
	const char *text;
	size_t len, pos = 0, step;
	unsigned char a, b;
	int nl = -1;
	if (size < 2) return 0;
	a = data[0] ? data[0] : 1;
	b = data[1] ? data[1] : 1;
	text = (const char *)data + 2;
	len = size - 2;
	memset(&q, 0, sizeof q);
	for (step = 0; pos < len; step++) {
		size_t n = step % 2 ? a : b;
		if (n > len - pos) n = len - pos;
		if (mbox_quote(&q, text + pos, n, put, &got) < 0) abort();
		pos += n;
	}
	if (mbox_quote_end(&q, put, &got, &nl) < 0) abort();
	reference(text, len, &want);
	if (got.len != want.len || (got.len && memcmp(got.s, want.s, got.len) != 0)) abort();
	if (nl != (len > 0 && text[len - 1] == '\n')) abort();
	str_free(&got);
	str_free(&want);
	return 0;
}
