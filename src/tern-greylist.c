/* tern-greylist: greylisting as a policy service (doc/tern-greylist.md).
   The first attempt of a (client network, sender, recipient) triplet is
   deferred; a retry after greylistdelay seconds and within
   greylistretry passes, and the triplet then passes for greylistexpire
   after its last use. State is kept in memory and saved to a file (write
   temp, fsync, rename) every minute when it changed and at exit, so a
   restart forgets at most the last minute. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include "atomic.h"
#include "auto.h"
#include "control.h"
#include "die.h"
#include "fmt.h"
#include "policy_server.h"
#include "scan.h"
#include "slurp.h"
#include "strmap.h"

#define STATE_MAX ((size_t)256 * 1024 * 1024)
#define TRIPLET_MAX 1100          /* a network, two 512-byte addresses, separators */

static unsigned long long delay, retry, expire, entries_max;
static const char *statefile;

struct entry {
	time_t first, last;
	int passed;
};
static struct strmap map;
static int dirty;

static void settings_read(void)
{
	if (control_read_ulong(&delay, "control/greylistdelay", 300) < 0 ||
	    control_read_ulong(&retry, "control/greylistretry", 2 * 86400) < 0 ||
	    control_read_ulong(&expire, "control/greylistexpire", 36 * 86400) < 0 ||
	    control_read_ulong(&entries_max, "control/greylistentries", 500000) < 0)
		warn_sys("cannot read the greylist settings; keeping the old ones", NULL);
}

/* Whether the entry is of no use any more at now. */
static int stale(const struct entry *e, time_t now)
{
	return e->passed ? now - e->last > (time_t)expire : now - e->first > (time_t)retry;
}

static void lower_into(str *out, const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
		if (c == ' ' || c == '\n') c = '?';   /* the state file's separators */
		if (str_catc(out, c) < 0) die_nomem();
	}
}

/* "net sender recipient": IPv4 /24, IPv6 /64 (first four groups). */
static int triplet(str *k, const struct policy_request *r)
{
	size_t alen = 0, slen = 0, rlen = 0, i, mark, n = 0;
	const char *a = policy_get(r, "client_address", &alen);
	const char *s = policy_get(r, "sender", &slen);
	const char *rc = policy_get(r, "recipient", &rlen);
	int v6;
	if (!a || !rc || !alen || !rlen) return 0;
	k->len = 0;
	v6 = memchr(a, ':', alen) != NULL;
	mark = 0;
	for (i = 0; i < alen; i++) {
		if (a[i] == (v6 ? ':' : '.') && ++n == (v6 ? 4u : 3u)) break;
		mark = i + 1;
	}
	lower_into(k, a, mark);
	if (str_catc(k, ' ') < 0) die_nomem();
	lower_into(k, s ? s : "", s ? slen : 0);
	if (str_catc(k, ' ') < 0) die_nomem();
	lower_into(k, rc, rlen);
	return k->len <= TRIPLET_MAX;
}

static struct entry *entry_new(const str *k, time_t first, time_t last, int passed)
{
	struct entry *e = malloc(sizeof *e), *old;
	if (!e) die_nomem();
	e->first = first;
	e->last = last;
	e->passed = passed;
	if (strmap_put(&map, k->s, k->len, e, (void **)&old) < 0) die_nomem();
	free(old);
	return e;
}

static void say_delay(str *action, unsigned long long secs)
{
	char n[FMT_ULONG];
	if (str_cats(action, "450 4.7.1 Greylisted, please try again in ") < 0 ||
	    str_catb(action, n, fmt_ulong(n, secs)) < 0 || str_cats(action, " seconds") < 0)
		die_nomem();
}

/* greylist=WHAT triplet=net/sender/recipient, one log line. */
static void log_event(const char *what, const str *k)
{
	str l = STR_INIT;
	size_t i, start;
	if (str_catv(&l, "greylist=", what, " triplet=", NULL) < 0) die_nomem();
	start = l.len;
	if (str_cat(&l, k) < 0 || str_0(&l) < 0) die_nomem();
	for (i = start; i < l.len; i++) if (l.s[i] == ' ') l.s[i] = '/';
	warn(l.s, NULL);
	str_free(&l);
}

