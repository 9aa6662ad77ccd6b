/* Fuzz harness for the Delivered-To loop check (src/lib/dtline.c): the
   input (after a one-byte chunk size) fed in chunks must give the answer
   of a plain reference that looks at the header's lines one by one. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "dtline.h"

static const char rcpt[] = "joe@example.org";

static int reference_line(const char *l, size_t len)
{
	size_t a = 13;
	if (len > DTLINE_LINE_MAX || len < a || strncasecmp(l, "Delivered-To:", 13)) return 0;
	while (a < len && (l[a] == ' ' || l[a] == '\t')) a++;
	while (len > a && (l[len - 1] == ' ' || l[len - 1] == '\t' || l[len - 1] == '\r')) len--;
	return len - a == sizeof rcpt - 1 && strncasecmp(l + a, rcpt, len - a) == 0;
}

static int reference(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - s) : len;
		if (end - i == 0 || (end - i == 1 && s[i] == '\r')) return 0;
		if (reference_line(s + i, end - i)) return 1;
		i = end + 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct dtline s;
	size_t chunk, i;
	const char *text;
	if (size < 1) return 0;
	chunk = data[0] ? data[0] : 1;
	text = (const char *)data + 1;
	size--;
	dtline_init(&s, rcpt, sizeof rcpt - 1);
	for (i = 0; i < size; i += chunk)
		dtline_feed(&s, text + i, size - i < chunk ? size - i : chunk);
	if ((dtline_finish(&s) == DTLINE_FOUND) != reference(text, size)) abort();
	return 0;
}
