#include <string.h>
#include <strings.h>
#include "smtp_cmd.h"

static const struct { const char *name; enum smtp_verb verb; } verbs[] = {
	{ "HELO", SMTP_HELO }, { "EHLO", SMTP_EHLO }, { "MAIL", SMTP_MAIL },
	{ "RCPT", SMTP_RCPT }, { "DATA", SMTP_DATA }, { "RSET", SMTP_RSET },
	{ "NOOP", SMTP_NOOP }, { "QUIT", SMTP_QUIT }, { "VRFY", SMTP_VRFY },
	{ "EXPN", SMTP_EXPN }, { "HELP", SMTP_HELP },
	{ "STARTTLS", SMTP_STARTTLS }, { "AUTH", SMTP_AUTH },
};

int smtp_word_is(const char *s, size_t len, const char *word)
{
	return strlen(word) == len && strncasecmp(s, word, len) == 0;
}

enum smtp_verb smtp_cmd_verb(const char *line, size_t len, const char **arg, size_t *arglen)
{
	size_t v = 0, i;
	while (v < len && line[v] != ' ') v++;
	*arg = line + v + (v < len);
	*arglen = len - v - (v < len);
	for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (smtp_word_is(line, v, verbs[i].name)) return verbs[i].verb;
	return SMTP_UNKNOWN;
}

int smtp_cmd_has_control(const char *line, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c < 0x20 || c == 0x7f) return 1;
	}
	return 0;
}

size_t smtp_cmd_prefix(const char *arg, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	if (len < n || strncasecmp(arg, prefix, n) != 0) return 0;
	/* "MAIL FROM: <a@b>" is common enough from real clients to accept. */
	while (n < len && arg[n] == ' ') n++;
	return n;
}

static int is_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* atext of RFC 5322 plus '.', and '@' so that "user@other@host" parses
   and is then refused by policy rather than misread. */
static int local_char(unsigned char c)
{
	return is_alnum(c) || c >= 0x80 || (c && strchr("!#$%&'*+-/=?^_`{|}~.@", c));
}

static int domain_char(unsigned char c)
{
	return is_alnum(c) || c >= 0x80 || c == '-' || c == '.' || c == '_' ||
	       c == '[' || c == ']' || c == ':';
}

/* Skips "@d1,@d2:" (RFC 5321 A-d-l), which is discarded. */
static int skip_route(const char *s, size_t len, size_t *i)
{
	if (*i >= len || s[*i] != '@') return 0;
	while (*i < len && s[*i] != ':') {
		unsigned char c = (unsigned char)s[*i];
		if (c != '@' && c != ',' && !domain_char(c)) return -1;
		(*i)++;
	}
	if (*i >= len) return -1;
	(*i)++;
	return 0;
}

static int parse_quoted(const char *s, size_t len, size_t *i, struct smtp_path *p)
{
	(*i)++;
	for (;;) {
		char c;
		if (*i >= len) return SMTP_PATH_SYNTAX;
		c = s[(*i)++];
		if (c == '"') return 0;
		if (c == '\\') {
			if (*i >= len) return SMTP_PATH_SYNTAX;
			c = s[(*i)++];
		}
		if ((unsigned char)c >= 0x80) p->eightbit = 1;
		if (str_catc(&p->addr, c) < 0) return -1;
	}
}

/* Checks the pieces of a parsed path against RFC 5321's limits. */
static int path_check(struct smtp_path *p)
{
	size_t i, dlen;
	if (p->addr.len == 0) return p->quoted ? SMTP_PATH_SYNTAX : SMTP_PATH_OK;
	if (p->at == 0 && !p->quoted) return SMTP_PATH_SYNTAX;
	if (p->at > SMTP_LOCAL_MAX) return SMTP_PATH_TOO_LONG;
	if (p->at == p->addr.len) return SMTP_PATH_OK;
	dlen = p->addr.len - p->at - 1;
	if (dlen == 0) return SMTP_PATH_SYNTAX;
	if (dlen > SMTP_DOMAIN_MAX) return SMTP_PATH_TOO_LONG;
	for (i = p->at + 1; i < p->addr.len; i++) {
		char c = p->addr.s[i];
		if (!domain_char((unsigned char)c)) return SMTP_PATH_SYNTAX;
		/* No empty labels: "a..b", ".a", "a." are not domains, and a
		   trailing dot would slip past the locals comparison. */
		if (c == '.' && (i == p->at + 1 || i + 1 == p->addr.len || p->addr.s[i + 1] == '.'))
			return SMTP_PATH_SYNTAX;
	}
	if (!p->quoted)
		for (i = 0; i < p->at; i++)
			if (!local_char((unsigned char)p->addr.s[i])) return SMTP_PATH_SYNTAX;
	return SMTP_PATH_OK;
}

