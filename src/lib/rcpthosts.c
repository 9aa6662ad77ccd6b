#include <errno.h>
#include <unistd.h>
#include "cdbfile.h"
#include "control.h"
#include "rcpthosts.h"

#define MORE "control/morercpthosts.cdb"

int rcpthosts_init(struct rcpthosts *r)
{
	int n;
	r->list.s = 0; r->list.len = r->list.a = 0;
	n = control_read_list(&r->list, "control/rcpthosts");
	if (n < 0) return -1;
	r->present = n > 0 || access(MORE, F_OK) == 0;
	return 0;
}

/* One key: the list, then the cdb. */
static int lookup(struct rcpthosts *r, const char *key, size_t len)
{
	str v = STR_INIT;
	int found;
	if (control_list_has(&r->list, key, len)) return 1;
	found = cdbfile_get(MORE, key, len, &v);
	str_free(&v);
	return found;
}

int rcpthosts_match(struct rcpthosts *r, const char *domain, size_t len)
{
	char low[256];
	size_t i;
	int found;
	if (!r->present || len == 0) return 0;
	if (len >= sizeof low) return 0;
	for (i = 0; i < len; i++) {
		char c = domain[i];
		low[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
	}
	/* A trailing dot names the same domain. */
	if (low[len - 1] == '.') len--;
	if (len == 0) return 0;
	if ((found = lookup(r, low, len)) != 0) return found;
	/* ".example.com" covers a.example.com and a.b.example.com. */
	for (i = 1; i < len; i++)
		if (low[i] == '.' && (found = lookup(r, low + i, len - i)) != 0)
			return found;
	return 0;
}

void rcpthosts_free(struct rcpthosts *r)
{
	str_free(&r->list);
}
