#include "dkim_canon.h"

static int is_wsp(char c) { return c == ' ' || c == '\t'; }

int dkim_canon_header(str *out, const char *f, size_t len)
{
	size_t i = 0, mark;
	int wsp = 0;
	while (len > 0 && (f[len - 1] == '\n' || f[len - 1] == '\r')) len--;
	for (; i < len && f[i] != ':'; i++) {
		char c = f[i];
		if (is_wsp(c) || c == '\r' || c == '\n') continue;   /* "Subject :" is "subject:" */
		if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
		if (str_catc(out, c) < 0) return -1;
	}
	if (str_catc(out, ':') < 0) return -1;
	if (i < len) i++;
	mark = out->len;
	for (; i < len; i++) {
		char c = f[i];
		if (c == '\r' || c == '\n') continue;   /* unfold */
		if (is_wsp(c)) { wsp = 1; continue; }
		if (wsp && out->len > mark && str_catc(out, ' ') < 0) return -1;
		wsp = 0;
		if (str_catc(out, c) < 0) return -1;
	}
	return str_catb(out, "\r\n", 2);
}

void dkim_body_init(struct dkim_body *b, void (*emit)(void *, const char *, size_t), void *ctx)
{
	b->emit = emit;
	b->ctx = ctx;
	b->empty_lines = 0;
	b->wsp = b->content = b->cr = b->any = 0;
}

static void put(struct dkim_body *b, const char *s, size_t len)
{
	b->emit(b->ctx, s, len);
	b->any = 1;
}

/* Something other than WSP or a line end: release what was held back. */
static void content(struct dkim_body *b, char c)
{
	for (; b->empty_lines > 0; b->empty_lines--) put(b, "\r\n", 2);
	if (b->wsp) put(b, " ", 1);
	b->wsp = 0;
	b->content = 1;
	put(b, &c, 1);
}

static void line_end(struct dkim_body *b)
{
	if (b->content) put(b, "\r\n", 2);
	else b->empty_lines++;
	b->wsp = b->content = 0;
}

void dkim_body_feed(struct dkim_body *b, const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++) {
		char c = s[i];
		if (b->cr) {
			b->cr = 0;
			if (c == '\n') { line_end(b); continue; }
			content(b, '\r');   /* a lone CR is an ordinary character */
		}
		if (c == '\r') b->cr = 1;
		else if (c == '\n') line_end(b);
		else if (is_wsp(c)) b->wsp = 1;
		else content(b, c);
	}
}

void dkim_body_end(struct dkim_body *b)
{
	if (b->cr) { b->cr = 0; content(b, '\r'); }
	if (b->content) line_end(b);
	b->empty_lines = 0;
	b->wsp = 0;
}
