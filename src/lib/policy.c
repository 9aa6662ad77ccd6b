#include <string.h>
#include <strings.h>
#include "policy.h"

/* The next line of buf from pos: its end (after the LF) in *end. 1 a
   line, 0 need more, POLICY_BAD a NUL or a line over the ceiling. */
static int next_line(const char *buf, size_t len, size_t pos, size_t *end)
{
	size_t i, lim = len - pos < POLICY_LINE_MAX ? len : pos + POLICY_LINE_MAX;
	for (i = pos; i < lim; i++) {
		if (buf[i] == 0) return POLICY_BAD;
		if (buf[i] == '\n') { *end = i + 1; return 1; }
	}
	return lim - pos >= POLICY_LINE_MAX ? POLICY_BAD : 0;
}

int policy_request_parse(const char *buf, size_t len, struct policy_request *r, size_t *used)
{
	size_t pos = 0, end;
	r->n = 0;
	for (;;) {
		int k = next_line(buf, len, pos, &end);
		const char *eq;
		size_t l;
		if (k != 1) return k == 0 && len >= POLICY_REQUEST_MAX ? POLICY_BAD : k;
		if (end > POLICY_REQUEST_MAX) return POLICY_BAD;
		l = end - pos - 1;
		if (l > 0 && buf[pos + l - 1] == '\r') l--;
		if (l == 0) { *used = end; return 1; }
		eq = memchr(buf + pos, '=', l);
		if (!eq || eq == buf + pos || r->n >= POLICY_ATTRS_MAX) return POLICY_BAD;
		r->a[r->n].name = buf + pos;
		r->a[r->n].nlen = (size_t)(eq - (buf + pos));
		r->a[r->n].value = eq + 1;
		r->a[r->n].vlen = l - r->a[r->n].nlen - 1;
		r->n++;
		pos = end;
	}
}

const char *policy_get(const struct policy_request *r, const char *name, size_t *len)
{
	size_t i = r->n, n = strlen(name);
	while (i-- > 0)
		if (r->a[i].nlen == n && !memcmp(r->a[i].name, name, n)) {
			if (len) *len = r->a[i].vlen;
			return r->a[i].value;
		}
	return NULL;
}

int policy_put(str *out, const char *name, const char *value, size_t vlen)
{
	size_t n = strlen(name), i, start;
	if (n + 2 >= POLICY_LINE_MAX) return -1;
	if (vlen > POLICY_LINE_MAX - n - 2) vlen = POLICY_LINE_MAX - n - 2;
	if (str_cats(out, name) < 0 || str_catc(out, '=') < 0) return -1;
	start = out->len;
	if (str_catb(out, value, vlen) < 0) return -1;
	for (i = start; i < out->len; i++)
		if (out->s[i] == '\n' || out->s[i] == '\r' || out->s[i] == 0) out->s[i] = '?';
	return str_catc(out, '\n');
}

int policy_puts(str *out, const char *name, const char *value)
{
	return policy_put(out, name, value ? value : "", value ? strlen(value) : 0);
}

int policy_end(str *out) { return str_catc(out, '\n'); }

int policy_reply_parse(const char *buf, size_t len, str *action, size_t *used)
{
	struct policy_request r;
	const char *a;
	size_t alen;
	int k = policy_request_parse(buf, len, &r, used);
	if (k != 1) return k;
	if (!(a = policy_get(&r, "action", &alen))) return POLICY_BAD;
	return str_copyb(action, a, alen) < 0 ? -1 : 1;
}

int policy_reply(str *out, const char *action)
{
	return policy_puts(out, "action", action) < 0 ? -1 : policy_end(out);
}

static int word_is(const char *s, size_t len, size_t w, const char *word)
{
	return strlen(word) == w && !strncasecmp(s, word, w) && (w == len || s[w] == ' ' || s[w] == '\t');
}

/* "CODE X.Y.Z text": the reply, adding an enhanced code when missing. */
static int reply_text(str *out, const char *code, char cls, const char *text, size_t len, const char *dflt)
{
	int enhanced = len >= 5 && text[0] == cls && text[1] == '.' && text[2] >= '0' && text[2] <= '9';
	out->len = 0;
	if (str_cats(out, code) < 0 || str_catc(out, ' ') < 0) return -1;
	if (!enhanced && (str_catc(out, cls) < 0 || str_cats(out, ".7.1 ") < 0)) return -1;
	if (len == 0) return str_cats(out, dflt);
	return str_catb(out, text, len);
}

int policy_action(const char *s, size_t len, enum policy_verdict *v, str *text, str *extra)
{
	size_t w = 0, r;
	char code[4];
	while (len > 0 && (s[0] == ' ' || s[0] == '\t')) { s++; len--; }
	while (w < len && s[w] != ' ' && s[w] != '\t') w++;
	r = w;
	while (r < len && (s[r] == ' ' || s[r] == '\t')) r++;
	text->len = extra->len = 0;
	*v = POLICY_DUNNO;
	if (word_is(s, len, w, "dunno") || word_is(s, len, w, "defer_if_reject")) return 0;
	if (word_is(s, len, w, "ok")) { *v = POLICY_OK; return 0; }
	if (word_is(s, len, w, "warn") || word_is(s, len, w, "prepend"))
		return str_copyb(extra, s + r, len - r);
	if (word_is(s, len, w, "reject")) {
		*v = POLICY_REJECT;
		return reply_text(text, "554", '5', s + r, len - r, "Access denied");
	}
	if (word_is(s, len, w, "defer") || word_is(s, len, w, "defer_if_permit")) {
		*v = POLICY_DEFER;
		return reply_text(text, "450", '4', s + r, len - r, "Try again later");
	}
	if (w == 3 && (s[0] == '4' || s[0] == '5') && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9') {
		memcpy(code, s, 3);
		code[3] = 0;
		*v = !strcmp(code, "421") ? POLICY_DISCONNECT : s[0] == '4' ? POLICY_DEFER : POLICY_REJECT;
		return reply_text(text, code, s[0], s + r, len - r, s[0] == '4' ? "Try again later" : "Access denied");
	}
	*v = POLICY_ERROR;
	text->len = 0;
	return str_cats(text, "451 4.3.5 Server configuration problem");
}
