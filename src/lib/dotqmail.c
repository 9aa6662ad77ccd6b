#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include "dotqmail.h"

int dotqmail_name(str *out, const char *dash, const char *ext, size_t extlen, int with_default)
{
	size_t i, start;
	if (str_copys(out, ".qmail") < 0 || str_cats(out, dash) < 0) return -1;
	start = out->len;
	if (str_catb(out, ext, extlen) < 0) return -1;
	for (i = start; i < out->len; i++) {
		char c = out->s[i];
		if (c == '/') return 1;
		if (c == '.') out->s[i] = ':';
		else if (c >= 'A' && c <= 'Z') out->s[i] = (char)(c + 32);
	}
	if (with_default && str_cats(out, "default") < 0) return -1;
	return str_0(out);
}

/* 1 exists, 0 not, -1 cannot tell (errno). */
static int exists(const char *dir, const str *name, str *path)
{
	struct stat st;
	if (str_copys(path, dir) < 0 || str_catc(path, '/') < 0 ||
	    str_cat(path, name) < 0 || str_0(path) < 0)
		return -1;
	if (stat(path->s, &st) == 0) return 1;
	if (errno == ENOENT || errno == ENOTDIR) return 0;
	return -1;
}

int dotqmail_search(const char *dir, const char *dash, const char *ext,
                    str *path, size_t *default_at)
{
	str name = STR_INIT;
	size_t extlen = strlen(ext), i;
	int r;
	r = dotqmail_name(&name, dash, ext, extlen, 0);
	if (r == 0) {
		r = exists(dir, &name, path);
		if (r != 0) { *default_at = (size_t)-1; goto done; }
	} else if (r < 0) goto done;
	r = 0;
	if (!*dash) goto done;   /* no extension: only ".qmail" counts */
	for (i = extlen + 1; i-- > 0;) {
		if (i > 0 && ext[i - 1] != '-') continue;
		r = dotqmail_name(&name, dash, ext, i, 1);
		if (r < 0) goto done;
		if (r == 1) { r = 0; continue; }
		r = exists(dir, &name, path);
		if (r != 0) { *default_at = i; goto done; }
	}
done:
	str_free(&name);
	return r;
}

enum dotqmail_kind dotqmail_target(const char *s, size_t len, size_t *skip)
{
	*skip = 0;
	if (len && s[0] == '|') { *skip = 1; return DOTQMAIL_PROGRAM; }
	if (len && (s[0] == '/' || s[0] == '.')) return s[len - 1] == '/' ? DOTQMAIL_MAILDIR : DOTQMAIL_MBOX;
	return DOTQMAIL_FORWARD;
}

int dotqmail_parse(const char *s, size_t len,
                   int (*add)(void *ctx, enum dotqmail_kind kind, const char *text, size_t textlen),
                   void *ctx)
{
	size_t i = 0;
	while (i < len) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - s) : len, e = end, skip;
		int r = 0;
		while (e > i && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) e--;
		if (e > i && s[i] == '&') {
			r = add(ctx, DOTQMAIL_FORWARD, s + i + 1, e - i - 1);
		} else if (e > i && s[i] != '#') {
			enum dotqmail_kind k = dotqmail_target(s + i, e - i, &skip);
			r = add(ctx, k, s + i + skip, e - i - skip);
		}
		if (r) return r;
		i = end + 1;
	}
	return 0;
}
