#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "io.h"
#include "str.h"
#include "tls_pem.h"
#include "slurp.h"
#include "vec.h"

/* Reads a whole file (at most TLS_PEM_FILE_MAX bytes) into out; a
   missing file is an error here. 0 or -1. */
static int file_read(const char *path, str *out)
{
	int r = slurp_path(path, out, TLS_PEM_FILE_MAX);
	if (r == 0) errno = ENOENT;
	return r == 1 ? 0 : -1;
}

/* Wipes and frees a str that held secret bytes. */
static void str_wipe(str *s)
{
	if (s->s) explicit_bzero(s->s, s->a);
	str_free(s);
}

static void append_der(void *ctx, const void *buf, size_t len)
{
	str *s = ctx;
	/* A failure is remembered by poisoning the length: checked at END. */
	if (s->len == (size_t)-1) return;
	if (str_catb(s, buf, len) < 0) s->len = (size_t)-1;
}

int tls_pem_each(const char *data, size_t len, tls_pem_fn *fn, void *ctx)
{
	br_pem_decoder_context pc;
	str der = STR_INIT;
	char name[128];
	int inobj = 0, r = 0, tail = 0;
	br_pem_decoder_init(&pc);
	/* A final newline is pushed so a file lacking one still ends its object. */
	while (r == 0 && (len > 0 || !tail)) {
		if (len == 0) { tail = 1; data = "\n"; len = 1; }
		size_t k = br_pem_decoder_push(&pc, data, len);
		data += k;
		len -= k;
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			{
				const char *nm = br_pem_decoder_name(&pc);
				size_t l = strnlen(nm, sizeof name - 1);
				memcpy(name, nm, l);
				name[l] = 0;
			}
			der.len = 0;
			br_pem_decoder_setdest(&pc, append_der, &der);
			inobj = 1;
			break;
		case BR_PEM_END_OBJ:
			if (!inobj) break;
			inobj = 0;
			if (der.len == (size_t)-1) { errno = ENOMEM; r = -1; break; }
			r = fn(ctx, name, (const unsigned char *)der.s, der.len);
			break;
		case BR_PEM_ERROR:
			r = TLS_PEM_BAD;
			break;
		}
	}
	if (r == 0 && inobj) r = TLS_PEM_BAD;
	if (der.len == (size_t)-1) der.len = 0;
	str_wipe(&der);
	return r;
}

static int chain_add(void *ctx, const char *name, const unsigned char *der, size_t len)
{
	struct tls_chain *c = ctx;
	br_x509_certificate *n;
	if (strcmp(name, "CERTIFICATE") && strcmp(name, "X509 CERTIFICATE")) return 0;
	if (VEC_READY(c->cert, c->a, c->n + 1) < 0) return -1;
	n = c->cert;
	n[c->n].data = malloc(len ? len : 1);
	if (!n[c->n].data) { errno = ENOMEM; return -1; }
	memcpy(n[c->n].data, der, len);
	n[c->n].data_len = len;
	c->n++;
	return 0;
}

int tls_pem_load_chain(const char *path, struct tls_chain *c)
{
	str f = STR_INIT;
	int r;
	c->cert = 0;
	c->n = c->a = 0;
	if (file_read(path, &f) < 0) { str_free(&f); return -1; }
	r = tls_pem_each(f.s, f.len, chain_add, c);
	str_free(&f);
	if (r == 0 && c->n == 0) r = TLS_PEM_BAD;
	if (r) tls_chain_free(c);
	return r;
}

void tls_chain_free(struct tls_chain *c)
{
	size_t i;
	for (i = 0; i < c->n; i++) free(c->cert[i].data);
	free(c->cert);
	c->cert = 0;
	c->n = c->a = 0;
}

int tls_chain_leaf_keytype(const struct tls_chain *c)
{
	br_x509_decoder_context dc;
	const br_x509_pkey *pk;
	if (c->n == 0) return 0;
	br_x509_decoder_init(&dc, 0, 0);
	br_x509_decoder_push(&dc, c->cert[0].data, c->cert[0].data_len);
	pk = br_x509_decoder_get_pkey(&dc);
	return pk ? pk->key_type : 0;
}

static int key_decode(void *ctx, const char *name, const unsigned char *der, size_t len)
{
	struct tls_key *k = ctx;
	if (strcmp(name, "RSA PRIVATE KEY") && strcmp(name, "EC PRIVATE KEY")
	    && strcmp(name, "PRIVATE KEY"))
		return 0;
	if (k->type) return TLS_PEM_BAD;  /* two keys: refuse to guess */
	br_skey_decoder_init(&k->dc);
	br_skey_decoder_push(&k->dc, der, len);
	if (br_skey_decoder_last_error(&k->dc)) return TLS_PEM_BAD;
	k->type = br_skey_decoder_key_type(&k->dc);
	return k->type ? 0 : TLS_PEM_BAD;
}

