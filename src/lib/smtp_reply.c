#include <string.h>
#include <strings.h>
#include "scan.h"
#include "smtp_reply.h"

void smtp_reply_init(struct smtp_reply *r)
{
	r->code = 0;
	r->lines = 0;
	r->text.s = NULL;
	r->text.len = r->text.a = 0;
}

void smtp_reply_reset(struct smtp_reply *r)
{
	r->code = 0;
	r->lines = 0;
	r->text.len = 0;
}

void smtp_reply_free(struct smtp_reply *r)
{
	str_free(&r->text);
	smtp_reply_init(r);
}

static unsigned int code_of(const char *s)
{
	if (s[0] < '2' || s[0] > '5' || s[1] < '0' || s[1] > '5' || s[2] < '0' || s[2] > '9')
		return 0;
	return (unsigned int)(s[0] - '0') * 100 + (unsigned int)(s[1] - '0') * 10 + (unsigned int)(s[2] - '0');
}

int smtp_reply_line(struct smtp_reply *r, const char *line, size_t len)
{
	unsigned int code;
	int last;
	if (len < 3 || (r->lines > 0 && len < 4)) return SMTP_REPLY_BAD;
	code = code_of(line);
	if (code == 0 || (r->lines > 0 && code != r->code)) return SMTP_REPLY_BAD;
	if (len == 3) last = 1;
	else if (line[3] == ' ') last = 1;
	else if (line[3] == '-') last = 0;
	else return SMTP_REPLY_BAD;
	if (++r->lines > SMTP_REPLY_LINES_MAX) return SMTP_REPLY_BAD;
	r->code = code;
	if (r->text.len < SMTP_REPLY_TEXT_MAX) {
		size_t take = len > 4 ? len - 4 : 0, room;
		if (r->lines > 1 && str_catc(&r->text, '\n') < 0) return -1;
		room = r->text.len < SMTP_REPLY_TEXT_MAX ? SMTP_REPLY_TEXT_MAX - r->text.len : 0;
		if (take > room) take = room;
		if (take && str_catb(&r->text, line + 4, take) < 0) return -1;
	}
	return last ? SMTP_REPLY_DONE : SMTP_REPLY_MORE;
}

int smtp_reply_summary(const struct smtp_reply *r, str *out, size_t max)
{
	char code[4];
	size_t start = out->len, i;
	code[0] = (char)('0' + r->code / 100);
	code[1] = (char)('0' + r->code / 10 % 10);
	code[2] = (char)('0' + r->code % 10);
	code[3] = ' ';
	if (str_catb(out, code, r->text.len ? 4 : 3) < 0) return -1;
	for (i = 0; i < r->text.len && out->len - start < max; i++) {
		unsigned char c = (unsigned char)r->text.s[i];
		if (c == '\n') {
			if (str_cats(out, " / ") < 0) return -1;
		} else if (str_catc(out, (c < 0x20 || c == 0x7f) ? '?' : (char)c) < 0) {
			return -1;
		}
	}
	if (out->len - start > max) out->len = start + max;
	return 0;
}

static int keyword_is(const char *l, size_t len, const char *kw)
{
	size_t n = strlen(kw);
	return len >= n && strncasecmp(l, kw, n) == 0 && (len == n || l[n] == ' ' || l[n] == '=');
}

void smtp_ehlo_parse(const struct smtp_reply *r, struct smtp_ehlo *e)
{
	const char *t = r->text.s, *end = r->text.s + r->text.len;
	memset(e, 0, sizeof *e);
	while (t && t < end) {
		const char *nl = memchr(t, '\n', (size_t)(end - t));
		size_t len = nl ? (size_t)(nl - t) : (size_t)(end - t);
		if (t != r->text.s) {               /* the first line is the greeting name */
			if (keyword_is(t, len, "PIPELINING")) e->pipelining = 1;
			else if (keyword_is(t, len, "8BITMIME")) e->eightbitmime = 1;
			else if (keyword_is(t, len, "STARTTLS")) e->starttls = 1;
			else if (keyword_is(t, len, "SIZE")) {
				e->size = 1;
				if (len > 5 && scan_ulong(t + 5, len - 5, &e->size_max) != len - 5) e->size_max = 0;
			}
		}
		t += len + 1;
	}
}
