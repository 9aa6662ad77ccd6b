#include <errno.h>
#include <string.h>
#include "headers.h"

size_t headers_name_len(const char *line, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c == ':') return i > 0 ? i + 1 : 0;
		if (c <= 0x20 || c >= 0x7f) return 0;
	}
	return 0;
}

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c; }

int headers_is(const char *f, size_t len, const char *name)
{
	size_t n = strlen(name), i;
	if (len <= n || f[n] != ':') return 0;
	for (i = 0; i < n; i++)
		if (lower(f[i]) != lower(name[i])) return 0;
	return 1;
}

/* One address being collected: the tokens of the current mailbox, and
   the contents of its angle brackets if it has them. */
struct scan {
	str plain;     /* atoms, dots, '@', unquoted quoted strings */
	str angle;     /* what was inside <...> */
	int in_angle;
	int has_angle;
	int count;
	str *out;
};

static int emit(struct scan *s)
{
	str *a = s->has_angle ? &s->angle : &s->plain;
	const char *p = a->s;
	size_t len = a->len;
	int r = 0;
	/* A source route "@a,@b:" before the mailbox is obsolete: drop it. */
	if (s->has_angle && len && p[0] == '@') {
		const char *colon = memchr(p, ':', len);
		if (colon) { len -= (size_t)(colon + 1 - p); p = colon + 1; }
	}
	if (len > 0) {
		if (str_catb(s->out, p, len) < 0 || str_cat0(s->out) < 0) r = -1;
		else s->count++;
	}
	s->plain.len = s->angle.len = 0;
	s->in_angle = s->has_angle = 0;
	return r;
}

static int add(struct scan *s, char c)
{
	return str_catc(s->in_angle ? &s->angle : &s->plain, c);
}

/* Skips a comment starting at v[i] == '('; returns the index after it. */
static size_t comment_skip(const char *v, size_t len, size_t i)
{
	int depth = 0;
	for (; i < len; i++) {
		if (v[i] == '\\') { i++; continue; }
		if (v[i] == '(') depth++;
		else if (v[i] == ')' && --depth == 0) return i + 1;
	}
	return len;
}

/* Copies a quoted string's contents (without quotes and escapes). */
static size_t quoted_copy(struct scan *s, const char *v, size_t len, size_t i, int *err)
{
	for (i++; i < len && v[i] != '"'; i++) {
		if (v[i] == '\\' && i + 1 < len) i++;
		if (v[i] == '\r' || v[i] == '\n') continue;
		if (add(s, v[i]) < 0) { *err = 1; return len; }
	}
	return i < len ? i + 1 : len;
}

int headers_addresses(const char *v, size_t len, str *out)
{
	struct scan s;
	size_t i = 0;
	int err = 0;
	memset(&s, 0, sizeof s);
	s.out = out;
	while (i < len && !err) {
		char c = v[i];
		switch (c) {
		case '(': i = comment_skip(v, len, i); continue;
		case '"': i = quoted_copy(&s, v, len, i, &err); continue;
		case '<':
			s.in_angle = s.has_angle = 1;
			s.angle.len = 0;
			break;
		case '>': s.in_angle = 0; break;
		case ':':
			/* Outside brackets a colon ends a group's display name. */
			if (s.in_angle) { if (add(&s, c) < 0) err = 1; }
			else { s.plain.len = 0; }
			break;
		case ',': case ';':
			if (s.in_angle) { if (add(&s, c) < 0) err = 1; break; }
			if (emit(&s) < 0) err = 1;
			break;
		case ' ': case '\t': case '\r': case '\n': break;
		case '\\':
			if (i + 1 < len) i++;
			if (add(&s, v[i]) < 0) err = 1;
			break;
		default:
			/* Once an angle address is complete, trailing text is junk. */
			if (!s.has_angle || s.in_angle)
				if (add(&s, c) < 0) err = 1;
		}
		i++;
	}
	if (!err && emit(&s) < 0) err = 1;
	str_free(&s.plain);
	str_free(&s.angle);
	if (err) { errno = ENOMEM; return -1; }
	return s.count;
}
