#ifndef TERN_TLS_PEM_H
#define TERN_TLS_PEM_H
#include <stddef.h>
#include <bearssl.h>

/* Loading certificates, private keys and trust anchors from PEM files
   with BearSSL's decoders (link -lbearssl). Files are read whole with a
   size cap (TLS_PEM_FILE_MAX). Functions return 0, -1 with errno (I/O,
   no memory) or TLS_PEM_BAD (the file is not what was expected). */
#define TLS_PEM_BAD (-2)
#define TLS_PEM_FILE_MAX (4 * 1024 * 1024)

/* A certificate chain, leaf first, in DER (all CERTIFICATE objects of a
   file, in file order). */
struct tls_chain {
	br_x509_certificate *cert;
	size_t n, a;
};
int tls_pem_load_chain(const char *path, struct tls_chain *c);
void tls_chain_free(struct tls_chain *c);
/* The key type (BR_KEYTYPE_RSA or BR_KEYTYPE_EC) of the leaf's public
   key, 0 if it cannot be decoded. */
int tls_chain_leaf_keytype(const struct tls_chain *c);

/* A private key: "RSA PRIVATE KEY", "EC PRIVATE KEY" or an unencrypted
   PKCS#8 "PRIVATE KEY". The decoder context holds the key itself;
   tls_key_wipe clears it. */
struct tls_key {
	int type;   /* BR_KEYTYPE_RSA or BR_KEYTYPE_EC */
	br_skey_decoder_context dc;
};
int tls_pem_load_key(const char *path, struct tls_key *k);
void tls_key_wipe(struct tls_key *k);

/* Trust anchors from a PEM bundle (e.g. /etc/ssl/certs/ca-certificates.crt);
   certificates that cannot be decoded are skipped. TLS_PEM_BAD when none
   could be used. */
struct tls_anchors {
	br_x509_trust_anchor *ta;
	size_t n, a;
};
int tls_pem_load_anchors(const char *path, struct tls_anchors *a);
void tls_anchors_free(struct tls_anchors *a);

/* Calls fn for each PEM object of data: its name (e.g. "CERTIFICATE")
   and its decoded bytes. A non-zero return from fn stops the walk and is
   returned. TLS_PEM_BAD on malformed PEM, -1 on no memory. */
typedef int tls_pem_fn(void *ctx, const char *name, const unsigned char *der, size_t len);
int tls_pem_each(const char *data, size_t len, tls_pem_fn *fn, void *ctx);
#endif