/* Copies bytes up to '>' into addr; a space or '<' there is an error. */
static int copy_to_bracket(const char *s, size_t len, size_t *i, struct smtp_path *p)
{
	while (*i < len && s[*i] != '>') {
		unsigned char c = (unsigned char)s[*i];
		if (c == ' ' || c == '<' || c == '"' || c == '\\') return SMTP_PATH_SYNTAX;
		if (c >= 0x80) p->eightbit = 1;
		if (str_catc(&p->addr, (char)c) < 0) return -1;
		(*i)++;
	}
	return *i < len ? 0 : SMTP_PATH_SYNTAX;
}

int smtp_path_parse(const char *s, size_t len, struct smtp_path *p, size_t *used)
{
	size_t i = 1, start, k;
	int r;
	p->addr.len = 0;
	p->quoted = p->eightbit = 0;
	p->at = 0;
	if (len == 0 || s[0] != '<') return SMTP_PATH_SYNTAX;
	if (skip_route(s, len, &i) < 0) return SMTP_PATH_SYNTAX;
	start = i;
	if (i < len && s[i] == '"') {
		p->quoted = 1;
		if ((r = parse_quoted(s, len, &i, p)) != 0) return r;
		p->at = p->addr.len;
		if (i >= len || (s[i] != '@' && s[i] != '>')) return SMTP_PATH_SYNTAX;
	}
	if ((r = copy_to_bracket(s, len, &i, p)) != 0) return r;
	if (i - start > SMTP_PATH_MAX) return SMTP_PATH_TOO_LONG;
	*used = i + 1;
	if (!p->quoted) {
		/* The last '@' separates the domain, as qmail does. */
		p->at = p->addr.len;
		for (k = p->addr.len; k > 0; k--)
			if (p->addr.s[k - 1] == '@') { p->at = k - 1; break; }
	}
	return path_check(p);
}

void smtp_path_free(struct smtp_path *p)
{
	str_free(&p->addr);
}

int smtp_path_relay_form(const struct smtp_path *p)
{
	size_t i;
	if (p->quoted) return 1;
	for (i = 0; i < p->at; i++) {
		char c = p->addr.s[i];
		if (c == '%' || c == '!' || c == '@') return 1;
	}
	return 0;
}

int smtp_param_next(const char *s, size_t len, size_t *pos,
                    const char **key, size_t *keylen,
                    const char **value, size_t *valuelen)
{
	size_t i = *pos, k;
	if (i >= len) return 0;
	if (s[i] != ' ') return -1;
	while (i < len && s[i] == ' ') i++;
	if (i >= len) { *pos = i; return 0; }
	k = i;
	while (i < len && (is_alnum((unsigned char)s[i]) || (s[i] == '-' && i > k))) i++;
	if (i == k) return -1;
	*key = s + k;
	*keylen = i - k;
	*value = NULL;
	*valuelen = 0;
	if (i < len && s[i] == '=') {
		k = ++i;
		while (i < len && s[i] != ' ') {
			if (s[i] == '=') return -1;
			i++;
		}
		if (i == k) return -1;
		*value = s + k;
		*valuelen = i - k;
	}
	if (i < len && s[i] != ' ') return -1;
	*pos = i;
	return 1;
}

static int is_hexupper(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

int smtp_xtext_valid(const char *s, size_t len, int utf8)
{
	size_t i;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '+') {
			if (len - i < 3) return 0;
			if (!is_hexupper(s[i + 1]) || !is_hexupper(s[i + 2])) return 0;
			i += 2;
		} else if (c >= 0x80) {
			if (!utf8) return 0;
		} else if (c < 0x21 || c > 0x7e || c == '=') {
			return 0;
		}
	}
	return 1;
}

int smtp_notify_valid(const char *s, size_t len)
{
	size_t i = 0, seen = 0;
	if (smtp_word_is(s, len, "NEVER")) return 1;
	while (i < len) {
		size_t k = i;
		while (i < len && s[i] != ',') i++;
		if (smtp_word_is(s + k, i - k, "SUCCESS")) seen |= 1;
		else if (smtp_word_is(s + k, i - k, "FAILURE")) seen |= 2;
		else if (smtp_word_is(s + k, i - k, "DELAY")) seen |= 4;
		else return 0;
		if (i < len) { i++; if (i == len) return 0; }
	}
	return seen != 0;
}

int smtp_orcpt_valid(const char *s, size_t len, int utf8)
{
	size_t i = 0;
	while (i < len && s[i] != ';') {
		unsigned char c = (unsigned char)s[i];
		if (!is_alnum(c) && c != '-') return 0;
		i++;
	}
	if (i == 0 || i + 1 >= len) return 0;
	return smtp_xtext_valid(s + i + 1, len - i - 1, utf8);
}
