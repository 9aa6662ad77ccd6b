#include <string.h>
#include "address.h"
#include "netstring.h"
#include "qmtp_wire.h"

int qmtp_response_cat(str *out, const char *smtp_reply)
{
	str r = STR_INIT;
	const char *text = smtp_reply, *code = NULL;
	size_t codelen = 0, i;
	char kind = smtp_reply[0] == '2' ? 'K' : smtp_reply[0] == '4' ? 'Z' : 'D';
	int ret;
	if (strlen(smtp_reply) >= 4) text = smtp_reply + 4;
	/* The enhanced code, if the text starts with one. */
	for (i = 0; text[i] && text[i] != ' '; i++)
		if (!(text[i] == '.' || (text[i] >= '0' && text[i] <= '9'))) break;
	if (i >= 5 && (text[i] == ' ' || text[i] == 0) && text[1] == '.') {
		code = text;
		codelen = i;
		text += i + (text[i] == ' ');
	}
	ret = str_catc(&r, kind);
	for (i = 0; text[i] && ret == 0; i++) ret = str_catc(&r, text[i] == '#' ? '_' : text[i]);
	if (ret == 0 && code)
		ret = str_cats(&r, " (#") < 0 || str_catb(&r, code, codelen) < 0 || str_catc(&r, ')') < 0
		      ? -1 : 0;
	if (ret == 0) ret = netstring_cat(out, r.s, r.len);
	str_free(&r);
	return ret;
}

char qmtp_response_kind(const char *s, size_t len)
{
	if (len == 0) return 0;
	return s[0] == 'K' || s[0] == 'Z' || s[0] == 'D' ? s[0] : 0;
}

/* Bytes that may stand unquoted in a local part (smtp_cmd.c's set). */
static int local_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c >= 0x80 || (c && strchr("!#$%&'*+-/=?^_`{|}~.@", c));
}

/* "<local@domain>", with the local part quoted when SMTP would need it. */
static int smtp_form(const char *a, size_t len, size_t at, str *t)
{
	size_t i;
	int quote = 0;
	for (i = 0; i < at; i++) quote |= !local_plain((unsigned char)a[i]);
	if (str_copys(t, quote ? "<\"" : "<") < 0) return -1;
	for (i = 0; i < at; i++) {
		if (quote && (a[i] == '"' || a[i] == '\\') && str_catc(t, '\\') < 0) return -1;
		if (str_catc(t, a[i]) < 0) return -1;
	}
	if (quote && str_catc(t, '"') < 0) return -1;
	if (str_catb(t, a + at, len - at) < 0) return -1;
	return str_catc(t, '>');
}

int qmtp_address_parse(const char *a, size_t len, struct smtp_path *p, str *tmp)
{
	size_t at = address_at(a, len), used;
	int r;
	p->addr.len = 0;
	p->at = 0;
	p->quoted = p->eightbit = 0;
	if (len == 0) return SMTP_PATH_OK;
	if (address_has_control(a, len) || at == 0) return SMTP_PATH_SYNTAX;
	/* Long enough to be refused whatever quoting adds. */
	if (len > SMTP_PATH_MAX) return SMTP_PATH_TOO_LONG;
	if (smtp_form(a, len, at, tmp) < 0) return -1;
	r = smtp_path_parse(tmp->s, tmp->len, p, &used);
	if (r == SMTP_PATH_OK && used != tmp->len) return SMTP_PATH_SYNTAX;
	return r;
}

static int rcpts_cat(str *out, const char *rcpts, size_t nrcpt)
{
	size_t i, pos = 0;
	for (i = 0; i < nrcpt; i++) {
		size_t n = strlen(rcpts + pos);
		if (netstring_cat(out, rcpts + pos, n) < 0) return -1;
		pos += n + 1;
	}
	return 0;
}

int qmtp_envelope_cat(str *out, const char *sender, size_t slen, const char *rcpts, size_t nrcpt)
{
	str list = STR_INIT;
	int r = rcpts_cat(&list, rcpts, nrcpt);
	if (r == 0) r = netstring_cat(out, sender, slen) < 0 || netstring_cat(out, list.s, list.len) < 0
	                ? -1 : 0;
	str_free(&list);
	return r;
}

int qmqp_envelope_cat(str *out, const char *sender, size_t slen, const char *rcpts, size_t nrcpt)
{
	if (netstring_cat(out, sender, slen) < 0) return -1;
	return rcpts_cat(out, rcpts, nrcpt);
}

int qmqp_head_cat(str *out, unsigned long long msglen, unsigned long long envlen)
{
	if (netstring_cat_len(out, netstring_size(msglen) + envlen) < 0) return -1;
	return netstring_cat_len(out, msglen);
}
