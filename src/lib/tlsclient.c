#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "base64.h"
#include "io.h"
#include "spki.h"
#include "tls_pem.h"
#include "tlsclient.h"
#include "tlsctl.h"

/* --- pins ---------------------------------------------------------------- */

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9') return ch - '0';
	if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
	return -1;
}

/* One pin of len bytes ("sha256:..."), into out. 0 or -1. */
static int pin_parse(const char *s, size_t len, unsigned char out[32])
{
	size_t i;
	if (len < 7 || memcmp(s, "sha256:", 7)) return -1;
	s += 7;
	len -= 7;
	if (len == 64) {
		for (i = 0; i < 32; i++) {
			int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
			if (hi < 0 || lo < 0) return -1;
			out[i] = (unsigned char)(hi * 16 + lo);
		}
		return 0;
	}
	str b = STR_INIT;
	int r = base64_decode(s, len, &b) == 0 && b.len == 32 ? 0 : -1;
	if (r == 0) memcpy(out, b.s, 32);
	str_free(&b);
	return r;
}

int tlsclient_pins_parse(const char *pins, unsigned char out[][32], size_t max)
{
	size_t n = 0;
	while (pins && *pins) {
		size_t l = strcspn(pins, ", ");
		if (l) {
			if (n == max || pin_parse(pins, l, out[n]) < 0) return -1;
			n++;
		}
		pins += l;
		if (*pins) pins++;
	}
	return (int)n;
}

/* --- the leaf's public key against the pins ----------------------------------- */

static int pin_check(const struct tlsclient_x509 *x)
{
	const unsigned char *spki;
	size_t slen, i;
	unsigned char hash[32];
	br_sha256_context h;
	if (x->leaf_overflow || spki_find(x->leaf, x->leaf_len, &spki, &slen) < 0) return 0;
	br_sha256_init(&h);
	br_sha256_update(&h, spki, slen);
	br_sha256_out(&h, hash);
	for (i = 0; i < x->npins; i++)
		if (memcmp(hash, x->pins[i], 32) == 0) return 1;
	return 0;
}

/* --- an X.509 engine: records the leaf, asks the validator if any ----------- */

static void xw_start_chain(const br_x509_class **ctx, const char *name)
{
	struct tlsclient_x509 *x = (struct tlsclient_x509 *)ctx;
	x->cert_index = 0;
	x->leaf_len = 0;
	x->leaf_overflow = 0;
	x->pin_ok = 0;
	br_x509_decoder_init(&x->dc, 0, 0);
	if (x->inner) (*x->inner)->start_chain(x->inner, name);
}

static void xw_start_cert(const br_x509_class **ctx, uint32_t length)
{
	struct tlsclient_x509 *x = (struct tlsclient_x509 *)ctx;
	if (x->inner) (*x->inner)->start_cert(x->inner, length);
}

static void xw_append(const br_x509_class **ctx, const unsigned char *buf, size_t len)
{
	struct tlsclient_x509 *x = (struct tlsclient_x509 *)ctx;
	if (x->cert_index == 0) {
		br_x509_decoder_push(&x->dc, buf, len);
		if (len > sizeof x->leaf - x->leaf_len) x->leaf_overflow = 1;
		else { memcpy(x->leaf + x->leaf_len, buf, len); x->leaf_len += len; }
	}
	if (x->inner) (*x->inner)->append(x->inner, buf, len);
}

static void xw_end_cert(const br_x509_class **ctx)
{
	struct tlsclient_x509 *x = (struct tlsclient_x509 *)ctx;
	x->cert_index++;
	if (x->inner) (*x->inner)->end_cert(x->inner);
}

static unsigned xw_end_chain(const br_x509_class **ctx)
{
	struct tlsclient_x509 *x = (struct tlsclient_x509 *)ctx;
	unsigned r = x->inner ? (*x->inner)->end_chain(x->inner) : 0;
	if (r) return r;
	if (x->cert_index == 0) return BR_ERR_X509_EMPTY_CHAIN;
	if (!br_x509_decoder_get_pkey(&x->dc)) {
		int e = br_x509_decoder_last_error(&x->dc);
		return e ? (unsigned)e : BR_ERR_X509_INVALID_VALUE;
	}
	if (x->pin_policy) {
		if (!pin_check(x)) return BR_ERR_X509_NOT_TRUSTED;
		x->pin_ok = 1;
	}
	return 0;
}

