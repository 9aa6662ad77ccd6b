#include "hopcount.h"

static const char *const names[2] = { "received:", "delivered-to:" };

void hopcount_init(struct hopcount *h)
{
	h->in_body = 0;
	h->line_start = 1;
	h->matched = 0;
	h->which = -1;
	h->hops = 0;
}

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

/* One byte of a line that may start a counted field name. */
static void match(struct hopcount *h, char c)
{
	c = lower(c);
	if (h->matched == 0) h->which = c == 'r' ? 0 : c == 'd' ? 1 : -1;
	if (h->which < 0 || names[h->which][h->matched] != c) { h->which = -1; return; }
	if (names[h->which][++h->matched] == 0) { h->hops++; h->which = -1; }
}

void hopcount_feed(struct hopcount *h, const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < len && !h->in_body; i++) {
		char c = s[i];
		if (c == '\n') {
			if (h->line_start) h->in_body = 1;
			h->line_start = 1;
			h->matched = 0;
			h->which = 0;
			continue;
		}
		if (h->line_start) { h->line_start = 0; h->matched = 0; match(h, c); continue; }
		if (h->which >= 0 && h->matched > 0) match(h, c);
	}
}