static int on_request(void *ctx, struct policy_peer *p, const struct policy_request *r, str *action)
{
	str k = STR_INIT;
	const char *state, *user;
	size_t slen = 0, ulen = 0;
	struct entry *e;
	time_t now = time(NULL);
	(void)ctx; (void)p;
	state = policy_get(r, "protocol_state", &slen);
	user = policy_get(r, "sasl_username", &ulen);
	/* Only recipients are greylisted, and never a client that logged in. */
	if (!state || slen != 4 || strncasecmp(state, "RCPT", 4) || (user && ulen) || !triplet(&k, r)) {
		str_free(&k);
		return str_cats(action, "dunno");
	}
	e = strmap_get(&map, k.s, k.len);
	if (e && stale(e, now)) { free(strmap_remove(&map, k.s, k.len)); e = NULL; }
	if (!e && map.n >= entries_max) {
		/* Full: let mail through rather than defer it forever. */
		log_event("full", &k);
		str_cats(action, "dunno");
	} else if (!e) {
		entry_new(&k, now, now, 0);
		dirty = 1;
		log_event("defer", &k);
		say_delay(action, delay);
	} else if (e->passed || now - e->first >= (time_t)delay) {
		if (!e->passed) log_event("pass", &k);
		e->passed = 1;
		e->last = now;
		dirty = 1;
		str_cats(action, "dunno");
	} else {
		say_delay(action, (unsigned long long)((time_t)delay - (now - e->first)));
	}
	str_free(&k);
	return 0;
}

static void on_closed(void *ctx, struct policy_peer *p) { (void)ctx; (void)p; }

/* "first last passed key\n" per entry, the key last (it has spaces). */
static void state_save(time_t now)
{
	str out = STR_INIT;
	char n[FMT_ULONG];
	size_t i;
	for (i = 0; i < map.a; i++) {
		struct entry *e = map.slot[i].value;
		if (!map.slot[i].key || stale(e, now)) continue;
		if (str_catb(&out, n, fmt_ulong(n, (unsigned long long)e->first)) < 0 || str_catc(&out, ' ') < 0 ||
		    str_catb(&out, n, fmt_ulong(n, (unsigned long long)e->last)) < 0 ||
		    str_cats(&out, e->passed ? " 1 " : " 0 ") < 0 ||
		    str_catb(&out, map.slot[i].key, map.slot[i].len) < 0 || str_catc(&out, '\n') < 0)
			die_nomem();
	}
	if (atomic_write(statefile, out.s ? out.s : "", out.len, 0600) < 0) warn_sys("cannot save ", statefile, NULL);
	else dirty = 0;
	str_free(&out);
}

/* Reads the numbers of one saved line; 0 or -1 (the line is skipped). */
static int line_parse(const char *l, size_t len, unsigned long long v[3], size_t *keyat)
{
	size_t pos = 0, k, m;
	for (k = 0; k < 3; k++) {
		m = scan_ulong(l + pos, len - pos, &v[k]);
		if (!m || pos + m >= len || l[pos + m] != ' ') return -1;
		pos += m + 1;
	}
	*keyat = pos;
	return pos < len && v[2] <= 1 ? 0 : -1;
}

static void state_load(void)
{
	str data = STR_INIT, k = STR_INIT;
	size_t pos = 0;
	time_t now = time(NULL);
	int r = slurp_path(statefile, &data, STATE_MAX);
	if (r < 0) { warn_sys("cannot read ", statefile, "; starting empty", NULL); return; }
	while (pos < data.len) {
		const char *nl = memchr(data.s + pos, '\n', data.len - pos);
		size_t end = nl ? (size_t)(nl - data.s) : data.len, keyat;
		unsigned long long v[3];
		if (line_parse(data.s + pos, end - pos, v, &keyat) == 0 && end - pos - keyat <= TRIPLET_MAX &&
		    map.n < entries_max) {
			struct entry probe = { (time_t)v[0], (time_t)v[1], (int)v[2] };
			if (!stale(&probe, now) && str_copyb(&k, data.s + pos + keyat, end - pos - keyat) == 0)
				entry_new(&k, probe.first, probe.last, probe.passed);
		}
		pos = end + 1;
	}
	str_free(&data);
	str_free(&k);
}

static void on_tick(void *ctx, time_t now)
{
	static time_t last;
	(void)ctx;
	if (!last) last = now;
	if (dirty && now - last >= 60) { state_save(now); last = now; }
}

static void on_hup(void *ctx) { (void)ctx; settings_read(); }

int main(int argc, char **argv)
{
	static const struct policy_server_hooks hooks = {
		.request = on_request, .closed = on_closed, .tick = on_tick, .hup = on_hup,
	};
	const char *why;
	die_program = "tern-greylist";
	if (argc != 3) die_code(2, "usage: tern-greylist socket statefile", NULL);
	statefile = argv[2];
	if (control_chdir_home() < 0) die_temp_sys("cannot chdir to ", auto_home, NULL);
	if (strmap_init(&map) < 0) die_temp_sys("cannot seed the table", NULL);
	settings_read();
	state_load();
	if (policy_server_serve(argv[1], &hooks, NULL, &why) < 0) die_temp_sys(why, NULL);
	if (dirty) state_save(time(NULL));
	return 0;
}
