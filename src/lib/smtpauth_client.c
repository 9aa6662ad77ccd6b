#include <string.h>
#include <strings.h>
#include "smtpauth_client.h"
#include "smtproutes.h"

int smtpauth_cred_find(const str *items, const char *host, size_t len, struct smtpauth_cred *c)
{
	size_t vlen = 0, ulen;
	const char *v = smtproutes_lookup(items, host, len, &vlen), *colon;
	if (!v) return 0;
	colon = memchr(v, ':', vlen);
	if (!colon) return -1;
	ulen = (size_t)(colon - v);
	if (ulen == 0 || ulen >= sizeof c->user || vlen - ulen - 1 >= sizeof c->pass) return -1;
	memcpy(c->user, v, ulen);
	c->user[ulen] = 0;
	memcpy(c->pass, colon + 1, vlen - ulen - 1);
	c->pass[vlen - ulen - 1] = 0;
	return 1;
}

void smtpauth_cred_wipe(struct smtpauth_cred *c)
{
	explicit_bzero(c, sizeof *c);
}

static int mech_bits(const char *t, size_t len)
{
	int bits = 0;
	size_t i = 0;
	while (i < len) {
		size_t n = 0;
		while (i < len && (t[i] == ' ' || t[i] == '=')) i++;
		while (i + n < len && t[i + n] != ' ') n++;
		if (n == 5 && strncasecmp(t + i, "PLAIN", 5) == 0) bits |= SMTPAUTH_PLAIN;
		if (n == 5 && strncasecmp(t + i, "LOGIN", 5) == 0) bits |= SMTPAUTH_LOGIN;
		i += n;
	}
	return bits;
}

int smtpauth_offered(const struct smtp_reply *ehlo)
{
	const char *t = ehlo->text.s, *end = t + ehlo->text.len;
	int bits = 0;
	while (t && t < end) {
		const char *nl = memchr(t, '\n', (size_t)(end - t));
		size_t len = nl ? (size_t)(nl - t) : (size_t)(end - t);
		if (t != ehlo->text.s && len > 5 && strncasecmp(t, "AUTH", 4) == 0 && (t[4] == ' ' || t[4] == '='))
			bits |= mech_bits(t + 5, len - 5);
		t += len + 1;
	}
	return bits;
}

int smtpauth_base64(str *out, const char *in, size_t len)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *u = (const unsigned char *)in;
	if (str_readyplus(out, (len + 2) / 3 * 4) < 0) return -1;
	for (size_t i = 0; i < len; i += 3) {
		unsigned long v = (unsigned long)u[i] << 16;
		if (i + 1 < len) v |= (unsigned long)u[i + 1] << 8;
		if (i + 2 < len) v |= u[i + 2];
		out->s[out->len++] = a[v >> 18 & 63];
		out->s[out->len++] = a[v >> 12 & 63];
		out->s[out->len++] = i + 1 < len ? a[v >> 6 & 63] : '=';
		out->s[out->len++] = i + 2 < len ? a[v & 63] : '=';
	}
	return 0;
}

/* Sends prefix + base64(secret) + CR LF and reads the reply. */
static int send_secret(struct netio *io, const char *prefix, const char *secret, size_t len, struct smtp_reply *r)
{
	str c = STR_INIT;
	int k = -1;
	if (str_cats(&c, prefix) == 0 && smtpauth_base64(&c, secret, len) == 0 && str_cats(&c, "\r\n") == 0
	    && netio_write(io, c.s, c.len) == 0)
		k = netio_reply(io, r) == 0 ? 0 : -1;
	if (c.s) explicit_bzero(c.s, c.a);
	str_free(&c);
	return k;
}

static int auth_plain(struct netio *io, const struct smtpauth_cred *c, struct smtp_reply *r)
{
	char buf[sizeof c->user + sizeof c->pass + 2];
	size_t ul = strlen(c->user), pl = strlen(c->pass);
	int k;
	/* authzid empty, then authcid and password, NUL-separated (RFC 4616). */
	buf[0] = 0;
	memcpy(buf + 1, c->user, ul);
	buf[1 + ul] = 0;
	memcpy(buf + 2 + ul, c->pass, pl);
	k = send_secret(io, "AUTH PLAIN ", buf, ul + pl + 2, r);
	explicit_bzero(buf, sizeof buf);
	return k;
}

static int auth_login(struct netio *io, const struct smtpauth_cred *c, struct smtp_reply *r)
{
	static const char cmd[] = "AUTH LOGIN\r\n";
	if (netio_write(io, cmd, sizeof cmd - 1) < 0 || netio_reply(io, r) != 0) return -1;
	if (r->code != 334) return 0;
	if (send_secret(io, "", c->user, strlen(c->user), r) < 0) return -1;
	if (r->code != 334) return 0;
	return send_secret(io, "", c->pass, strlen(c->pass), r);
}

int smtpauth_run(struct netio *io, int mechs, const struct smtpauth_cred *c, struct smtp_reply *r)
{
	int k = mechs & SMTPAUTH_PLAIN ? auth_plain(io, c, r) : auth_login(io, c, r);
	/* A server that still wants more after the last step is broken:
	   cancel (RFC 4954 4) and call it a protocol error. */
	if (k == 0 && r->code == 334) {
		(void)netio_write(io, "*\r\n", 3);
		(void)netio_reply(io, r);
		return -1;
	}
	return k;
}
