#include <string.h>
#include "date822.h"
#include "received.h"

/* Copies a client-supplied name into a header comment safely: only
   printable ASCII and space, and none of the bytes that end a comment
   or the header line. */
static int cat_safe(str *x, const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c > 0x7e || c == '(' || c == ')' || c == '\\' || c == ';')
			c = '_';
		if (str_catc(x, (char)c) < 0) return -1;
	}
	return 0;
}

static int cat_safes(str *x, const char *s)
{
	return cat_safe(x, s, strlen(s));
}

/* "\n\t(<prefix><text>)" when text is there. */
static int comment(str *x, const char *prefix, const char *text, size_t len)
{
	if (!text || !len) return 0;
	if (str_cats(x, "\n\t(") < 0 || str_cats(x, prefix) < 0 || cat_safe(x, text, len) < 0) return -1;
	return str_catc(x, ')');
}

static int from_part(str *x, const struct received *r)
{
	if (str_cats(x, "Received: from ") < 0) return -1;
	if (r->helo && r->helolen) {
		if (cat_safe(x, r->helo, r->helolen) < 0) return -1;
	} else if (str_catc(x, '[') < 0 || cat_safes(x, r->remoteip) < 0 || str_catc(x, ']') < 0) {
		return -1;
	}
	if (str_cats(x, " (") < 0) return -1;
	if (r->remotehost && *r->remotehost &&
	    (cat_safes(x, r->remotehost) < 0 || str_catc(x, ' ') < 0)) return -1;
	if (r->remoteinfo && *r->remoteinfo &&
	    (str_cats(x, "ident=") < 0 || cat_safes(x, r->remoteinfo) < 0 || str_catc(x, ' ') < 0))
		return -1;
	if (str_catc(x, '[') < 0 || cat_safes(x, r->remoteip) < 0) return -1;
	return str_cats(x, "])");
}

int received_format(str *x, const struct received *r, unsigned long long pid, time_t now)
{
	char date[DATE822_LEN];
	x->len = 0;
	if (from_part(x, r) < 0) return -1;
	if (str_catv(x, "\n\tby ", r->me, " with ", r->protocol, " id ", (char *)0) < 0) return -1;
	if (str_catnum(x, pid) < 0 || str_catc(x, '.') < 0 || str_catnum(x, (unsigned long long)now) < 0)
		return -1;
	if (comment(x, "", r->tlsinfo, r->tlsinfolen) < 0) return -1;
	if (comment(x, "authenticated user ", r->authuser, r->authuserlen) < 0) return -1;
	date822_fmt(date, now);
	return str_catv(x, ";\n\t", date, "\n", (char *)0);
}
