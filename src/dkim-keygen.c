/* dkim-keygen: makes an RSA key for DKIM signing of a domain, stores it
   where dkim-sign finds it (control/dkim/DOMAIN/private.key, readable by
   root and group tern-dkim only, and control/dkim/DOMAIN/selector) and
   prints the DNS TXT record that publishes the public key.
   doc/dkim-keygen.md. */
#include <bearssl.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "atomic.h"
#include "auto.h"
#include "base64.h"
#include "buffer.h"
#include "die.h"
#include "scan.h"
#include "spki.h"
#include "str.h"

#define DKIM_GROUP "tern-dkim"

static void usage(void)
{
	die_code(2, "usage: dkim-keygen [-f] [-b bits] domain selector", NULL);
}

static int label_ok(const char *s, int dots)
{
	size_t i, n = strlen(s);
	if (n == 0 || n > 253 || s[0] == '.' || s[0] == '-' || s[n - 1] == '.') return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || (dots && c == '.')))
			return 0;
	}
	return 1;
}

static void key_make(unsigned bits, br_rsa_private_key *sk, unsigned char *kpriv,
                     br_rsa_public_key *pk, unsigned char *kpub)
{
	br_hmac_drbg_context rng;
	br_prng_seeder seed = br_prng_seeder_system(NULL);
	br_hmac_drbg_init(&rng, &br_sha256_vtable, NULL, 0);
	if (!seed || !seed(&rng.vtable)) die_temp("no system source of randomness", NULL);
	if (!br_rsa_keygen_get_default()(&rng.vtable, sk, kpriv, pk, kpub, bits, 65537))
		die_temp("RSA key generation failed", NULL);
	explicit_bzero(&rng, sizeof rng);
}

/* The private key as PEM "RSA PRIVATE KEY" (PKCS#1), in out. */
static void key_pem(str *out, const br_rsa_private_key *sk, const br_rsa_public_key *pk)
{
	unsigned char d[512], der[4096];
	size_t dlen = br_rsa_compute_privexp_get_default()(d, sk, 65537), len, plen;
	if (!dlen) die_temp("cannot compute the private exponent", NULL);
	len = br_encode_rsa_raw_der(NULL, sk, pk, d, dlen);
	if (len == 0 || len > sizeof der) die_temp("cannot encode the key", NULL);
	br_encode_rsa_raw_der(der, sk, pk, d, dlen);
	plen = br_pem_encode(NULL, der, len, "RSA PRIVATE KEY", BR_PEM_LINE64);
	if (str_ready(out, plen + 1) < 0) die_nomem();
	out->len = br_pem_encode(out->s, der, len, "RSA PRIVATE KEY", BR_PEM_LINE64);
	explicit_bzero(d, sizeof d);
	explicit_bzero(der, sizeof der);
}

static void dir_make(const char *path, gid_t g)
{
	if (mkdir(path, 0750) < 0 && errno != EEXIST) die_temp_sys("cannot create ", path, NULL);
	if (chown(path, 0, g) < 0 || chmod(path, 0750) < 0) die_temp_sys("cannot set up ", path, NULL);
}

/* Prints the TXT record, its value cut in strings of at most 255 bytes. */
static void record_print(const char *domain, const char *selector, const br_rsa_public_key *pk)
{
	char space[1024];
	buffer out;
	str spki = STR_INIT, txt = STR_INIT;
	size_t i;
	if (spki_encode_rsa(&spki, pk->n, pk->nlen, pk->e, pk->elen) < 0 ||
	    str_cats(&txt, "v=DKIM1; k=rsa; p=") < 0 || base64_encode(&txt, spki.s, spki.len) < 0)
		die_nomem();
	buffer_init(&out, 1, space, sizeof space);
	buffer_putsv(&out, selector, "._domainkey.", domain, ". IN TXT (", NULL);
	for (i = 0; i < txt.len; i += 250) {
		buffer_puts(&out, " \"");
		buffer_put(&out, txt.s + i, txt.len - i < 250 ? txt.len - i : 250);
		buffer_puts(&out, "\"");
	}
	buffer_puts(&out, " )\n");
	if (buffer_flush(&out) < 0) die_temp_sys("cannot write the record", NULL);
	str_free(&spki);
	str_free(&txt);
}

int main(int argc, char **argv)
{
	unsigned long long bits = 2048;
	int force = 0, i = 1;
	const char *domain, *selector;
	unsigned char kpriv[BR_RSA_KBUF_PRIV_SIZE(4096)], kpub[BR_RSA_KBUF_PUB_SIZE(4096)];
	br_rsa_private_key sk;
	br_rsa_public_key pk;
	str dir = STR_INIT, path = STR_INIT, pem = STR_INIT, sel = STR_INIT;
	struct group *gr;
	struct stat st;
	die_program = "dkim-keygen";
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-f")) force = 1;
		else if (!strcmp(argv[i], "-b") && i + 1 < argc) {
			if (!scan_ulong_all(argv[++i], &bits) || bits < 1024 || bits > 4096) usage();
		} else usage();
	}
	if (argc - i != 2) usage();
	domain = argv[i];
	selector = argv[i + 1];
	if (!label_ok(domain, 1) || !label_ok(selector, 1)) die_perm("domain and selector must be lower-case DNS names", NULL);
	if (!(gr = getgrnam(DKIM_GROUP))) die_temp("no group " DKIM_GROUP " (run make install)", NULL);
	if (chdir(auto_home) < 0) die_temp_sys("cannot chdir to ", auto_home, NULL);
	dir_make("control/dkim", gr->gr_gid);
	if (str_copys(&dir, "control/dkim/") < 0 || str_cats(&dir, domain) < 0 || str_0(&dir) < 0) die_nomem();
	if (str_copy(&path, &dir) < 0 || str_cats(&path, "/private.key") < 0 || str_0(&path) < 0) die_nomem();
	if (!force && lstat(path.s, &st) == 0) die_perm(path.s, " exists (-f replaces it)", NULL);
	dir_make(dir.s, gr->gr_gid);
	key_make((unsigned)bits, &sk, kpriv, &pk, kpub);
	key_pem(&pem, &sk, &pk);
	explicit_bzero(kpriv, sizeof kpriv);
	/* Written 0600, then given to the group: never readable by others. */
	if (atomic_write(path.s, pem.s, pem.len, 0600) < 0) die_temp_sys("cannot write ", path.s, NULL);
	if (chown(path.s, 0, gr->gr_gid) < 0 || chmod(path.s, 0640) < 0) die_temp_sys("cannot set up ", path.s, NULL);
	explicit_bzero(pem.s, pem.a);
	if (str_copys(&sel, selector) < 0 || str_catc(&sel, '\n') < 0) die_nomem();
	path.len = dir.len;
	if (str_cats(&path, "/selector") < 0 || str_0(&path) < 0) die_nomem();
	if (atomic_write(path.s, sel.s, sel.len, 0644) < 0) die_temp_sys("cannot write ", path.s, NULL);
	record_print(domain, selector, &pk);
	str_free(&dir);
	str_free(&path);
	str_free(&pem);
	str_free(&sel);
	return 0;
}
