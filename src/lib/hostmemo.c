#include <errno.h>
#include <string.h>
#include "atomic.h"
#include "control.h"
#include "hostmemo.h"
#include "scan.h"

int hostmemo_load(str *memo, const char *path)
{
	return control_read_list(memo, path) < 0 ? -1 : 0;
}

/* Splits an item "ip time": 1 ok with *iplen and *t set. */
static int item_split(const char *it, size_t *iplen, time_t *t)
{
	const char *sp = strchr(it, ' ');
	unsigned long long n;
	if (!sp || sp == it || !scan_ulong_all(sp + 1, &n)) return 0;
	*iplen = (size_t)(sp - it);
	*t = (time_t)n;
	return 1;
}

int hostmemo_recent(const str *memo, const char *ip, time_t now)
{
	size_t i = 0, n = strlen(ip), iplen;
	time_t t;
	while (i < memo->len) {
		const char *it = memo->s + i;
		if (item_split(it, &iplen, &t) && iplen == n && memcmp(it, ip, n) == 0 &&
		    t <= now && now - t < HOSTMEMO_TTL)
			return 1;
		i += strlen(it) + 1;
	}
	return 0;
}

int hostmemo_update(const char *path, const char *ip, time_t now)
{
	str memo = STR_INIT, out = STR_INIT;
	size_t i = 0, n = strlen(ip), iplen, kept = 0;
	time_t t, clock = now ? now : time(NULL);
	int r = -1;
	if (hostmemo_load(&memo, path) < 0) goto done;
	if (now && (str_catv(&out, ip, " ", NULL) < 0 || str_catnum(&out, (unsigned long long)now) < 0 ||
	            str_catc(&out, '\n') < 0))
		goto done;
	while (i < memo.len && kept < HOSTMEMO_MAX - 1) {
		const char *it = memo.s + i;
		size_t l = strlen(it);
		i += l + 1;
		if (!item_split(it, &iplen, &t) || (iplen == n && memcmp(it, ip, n) == 0)) continue;
		if (t <= clock && clock - t >= HOSTMEMO_TTL) continue;
		if (str_catb(&out, it, l) < 0 || str_catc(&out, '\n') < 0) goto done;
		kept++;
	}
	r = atomic_write_nodirsync(path, out.s ? out.s : "", out.len, 0644);
done:
	str_free(&memo);
	str_free(&out);
	return r;
}
