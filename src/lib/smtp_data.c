#include "smtp_data.h"

/* States: where in a line the last byte left us. */
enum {
	AT_START,   /* after CR LF (or at the beginning) */
	IN_LINE,    /* inside a line */
	GOT_CR,     /* a CR inside a line, not yet known to be followed by LF */
	GOT_DOT,    /* a '.' at the start of a line */
	GOT_DOTCR   /* ". CR" at the start of a line */
};

void smtp_data_init(struct smtp_data *d, size_t maxline)
{
	d->state = AT_START;
	d->size = 0;
	d->linelen = 0;
	d->maxline = maxline;
	d->bare = d->longline = d->nul = d->done = 0;
}

static void count(struct smtp_data *d)
{
	d->linelen++;
	if (d->maxline && d->linelen > d->maxline) d->longline = 1;
}

/* One byte in the middle of a line. A bare LF does not start a new line:
   "\n.\r\n" must never end the data. */
static size_t in_line(struct smtp_data *d, char c, char *out)
{
	if (c == '\r') { d->state = GOT_CR; return 0; }
	if (c == '\n') d->bare = 1;
	d->state = IN_LINE;
	out[0] = c;
	return 1;
}

size_t smtp_data_feed(struct smtp_data *d, const char *in, size_t len,
                      char *out, size_t *outlen)
{
	size_t i, o = 0;
	for (i = 0; i < len && !d->done; i++) {
		char c = in[i];
		count(d);
		if (c == 0) d->nul = 1;
		switch (d->state) {
		case AT_START:
			if (c == '.') { d->state = GOT_DOT; break; }
			o += in_line(d, c, out + o);
			break;
		case GOT_DOT:
			/* A leading dot is removed (dot-unstuffing). */
			if (c == '\r') { d->state = GOT_DOTCR; break; }
			o += in_line(d, c, out + o);
			break;
		case GOT_DOTCR:
			if (c == '\n') { d->done = 1; break; }
			d->bare = 1;
			out[o++] = '\r';
			o += in_line(d, c, out + o);
			break;
		case GOT_CR:
			if (c == '\n') {
				out[o++] = '\n';
				d->state = AT_START;
				d->linelen = 0;
				break;
			}
			d->bare = 1;
			out[o++] = '\r';
			o += in_line(d, c, out + o);
			break;
		default:
			o += in_line(d, c, out + o);
		}
	}
	d->size += o;
	*outlen = o;
	return i;
}
