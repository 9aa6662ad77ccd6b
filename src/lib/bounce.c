#include <string.h>
#include "bounce.h"
#include "date822.h"

#define TEXT_CAP 900   /* keeps every report line under RFC 5322's 998 */

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Digits at s[0..len): how many (at most max). */
static size_t digits(const char *s, size_t len, size_t max)
{
	size_t i = 0;
	while (i < len && i < max && is_digit(s[i])) i++;
	return i;
}

/* An enhanced status code "c.d.d" at the start of s, ended by a space
   or the end; its length, or 0. */
static size_t enhanced_code(const char *s, size_t len)
{
	size_t i, d;
	if (len < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.') return 0;
	i = 2;
	d = digits(s + i, len - i, 3);
	if (!d) return 0;
	i += d;
	if (i >= len || s[i] != '.') return 0;
	i++;
	d = digits(s + i, len - i, 3);
	if (!d) return 0;
	i += d;
	if (i < len && s[i] != ' ') return 0;
	return i;
}

void bounce_parse_text(const char *text, size_t len, struct bounce_text *t)
{
	size_t i = 0, code;
	memset(t, 0, sizeof *t);
	if (len >= 7 && memcmp(text, "remote=", 7) == 0) {
		i = 7;
		while (i < len && text[i] != '[' && text[i] != ' ') i++;
		t->remote = text + 7;
		t->remote_len = i - 7;
		while (i < len && text[i] != ' ') i++;
		while (i < len && text[i] == ' ') i++;
	}
	t->diag = text + i;
	t->diag_len = len - i;
	if (digits(t->diag, t->diag_len, 3) == 3 &&
	    (t->diag_len == 3 || t->diag[3] == ' ' || t->diag[3] == '-')) {
		t->smtp = 1;
		i += t->diag_len > 3 ? 4 : 3;
	}
	code = enhanced_code(text + i, len - i);
	if (code) {
		memcpy(t->status, text + i, code);
		t->status[code] = 0;
	} else {
		memcpy(t->status, (t->smtp && t->diag[0] == '4') ? "4.0.0" : "5.0.0", 6);
	}
}

size_t bounce_header_len(const char *msg, size_t len)
{
	size_t i, last = 0;
	for (i = 0; i < len; i++) {
		if (msg[i] != '\n') continue;
		last = i + 1;
		if (i + 1 < len && msg[i + 1] == '\n') return i + 2;
		if (i + 2 < len && msg[i + 1] == '\r' && msg[i + 2] == '\n') return i + 3;
	}
	return last;
}

/* Appends s with control characters as spaces, cut at TEXT_CAP. */
static int cat_clean(str *out, const char *s, size_t len)
{
	size_t i, start = out->len;
	if (len > TEXT_CAP) len = TEXT_CAP;
	if (str_catb(out, s, len) < 0) return -1;
	for (i = start; i < out->len; i++) {
		unsigned char c = (unsigned char)out->s[i];
		if (c < 0x20 || c == 0x7f) out->s[i] = ' ';
	}
	return 0;
}

static int cat_boundary(str *out, const struct bounce *b)
{
	return str_catv(out, "=_tern_", NULL) < 0 || str_catnum(out, b->id) < 0 ||
	       str_catc(out, '_') < 0 || str_catnum(out, (unsigned long long)b->now) < 0 ? -1 : 0;
}

static int compose_header(str *out, const struct bounce *b)
{
	char date[DATE822_LEN];
	date822_fmt(date, b->now);
	if (str_catv(out, "From: ", b->from, "\nTo: ", b->to, "\nSubject: failure notice\nDate: ",
	             date, "\nMessage-ID: <", NULL) < 0 ||
	    str_catnum(out, (unsigned long long)b->now) < 0 || str_catc(out, '.') < 0 ||
	    str_catnum(out, b->id) < 0 ||
	    str_catv(out, ".bounce@", b->me, ">\nAuto-Submitted: auto-replied\nMIME-Version: 1.0\n"
	             "Content-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"", NULL) < 0 ||
	    cat_boundary(out, b) < 0 || str_cats(out, "\"\n\nThis is a MIME-formatted message.\n\n--") < 0 ||
	    cat_boundary(out, b) < 0)
		return -1;
	return 0;
}

static int compose_human(str *out, const struct bounce *b)
{
	size_t i;
	if (str_catv(out, "\nContent-Type: text/plain; charset=us-ascii\n\n"
	             "Hi. This is the tern mail system at ", b->me, ".\n\n"
	             "I could not deliver your message to the following addresses.\n"
	             "This is a permanent error; I have given up. Sorry it did not work out.\n", NULL) < 0)
		return -1;
	for (i = 0; i < b->nrcpt; i++) {
		const struct bounce_rcpt *r = &b->rcpt[i];
		if (str_cats(out, "\n<") < 0 || cat_clean(out, r->addr, r->len) < 0 ||
		    str_cats(out, ">:\n") < 0 || cat_clean(out, r->text, r->text_len) < 0 ||
		    str_catc(out, '\n') < 0)
			return -1;
	}
	if (str_cats(out, "\n--") < 0 || cat_boundary(out, b) < 0) return -1;
	return 0;
}

static int compose_rcpt_status(str *out, const struct bounce_rcpt *r)
{
	struct bounce_text t;
	bounce_parse_text(r->text, r->text_len, &t);
	if (str_cats(out, "\nFinal-Recipient: rfc822; ") < 0 || cat_clean(out, r->addr, r->len) < 0) return -1;
	if (r->orcpt) {
		if (str_cats(out, "\nOriginal-Recipient: ") < 0) return -1;
		if (!strchr(r->orcpt, ';') && str_cats(out, "rfc822; ") < 0) return -1;
		if (cat_clean(out, r->orcpt, strlen(r->orcpt)) < 0) return -1;
	}
	if (str_catv(out, "\nAction: failed\nStatus: ", t.status, NULL) < 0) return -1;
	if (t.remote && t.remote_len) {
		if (str_cats(out, "\nRemote-MTA: dns; ") < 0 || cat_clean(out, t.remote, t.remote_len) < 0) return -1;
	}
	if (str_cats(out, t.smtp ? "\nDiagnostic-Code: smtp; " : "\nDiagnostic-Code: X-tern; ") < 0 ||
	    cat_clean(out, t.diag, t.diag_len) < 0 || str_catc(out, '\n') < 0)
		return -1;
	return 0;
}

static int compose_status(str *out, const struct bounce *b)
{
	char date[DATE822_LEN];
	size_t i;
	date822_fmt(date, b->arrival);
	if (str_catv(out, "\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; ", b->me, "\n", NULL) < 0)
		return -1;
	if (b->envid && (str_cats(out, "Original-Envelope-Id: ") < 0 ||
	                 cat_clean(out, b->envid, strlen(b->envid)) < 0 || str_catc(out, '\n') < 0))
		return -1;
	if (str_catv(out, "Arrival-Date: ", date, "\n", NULL) < 0) return -1;
	for (i = 0; i < b->nrcpt; i++)
		if (compose_rcpt_status(out, &b->rcpt[i]) < 0) return -1;
	if (str_cats(out, "\n--") < 0 || cat_boundary(out, b) < 0) return -1;
	return 0;
}

static int has_8bit(const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80) return 1;
	return 0;
}

static int compose_original(str *out, const struct bounce *b)
{
	size_t len = b->msg_len;
	const char *type = "message/rfc822";
	if (b->headers_only) {
		len = bounce_header_len(b->msg, b->msg_len);
		type = "text/rfc822-headers";
	}
	if (str_catv(out, "\nContent-Type: ", type, "\n", NULL) < 0) return -1;
	if (has_8bit(b->msg, len) && str_cats(out, "Content-Transfer-Encoding: 8bit\n") < 0) return -1;
	if (str_catc(out, '\n') < 0 || str_catb(out, b->msg, len) < 0) return -1;
	if (len && b->msg[len - 1] != '\n' && str_catc(out, '\n') < 0) return -1;
	if (str_cats(out, "\n--") < 0 || cat_boundary(out, b) < 0 || str_cats(out, "--\n") < 0) return -1;
	return 0;
}

int bounce_compose(str *out, const struct bounce *b)
{
	if (compose_header(out, b) < 0 || compose_human(out, b) < 0 ||
	    compose_status(out, b) < 0 || compose_original(out, b) < 0)
		return -1;
	return 0;
}
