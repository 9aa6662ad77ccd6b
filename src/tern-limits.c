/* tern-limits: per-client limits for smtpd-recv, as a policy service
   (doc/tern-limits.md). smtpd-recv is one process per connection, so the
   counts live here: each SMTP session holds one connection to this
   daemon for its whole life, and the daemon counts a client's sessions by
   those connections, so a crashed session can never leave a count behind.
   Rates are per minute, per client address and per authenticated user. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include "auto.h"
#include "control.h"
#include "die.h"
#include "logline.h"
#include "policy_server.h"
#include "strmap.h"

/* The settings, from control files (0 = no limit). */
static struct limits {
	unsigned long long conn, conn_net, msgs, rcpts, user_msgs, user_rcpts;
} L;

/* One counted key: an address, a network or a user. */
struct count {
	unsigned long long conns;   /* sessions open now */
	time_t window;              /* start of the current minute */
	unsigned long long msgs, rcpts;
};
static struct strmap counts;

/* Per session: the keys it holds a connection count on. */
struct session {
	str addr, net;
	int counted;
};

static void settings_read(void)
{
	static const struct { const char *file; unsigned long long *v, dflt; } s[] = {
		{ "control/limitconnections", &L.conn, 20 },
		{ "control/limitconnectionsnet", &L.conn_net, 0 },
		{ "control/limitmessages", &L.msgs, 0 },
		{ "control/limitrecipients", &L.rcpts, 0 },
		{ "control/limitusermessages", &L.user_msgs, 0 },
		{ "control/limituserrecipients", &L.user_rcpts, 0 },
	};
	size_t i;
	for (i = 0; i < sizeof s / sizeof *s; i++)
		if (control_read_ulong(s[i].v, s[i].file, s[i].dflt) < 0) {
			warn_sys("cannot read ", s[i].file, "; keeping the old value", NULL);
		}
}

static struct count *count_get(const str *key)
{
	struct count *c = strmap_get(&counts, key->s, key->len);
	if (c) return c;
	if (!(c = calloc(1, sizeof *c)) || strmap_put(&counts, key->s, key->len, c, NULL) < 0) die_nomem();
	return c;
}

/* The network of an address: IPv4 /24 ("net:192.0.2"), IPv6 /64 (the
   first four groups of the textual form, after expansion). */
static void net_of(const char *a, size_t len, str *out)
{
	size_t i, dots = 0, colons = 0;
	out->len = 0;
	if (str_cats(out, "net:") < 0) die_nomem();
	if (memchr(a, ':', len)) {
		/* Expand "::" enough to count four groups; an address with
		   fewer than four groups before "::" ends its /64 there. */
		for (i = 0; i < len && colons < 4; i++) {
			if (a[i] == ':' && i + 1 < len && a[i + 1] == ':') break;
			if (a[i] == ':') colons++;
			if (colons < 4 && str_catc(out, a[i]) < 0) die_nomem();
		}
		return;
	}
	for (i = 0; i < len && dots < 3; i++) {
		if (a[i] == '.') dots++;
		if (dots < 3 && str_catc(out, a[i]) < 0) die_nomem();
	}
}

static void log_refusal(const char *what, const char *key, unsigned long long have, unsigned long long max)
{
	str l = STR_INIT;
	if (str_catv(&l, "limit=", what, " key=", key, " count=", NULL) == 0 && str_catnum(&l, have) == 0 &&
	    str_cats(&l, " max=") == 0 && str_catnum(&l, max) == 0 && str_0(&l) == 0)
		warn(l.s, NULL);
	str_free(&l);
}

/* The session's first request: count it against its address and net. */
static int session_count(struct session *s, const char *addr, size_t alen, str *action)
{
	struct count *a, *n;
	if (s->counted || !addr || !alen) return 0;
	if (str_copyb(&s->addr, addr, alen) < 0 || str_0(&s->addr) < 0) die_nomem();
	net_of(addr, alen, &s->net);
	if (str_0(&s->net) < 0) die_nomem();
	a = count_get(&s->addr);
	n = count_get(&s->net);
	if (L.conn && a->conns >= L.conn) {
		log_refusal("connections", s->addr.s, a->conns, L.conn);
		return str_cats(action, "421 4.7.0 Too many connections from your address, try again later");
	}
	if (L.conn_net && n->conns >= L.conn_net) {
		log_refusal("connections_net", s->net.s, n->conns, L.conn_net);
		return str_cats(action, "421 4.7.0 Too many connections from your network, try again later");
	}
	a->conns++;
	n->conns++;
	s->counted = 1;
	return 0;
}