int tls_pem_load_key(const char *path, struct tls_key *k)
{
	str f = STR_INIT;
	int r;
	memset(k, 0, sizeof *k);
	if (file_read(path, &f) < 0) { str_wipe(&f); return -1; }
	r = tls_pem_each(f.s, f.len, key_decode, k);
	str_wipe(&f);
	if (r == 0 && k->type == 0) r = TLS_PEM_BAD;
	if (r) tls_key_wipe(k);
	return r;
}

void tls_key_wipe(struct tls_key *k)
{
	explicit_bzero(k, sizeof *k);
}

static unsigned char *dup_bytes(const unsigned char *p, size_t len)
{
	unsigned char *d = malloc(len ? len : 1);
	if (d && len) memcpy(d, p, len);
	return d;
}

/* Copies the decoded public key into the anchor; 0 or -1 (no memory). */
static int anchor_set_key(br_x509_trust_anchor *ta, const br_x509_pkey *pk)
{
	ta->pkey.key_type = pk->key_type;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		ta->pkey.key.rsa.n = dup_bytes(pk->key.rsa.n, pk->key.rsa.nlen);
		ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
		ta->pkey.key.rsa.e = dup_bytes(pk->key.rsa.e, pk->key.rsa.elen);
		ta->pkey.key.rsa.elen = pk->key.rsa.elen;
		return ta->pkey.key.rsa.n && ta->pkey.key.rsa.e ? 0 : -1;
	}
	ta->pkey.key.ec.curve = pk->key.ec.curve;
	ta->pkey.key.ec.q = dup_bytes(pk->key.ec.q, pk->key.ec.qlen);
	ta->pkey.key.ec.qlen = pk->key.ec.qlen;
	return ta->pkey.key.ec.q ? 0 : -1;
}

static void anchor_free(br_x509_trust_anchor *ta)
{
	free(ta->dn.data);
	if (ta->pkey.key_type == BR_KEYTYPE_RSA) {
		free(ta->pkey.key.rsa.n);
		free(ta->pkey.key.rsa.e);
	} else {
		free(ta->pkey.key.ec.q);
	}
}

static int anchor_add(void *ctx, const char *name, const unsigned char *der, size_t len)
{
	struct tls_anchors *a = ctx;
	br_x509_decoder_context dc;
	br_x509_trust_anchor ta;
	const br_x509_pkey *pk;
	str dn = STR_INIT;
	if (strcmp(name, "CERTIFICATE") && strcmp(name, "X509 CERTIFICATE")) return 0;
	br_x509_decoder_init(&dc, append_der, &dn);
	br_x509_decoder_push(&dc, der, len);
	pk = br_x509_decoder_get_pkey(&dc);
	if (!pk || dn.len == (size_t)-1 || br_x509_decoder_last_error(&dc)) {
		if (dn.len == (size_t)-1) dn.len = 0;
		str_free(&dn);
		return 0;  /* skipped: one odd certificate must not void the bundle */
	}
	memset(&ta, 0, sizeof ta);
	ta.flags = BR_X509_TA_CA;
	ta.dn.data = dup_bytes((const unsigned char *)dn.s, dn.len);
	ta.dn.len = dn.len;
	str_free(&dn);
	if (!ta.dn.data || anchor_set_key(&ta, pk) < 0 || VEC_READY(a->ta, a->a, a->n + 1) < 0) {
		anchor_free(&ta);
		errno = ENOMEM;
		return -1;
	}
	a->ta[a->n++] = ta;
	return 0;
}

int tls_pem_load_anchors(const char *path, struct tls_anchors *a)
{
	str f = STR_INIT;
	int r;
	a->ta = 0;
	a->n = a->a = 0;
	if (file_read(path, &f) < 0) { str_free(&f); return -1; }
	r = tls_pem_each(f.s, f.len, anchor_add, a);
	str_free(&f);
	if (r == 0 && a->n == 0) r = TLS_PEM_BAD;
	if (r) tls_anchors_free(a);
	return r;
}

void tls_anchors_free(struct tls_anchors *a)
{
	size_t i;
	for (i = 0; i < a->n; i++) anchor_free(&a->ta[i]);
	free(a->ta);
	a->ta = 0;
	a->n = a->a = 0;
}
