#include <string.h>
#include <strings.h>
#include "dtline.h"

void dtline_init(struct dtline *s, const char *rcpt, size_t rcptlen)
{
	s->rcpt = rcpt;
	s->rcptlen = rcptlen;
	s->len = 0;
	s->over = 0;
	s->state = DTLINE_MORE;
}

/* Is the line (without its newline) "Delivered-To: <rcpt>"? */
static int ours(const struct dtline *s)
{
	const char *l = s->line;
	size_t a = 13, len = s->len;
	if (len < a || strncasecmp(l, "Delivered-To:", 13) != 0) return 0;
	while (a < len && (l[a] == ' ' || l[a] == '\t')) a++;
	while (len > a && (l[len - 1] == ' ' || l[len - 1] == '\t' || l[len - 1] == '\r')) len--;
	return len - a == s->rcptlen && strncasecmp(l + a, s->rcpt, len - a) == 0;
}

/* A whole line is in s->line: the header's end, ours, or neither. */
static void line_done(struct dtline *s)
{
	if (!s->over && (s->len == 0 || (s->len == 1 && s->line[0] == '\r'))) s->state = DTLINE_END;
	else if (!s->over && ours(s)) s->state = DTLINE_FOUND;
	s->len = 0;
	s->over = 0;
}

enum dtline_state dtline_feed(struct dtline *s, const char *buf, size_t len)
{
	size_t i = 0;
	while (i < len && s->state == DTLINE_MORE) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - buf) : len, n = end - i;
		if (!s->over && n <= DTLINE_LINE_MAX - s->len) {
			memcpy(s->line + s->len, buf + i, n);
			s->len += n;
		} else {
			s->over = 1;
		}
		i = end + 1;
		if (nl) line_done(s);
	}
	return s->state;
}

enum dtline_state dtline_finish(struct dtline *s)
{
	if (s->state == DTLINE_MORE) {
		if (s->len && !s->over && ours(s)) s->state = DTLINE_FOUND;
		else s->state = DTLINE_END;
	}
	return s->state;
}
