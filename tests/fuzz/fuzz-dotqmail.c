/* Fuzz harness for the .qmail line reader (src/lib/dotqmail.c): every
   instruction it gives lies inside one line of the input, holds no
   newline, has no trailing space, tab or CR, and its kind matches the
   line's first byte; the number of instructions is the number of lines
   that are neither empty nor comments. */
#include <stdlib.h>
#include <string.h>
#include "dotqmail.h"

struct seen { const char *s; size_t len; size_t n; };

static int add(void *ctx, enum dotqmail_kind kind, const char *text, size_t len)
{
	struct seen *w = ctx;
	const char *line;
	if (text < w->s || text + len > w->s + w->len || memchr(text, '\n', len)) abort();
	if (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\r')) abort();
	line = text;
	while (line > w->s && line[-1] != '\n') line--;
	switch (kind) {
	case DOTQMAIL_PROGRAM: if (*line != '|' || text != line + 1) abort(); break;
	case DOTQMAIL_MAILDIR: if ((*line != '/' && *line != '.') || text[len - 1] != '/') abort(); break;
	case DOTQMAIL_MBOX: if (*line != '/' && *line != '.') abort(); break;
	case DOTQMAIL_FORWARD: if (*line == '&' ? text != line + 1 : text != line) abort(); break;
	default: abort();
	}
	w->n++;
	return 0;
}

static size_t count_lines(const char *s, size_t len)
{
	size_t i = 0, n = 0;
	while (i < len) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - s) : len, e = end;
		while (e > i && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) e--;
		if (e > i && s[i] != '#') n++;
		i = end + 1;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct seen w;
	w.s = (const char *)data;
	w.len = size;
	w.n = 0;
	if (dotqmail_parse(w.s, size, add, &w) != 0) abort();
	if (w.n != count_lines(w.s, size)) abort();
	return 0;
}