static const br_x509_pkey *xw_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	struct tlsclient_x509 *x = (struct tlsclient_x509 *)ctx;
	if (x->inner) return (*x->inner)->get_pkey(x->inner, usages);
	if (usages) *usages = BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN;
	return br_x509_decoder_get_pkey(&x->dc);
}

static const br_x509_class xw_class = {
	sizeof(struct tlsclient_x509),
	xw_start_chain, xw_start_cert, xw_append, xw_end_cert, xw_end_chain, xw_get_pkey
};

/* --- I/O with time limits ------------------------------------------------------ */

static int wait_fd(struct tlsclient *c, short events)
{
	int ms = c->timeout * 1000;
	if (c->deadline) {
		time_t left = c->deadline - time(0);
		if (left <= 0) { errno = ETIMEDOUT; return -1; }
		if (left < c->timeout) ms = (int)left * 1000;
	}
	return io_wait(c->fd, events, ms) == 1 ? 0 : -1;
}

static int low_read(void *ctx, unsigned char *buf, size_t len)
{
	struct tlsclient *c = ctx;
	ssize_t r;
	if (wait_fd(c, POLLIN) < 0) return -1;
	r = io_read(c->fd, buf, len);
	if (r == 0) errno = ECONNRESET;
	return r > 0 ? (int)r : -1;
}

static int low_write(void *ctx, const unsigned char *buf, size_t len)
{
	struct tlsclient *c = ctx;
	ssize_t r;
	if (wait_fd(c, POLLOUT) < 0) return -1;
	do r = send(c->fd, buf, len, MSG_NOSIGNAL); while (r < 0 && errno == EINTR);
	if (r < 0 && errno == ENOTSOCK) do r = write(c->fd, buf, len); while (r < 0 && errno == EINTR);
	return r >= 0 ? (int)r : -1;
}

/* --- trust anchors, loaded once per process and path ----------------------- */

static struct tls_anchors anchors;
static str anchors_path;

static int anchors_get(const char *path)
{
	if (anchors.n && anchors_path.len == strlen(path) && !memcmp(anchors_path.s, path, anchors_path.len))
		return 0;
	tls_anchors_free(&anchors);
	anchors_path.len = 0;
	if (tls_pem_load_anchors(path, &anchors) != 0) return -1;
	return str_copys(&anchors_path, path);
}

/* --- the session --------------------------------------------------------------- */

void tlsclient_init(struct tlsclient *c)
{
	c->cafile = 0;
	c->deadline = 0;
	c->fd = -1;
	c->error[0] = 0;
}

static int fail(struct tlsclient *c, int kind, const char *why, unsigned code)
{
	size_t n = strlen(why);
	char num[16];
	size_t k = 0;
	if (n > sizeof c->error - 20) n = sizeof c->error - 20;
	memcpy(c->error, why, n);
	if (code) {
		unsigned d = code;
		memcpy(c->error + n, " (error ", 8);
		n += 8;
		do { num[k++] = (char)('0' + d % 10); d /= 10; } while (d && k < sizeof num);
		while (k) c->error[n++] = num[--k];
		c->error[n++] = ')';
	}
	c->error[n] = 0;
	return kind;
}

/* What a failed handshake means, from BearSSL's error code. */
static int handshake_failure(struct tlsclient *c, unsigned err)
{
	if (err == BR_ERR_IO || err == BR_ERR_OK) return fail(c, TLSCLIENT_TEMP, errno == ETIMEDOUT ? "TLS handshake timed out" : "TLS handshake: connection lost", 0);
	if (err == BR_ERR_X509_BAD_SERVER_NAME) return fail(c, TLSCLIENT_PERM, "certificate does not match the host name", err);
	if (err == BR_ERR_X509_EXPIRED) return fail(c, TLSCLIENT_PERM, "certificate expired or not yet valid", err);
	if (err == BR_ERR_X509_NOT_TRUSTED && c->policy == TLSCLIENT_PIN) return fail(c, TLSCLIENT_PERM, "certificate key does not match the pin", err);
	if (err >= BR_ERR_X509_OK && err < BR_ERR_X509_OK + 32) return fail(c, TLSCLIENT_PERM, "certificate not trusted", err);
	if (err >= BR_ERR_RECV_FATAL_ALERT) return fail(c, TLSCLIENT_PERM, "TLS alert from the server", err - BR_ERR_RECV_FATAL_ALERT);
	return fail(c, TLSCLIENT_PERM, "TLS handshake failed", err);
}

