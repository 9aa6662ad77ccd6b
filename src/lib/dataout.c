#include "dataout.h"

void dataout_init(struct dataout *d)
{
	d->bol = 1;
	d->cr = 0;
	d->eightbit = 0;
}

int dataout_feed(struct dataout *d, const char *in, size_t len, str *out)
{
	size_t i;
	/* Worst case every byte doubles (". " at each line start, or CR LF). */
	if (len > (STR_LIMIT - out->len) / 2 || str_readyplus(out, len * 2) < 0) return -1;
	for (i = 0; i < len; i++) {
		char c = in[i];
		if (c == '\n' && d->cr) { d->cr = 0; continue; }  /* the LF of a CR LF */
		d->cr = 0;
		if (c == '\r' || c == '\n') {
			out->s[out->len++] = '\r';
			out->s[out->len++] = '\n';
			d->bol = 1;
			d->cr = c == '\r';
			continue;
		}
		if (d->bol && c == '.') out->s[out->len++] = '.';
		if ((unsigned char)c >= 0x80) d->eightbit = 1;
		out->s[out->len++] = c;
		d->bol = 0;
	}
	return 0;
}

int dataout_finish(struct dataout *d, str *out)
{
	if (!d->bol && str_cats(out, "\r\n") < 0) return -1;
	d->bol = 1;
	d->cr = 0;
	return str_cats(out, ".\r\n");
}

int dataout_has_8bit(const char *buf, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++) if ((unsigned char)buf[i] >= 0x80) return 1;
	return 0;
}
