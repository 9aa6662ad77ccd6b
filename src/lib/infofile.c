#include <string.h>
#include "infofile.h"
#include "scan.h"

static int rec_num(str *out, char letter, unsigned long long n)
{
	return str_catc(out, letter) < 0 || str_catnum(out, n) < 0 || str_cat0(out) < 0 ? -1 : 0;
}

int infofile_encode(str *out, time_t birth, time_t next, size_t nrcpt,
                    const unsigned char *state, const str *text)
{
	size_t i;
	if (str_catb(out, "V1", 3) < 0 || rec_num(out, 'B', (unsigned long long)birth) < 0 ||
	    rec_num(out, 'W', (unsigned long long)next) < 0)
		return -1;
	for (i = 0; i < nrcpt; i++) {
		char letter = state[i] == INFO_DONE ? 'D' : state[i] == INFO_FAILED ? 'F' : 'Z';
		if (letter == 'D') { if (rec_num(out, 'D', i) < 0) return -1; continue; }
		if (text[i].len == 0) continue;
		if (str_catc(out, letter) < 0 || str_catnum(out, i) < 0 || str_catc(out, ' ') < 0) return -1;
		/* A NUL inside the text would end the record early. */
		if (str_catb(out, text[i].s, strnlen(text[i].s, text[i].len)) < 0 || str_cat0(out) < 0) return -1;
	}
	return 0;
}

/* "<digits>" filling the whole record, or "<digits> text" when text is
   wanted; the index and where the text starts. */
static int rec_index(const char *r, size_t len, int with_text, unsigned long long *n, size_t *text_at)
{
	size_t d = scan_ulong(r, len, n);
	if (d == 0) return 0;
	if (!with_text) return d == len;
	if (d >= len || r[d] != ' ') return 0;
	*text_at = d + 1;
	return 1;
}

static int parse_record(const char *r, size_t len, size_t nrcpt, time_t *birth, time_t *next,
                        unsigned char *state, str *text)
{
	unsigned long long n = 0;
	size_t at = 0;
	if (len < 2) return INFO_BAD;
	switch (r[0]) {
	case 'B': case 'W':
		if (!rec_index(r + 1, len - 1, 0, &n, &at)) return INFO_BAD;
		*(r[0] == 'B' ? birth : next) = (time_t)n;
		return 0;
	case 'D':
		if (!rec_index(r + 1, len - 1, 0, &n, &at) || n >= nrcpt || state[n] != INFO_PENDING) return INFO_BAD;
		state[n] = INFO_DONE;
		return 0;
	case 'F': case 'Z':
		if (!rec_index(r + 1, len - 1, 1, &n, &at) || n >= nrcpt || state[n] != INFO_PENDING) return INFO_BAD;
		if (r[0] == 'F') state[n] = INFO_FAILED;
		return str_copyb(&text[n], r + 1 + at, len - 1 - at);
	}
	return INFO_BAD;
}

int infofile_parse(const char *buf, size_t len, size_t nrcpt, time_t *birth, time_t *next,
                   unsigned char *state, str *text)
{
	size_t pos, i;
	int r;
	for (i = 0; i < nrcpt; i++) { state[i] = INFO_PENDING; text[i].len = 0; }
	if (len < 3 || memcmp(buf, "V1", 3) != 0 || buf[len - 1] != 0) return INFO_BAD;
	*birth = 0;
	*next = 0;
	for (pos = 3; pos < len; ) {
		const char *z = memchr(buf + pos, 0, len - pos);
		size_t rl = (size_t)(z - (buf + pos));
		r = parse_record(buf + pos, rl, nrcpt, birth, next, state, text);
		if (r != 0) return r;
		pos += rl + 1;
	}
	return 0;
}

int infofile_next(const char *buf, size_t len, time_t *next)
{
	size_t pos;
	unsigned long long n;
	if (len < 3 || memcmp(buf, "V1", 3) != 0 || buf[len - 1] != 0) return INFO_BAD;
	for (pos = 3; pos < len; ) {
		const char *z = memchr(buf + pos, 0, len - pos);
		size_t rl = (size_t)(z - (buf + pos));
		if (rl > 1 && buf[pos] == 'W' && scan_ulong(buf + pos + 1, rl - 1, &n) == rl - 1) {
			*next = (time_t)n;
			return 0;
		}
		pos += rl + 1;
	}
	return INFO_BAD;
}