static int setup(struct tlsclient *c, enum tlsclient_policy policy, const char *pins)
{
	struct tlsclient_x509 *x = &c->x;
	x->npins = 0;
	x->pin_policy = policy == TLSCLIENT_PIN;
	if (x->pin_policy) {
		int n = tlsclient_pins_parse(pins, x->pins, TLSCLIENT_PIN_MAX);
		if (n <= 0) return fail(c, TLSCLIENT_PERM, "malformed pin", 0);
		x->npins = (size_t)n;
	}
	if (policy == TLSCLIENT_VERIFY) {
		if (anchors_get(c->cafile ? c->cafile : TLSCLIENT_DEFAULT_CAFILE) < 0)
			return fail(c, TLSCLIENT_TEMP, "cannot load the trust store", 0);
		br_ssl_client_init_full(&c->cc, &c->xc, anchors.ta, anchors.n);
		x->inner = &c->xc.vtable;
	} else {
		br_ssl_client_init_full(&c->cc, &c->xc, 0, 0);
		x->inner = 0;
	}
	x->vtable = &xw_class;
	br_ssl_engine_set_x509(&c->cc.eng, &x->vtable);
	br_ssl_engine_set_buffer(&c->cc.eng, c->iobuf, sizeof c->iobuf, 1);
	return 0;
}

int tlsclient_start(struct tlsclient *c, int fd, const char *servername,
                    enum tlsclient_policy policy, const char *pins, int timeout)
{
	int r;
	c->fd = fd;
	c->timeout = timeout > 0 ? timeout : 60;
	c->policy = policy;
	c->verified = 0;
	c->error[0] = 0;
	if (policy == TLSCLIENT_VERIFY && (!servername || !*servername))
		return fail(c, TLSCLIENT_PERM, "no host name to verify", 0);
	r = setup(c, policy, pins);
	if (r) return r;
	if (!br_ssl_client_reset(&c->cc, servername, 0))
		return fail(c, TLSCLIENT_TEMP, "cannot start the TLS engine", br_ssl_engine_last_error(&c->cc.eng));
	br_sslio_init(&c->io, &c->cc.eng, low_read, c, low_write, c);
	c->deadline = time(0) + c->timeout;
	errno = 0;
	/* Flushing nothing runs the engine until it takes application data:
	   the handshake is then complete. */
	r = br_sslio_flush(&c->io);
	c->deadline = 0;
	if (r < 0 || !(br_ssl_engine_current_state(&c->cc.eng) & BR_SSL_SENDAPP))
		return handshake_failure(c, br_ssl_engine_last_error(&c->cc.eng));
	c->verified = policy == TLSCLIENT_VERIFY ? 1 : c->x.pin_ok ? 2 : 0;
	return 0;
}

ssize_t tlsclient_read(struct tlsclient *c, void *buf, size_t len)
{
	int r = br_sslio_read(&c->io, buf, len);
	if (r >= 0) return r;
	if ((br_ssl_engine_current_state(&c->cc.eng) & BR_SSL_CLOSED)
	    && br_ssl_engine_last_error(&c->cc.eng) == BR_ERR_OK)
		return 0;
	if (errno == 0) errno = EPROTO;
	return -1;
}

int tlsclient_write(struct tlsclient *c, const void *buf, size_t len)
{
	return br_sslio_write_all(&c->io, buf, len) < 0 ? -1 : 0;
}

int tlsclient_flush(struct tlsclient *c)
{
	return br_sslio_flush(&c->io) < 0 ? -1 : 0;
}

int tlsclient_close(struct tlsclient *c)
{
	/* Waits for the server's close_notify too, within the time limit. */
	c->deadline = time(0) + c->timeout;
	int r = br_sslio_close(&c->io);
	c->deadline = 0;
	return r < 0 ? -1 : 0;
}

int tlsclient_describe(struct tlsclient *c, str *out)
{
	const char *v = tlsctl_version_name(br_ssl_engine_get_version(&c->cc.eng));
	const char *s = tlsctl_suite_name(c->cc.eng.session.cipher_suite);
	static const char *const how[] = { "no", "yes", "pin" };
	return str_copys(out, v ? v : "unknown") < 0 || str_catc(out, ' ') < 0
	    || str_cats(out, s ? s : "unknown") < 0 || str_cats(out, " verified=") < 0
	    || str_cats(out, how[c->verified]) < 0 ? -1 : 0;
}
