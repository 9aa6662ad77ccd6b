#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "auto.h"
#include "control.h"
#include "io.h"
#include "scan.h"
#include "slurp.h"

int control_chdir_home(void)
{
	return chdir(auto_home);
}


static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* Turns file text into items, each followed by NUL, in place. */
static void itemize(str *x)
{
	size_t i = 0, o = 0;
	while (i < x->len) {
		size_t start = i, end;
		while (i < x->len && x->s[i] != '\n') i++;
		end = i;
		if (i < x->len) i++;
		while (start < end && is_space(x->s[start])) start++;
		while (end > start && is_space(x->s[end - 1])) end--;
		if (start == end || x->s[start] == '#') continue;
		memmove(x->s + o, x->s + start, end - start);
		o += end - start;
		x->s[o++] = 0;
	}
	x->len = o;
}

int control_read_list(str *out, const char *path)
{
	int r = slurp_path(path, out, CONTROL_MAX);
	if (r <= 0) { out->len = 0; return r; }
	itemize(out);
	return 1;
}

int control_read_line(str *out, const char *path)
{
	str tmp = STR_INIT;
	int r = control_read_list(&tmp, path);
	if (r > 0 && tmp.len > 0) {
		r = str_copys(out, tmp.s) < 0 || str_0(out) < 0 ? -1 : 1;
	} else if (r > 0) {
		r = 0;
	}
	str_free(&tmp);
	return r;
}

int control_read_string(str *out, const char *path, const char *dflt)
{
	int r = control_read_line(out, path);
	if (r < 0) return -1;
	if (r == 0) return str_copys(out, dflt) < 0 || str_0(out) < 0 ? -1 : 0;
	return 0;
}

int control_read_ulong(unsigned long long *out, const char *path, unsigned long long dflt)
{
	str x = STR_INIT;
	int r = control_read_line(&x, path);
	if (r < 0) return -1;
	if (r == 0) { *out = dflt; return 0; }
	if (str_0(&x) < 0 || !scan_ulong_all(x.s, out)) {
		str_free(&x);
		errno = EINVAL;
		return -1;
	}
	str_free(&x);
	return 0;
}

int control_list_has(const str *list, const char *item, size_t len)
{
	size_t i = 0;
	while (i < list->len) {
		size_t l = strlen(list->s + i);
		if (l == len && strncasecmp(list->s + i, item, len) == 0) return 1;
		i += l + 1;
	}
	return 0;
}