/* One more message or recipient for key within its minute; 1 if over max. */
static int rate_over(const char *prefix, const char *v, size_t vlen, int rcpt, unsigned long long max, time_t now)
{
	str key = STR_INIT;
	struct count *c;
	unsigned long long *n;
	int over;
	if (!max || !v || !vlen) return 0;
	if (str_cats(&key, prefix) < 0 || str_catb(&key, v, vlen) < 0 || str_0(&key) < 0) die_nomem();
	c = count_get(&key);
	if (now - c->window >= 60) { c->window = now; c->msgs = c->rcpts = 0; }
	n = rcpt ? &c->rcpts : &c->msgs;
	over = *n >= max;
	if (over) log_refusal(rcpt ? "recipients_per_minute" : "messages_per_minute", key.s, *n, max);
	else (*n)++;
	str_free(&key);
	return over;
}

static int on_request(void *ctx, struct policy_peer *p, const struct policy_request *r, str *action)
{
	struct session *s = p->data;
	const char *state, *addr, *user;
	size_t slen = 0, alen = 0, ulen = 0;
	time_t now = time(NULL);
	(void)ctx;
	if (!s) {
		if (!(s = calloc(1, sizeof *s))) die_nomem();
		p->data = s;
	}
	state = policy_get(r, "protocol_state", &slen);
	addr = policy_get(r, "client_address", &alen);
	user = policy_get(r, "sasl_username", &ulen);
	if (session_count(s, addr, alen, action) < 0) return -1;
	if (action->len) return 0;
	if (state && slen == 4 && !strncasecmp(state, "MAIL", 4)) {
		if (rate_over("addr:", addr, alen, 0, L.msgs, now))
			return str_cats(action, "451 4.7.1 Too many messages from your address, slow down");
		if (rate_over("user:", user, ulen, 0, L.user_msgs, now))
			return str_cats(action, "451 4.7.1 Too many messages from your account, slow down");
	} else if (state && slen == 4 && !strncasecmp(state, "RCPT", 4)) {
		if (rate_over("addr:", addr, alen, 1, L.rcpts, now))
			return str_cats(action, "451 4.7.1 Too many recipients from your address, slow down");
		if (rate_over("user:", user, ulen, 1, L.user_rcpts, now))
			return str_cats(action, "451 4.7.1 Too many recipients from your account, slow down");
	}
	return str_cats(action, "dunno");
}

static void release(const str *key)
{
	struct count *c = strmap_get(&counts, key->s, key->len);
	if (c && c->conns) c->conns--;
}

static void on_closed(void *ctx, struct policy_peer *p)
{
	struct session *s = p->data;
	(void)ctx;
	if (!s) return;
	if (s->counted) { release(&s->addr); release(&s->net); }
	str_free(&s->addr);
	str_free(&s->net);
	free(s);
	p->data = NULL;
}

/* Once a minute: forget keys with no session and no recent traffic, so
   the table holds only what is in use. */
static void on_tick(void *ctx, time_t now)
{
	static time_t last;
	size_t i;
	(void)ctx;
	if (now - last < 60) return;
	last = now;
	for (i = 0; i < counts.a;) {
		struct count *c = counts.slot[i].value;
		if (counts.slot[i].key && c->conns == 0 && now - c->window >= 60) {
			/* removal shifts a later key into slot i: look at i again */
			free(strmap_remove(&counts, counts.slot[i].key, counts.slot[i].len));
			continue;
		}
		i++;
	}
}

static void on_hup(void *ctx) { (void)ctx; settings_read(); }

int main(int argc, char **argv)
{
	static const struct policy_server_hooks hooks = {
		.request = on_request, .closed = on_closed, .tick = on_tick, .hup = on_hup,
	};
	const char *why;
	die_program = "tern-limits";
	if (argc != 2) die_code(2, "usage: tern-limits socket", NULL);
	if (control_chdir_home() < 0) die_temp_sys("cannot chdir to ", auto_home, NULL);
	if (strmap_init(&counts) < 0) die_temp_sys("cannot seed the table", NULL);
	settings_read();
	if (policy_server_serve(argv[1], &hooks, NULL, &why) < 0) die_temp_sys(why, NULL);
	return 0;
}
