#include <string.h>
#include <strings.h>
#include "dkim.h"
#include "dkim_canon.h"
#include "headers.h"

/* RFC 6376 5.4.1's list, and the List-* fields mailing lists add. */
static const char *const signed_names[] = {
	"from", "sender", "reply-to", "subject", "date", "message-id", "to", "cc",
	"mime-version", "content-type", "content-transfer-encoding", "content-id",
	"content-description", "resent-date", "resent-from", "resent-sender",
	"resent-to", "resent-cc", "resent-message-id", "in-reply-to", "references",
	"list-id", "list-help", "list-unsubscribe", "list-subscribe", "list-post",
	"list-owner", "list-archive",
};

int dkim_name_signed(const char *name, size_t len)
{
	size_t i;
	for (i = 0; i < sizeof signed_names / sizeof *signed_names; i++)
		if (strlen(signed_names[i]) == len && !strncasecmp(signed_names[i], name, len)) return 1;
	return 0;
}

/* The length of a field's name, without its colon. */
static size_t name_len(const char *head, const struct dkim_field *f)
{
	size_t n = headers_name_len(head + f->off, f->len);
	return n ? n - 1 : 0;
}

static int cat_lower(str *out, const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
		if (str_catc(out, c) < 0) return -1;
	}
	return 0;
}

int dkim_hlist(str *out, const char *head, const struct dkim_field *f, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		size_t nl = name_len(head, &f[i]);
		if (!nl || !dkim_name_signed(head + f[i].off, nl)) continue;
		if (cat_lower(out, head + f[i].off, nl) < 0 || str_catc(out, ':') < 0) return -1;
	}
	return str_cats(out, "from");
}

int dkim_signed_headers(str *out, const char *head, const struct dkim_field *f, size_t n,
                        const char *hlist, size_t hlen)
{
	unsigned char used[DKIM_FIELDS_MAX];
	size_t p = 0;
	if (n > DKIM_FIELDS_MAX) return -1;
	memset(used, 0, n);
	while (p < hlen) {
		size_t q = p, i;
		while (q < hlen && hlist[q] != ':') q++;
		for (i = n; i-- > 0;) {
			size_t nl = name_len(head, &f[i]);
			if (used[i] || nl != q - p || strncasecmp(head + f[i].off, hlist + p, nl)) continue;
			used[i] = 1;
			if (dkim_canon_header(out, head + f[i].off, f[i].len) < 0) return -1;
			break;
		}
		p = q + 1;
	}
	return 0;
}

/* Appends value, folding after a ':' whenever the line passes 72 columns;
   *col tracks the column. Only lengths decide where it folds. */
static int cat_folded(str *out, const char *v, size_t *col)
{
	size_t i, len = strlen(v);
	for (i = 0; i < len; i++) {
		if (str_catc(out, v[i]) < 0) return -1;
		(*col)++;
		if (v[i] == ':' && *col > 72) {
			if (str_cats(out, "\n\t") < 0) return -1;
			*col = 8;
		}
	}
	return 0;
}

int dkim_sig_field(str *out, const struct dkim_sig *s)
{
	size_t col, i, blen = strlen(s->b);
	if (str_catv(out, "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=", s->domain,
	             "; s=", s->selector, ";\n\tt=", NULL) < 0 || str_catnum(out, s->time) < 0 ||
	    str_cats(out, "; h=") < 0)
		return -1;
	col = 8 + 2 + 10 + 4;   /* a tab, "t=", ten digits, "; h=" */
	if (cat_folded(out, s->hlist, &col) < 0 ||
	    str_catv(out, ";\n\tbh=", s->bh, ";\n\tb=", NULL) < 0)
		return -1;
	for (i = 0; i < blen; i += 64) {
		if (i && str_cats(out, "\n\t") < 0) return -1;
		if (str_catb(out, s->b + i, blen - i < 64 ? blen - i : 64) < 0) return -1;
	}
	return str_catc(out, '\n');
}
