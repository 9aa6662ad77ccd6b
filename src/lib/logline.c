#include <string.h>
#include "io.h"
#include "logline.h"

int logline_kv(str *line, const char *key, const char *value, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;
	if (line->len && str_catc(line, ' ') < 0) return -1;
	if (str_cats(line, key) < 0 || str_catc(line, '=') < 0) return -1;
	if (str_readyplus(line, len * 4) < 0) return -1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)value[i];
		if (c < 0x21 || c >= 0x7f || c == '"' || c == '\\' || c == '=') {
			line->s[line->len++] = '\\';
			line->s[line->len++] = 'x';
			line->s[line->len++] = hex[c >> 4];
			line->s[line->len++] = hex[c & 15];
		} else {
			line->s[line->len++] = (char)c;
		}
	}
	return 0;
}

int logline_kvs(str *line, const char *key, const char *value)
{
	return logline_kv(line, key, value, strlen(value));
}

int logline_kvnum(str *line, const char *key, unsigned long long n)
{
	if (line->len && str_catc(line, ' ') < 0) return -1;
	if (str_cats(line, key) < 0 || str_catc(line, '=') < 0) return -1;
	return str_catnum(line, n);
}

int logline_emit(str *line)
{
	int r;
	if (str_catc(line, '\n') < 0) return -1;
	r = io_write_all(2, line->s, line->len);
	line->len = 0;
	return r;
}
