#include <string.h>
#include "line.h"

static int discard_rest(buffer *b, int sep)
{
	for (;;) {
		ssize_t r = buffer_feed(b);
		char *p, *e;
		if (r < 0) return -1;
		if (r == 0) return 0;
		p = buffer_peek(b);
		e = memchr(p, sep, (size_t)r);
		if (e) {
			buffer_skip(b, (size_t)(e - p) + 1);
			return LINE_TOO_LONG;
		}
		buffer_skip(b, (size_t)r);
	}
}

int line_read(buffer *b, str *line, int sep, size_t max)
{
	line->len = 0;
	for (;;) {
		ssize_t r = buffer_feed(b);
		char *p, *e;
		size_t take, room;
		if (r < 0) return -1;
		if (r == 0) return 0;
		p = buffer_peek(b);
		e = memchr(p, sep, (size_t)r);
		take = e ? (size_t)(e - p) + 1 : (size_t)r;
		room = max - line->len;
		if (take > room) {
			if (str_catb(line, p, room) < 0) return -1;
			buffer_skip(b, room);
			if (e && e < p + room) return 1; /* cannot happen; keeps intent clear */
			return discard_rest(b, sep);
		}
		if (str_catb(line, p, take) < 0) return -1;
		buffer_skip(b, take);
		if (e) return 1;
	}
}
