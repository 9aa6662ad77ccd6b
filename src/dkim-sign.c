/* dkim-sign: a filter with queue-inject's protocol that adds a DKIM
   signature (RFC 6376, rsa-sha256, relaxed/relaxed) for the domain of
   the From: address, then execs queue-inject on the signed message.
   Installed setgid tern-dkim so that it can read the keys: it loads
   every key first, gives the group up for good, and only then reads the
   caller's message. doc/dkim-sign.md. */
#include <bearssl.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "auto.h"
#include "base64.h"
#include "buffer.h"
#include "control.h"
#include "die.h"
#include "dkim.h"
#include "dkim_canon.h"
#include "headers.h"
#include "io.h"
#include "line.h"
#include "str.h"
#include "tls_pem.h"
#include "vec.h"

/* Exit codes: queue-inject's (doc/queue-inject.md). */
enum { EX_TOOBIG = 33, EX_NOMEM = 51, EX_WRITE = 53, EX_READ = 54, EX_CONTROL = 55,
       EX_HOME = 61, EX_BUG = 81 };

#define KEYS_MAX 1000
#define HEADER_MAX ((size_t)1024 * 1024)
#define LINE_MAX_BYTES ((size_t)64 * 1024)
#define DATABYTES_DEFAULT ((unsigned long long)50 * 1024 * 1024)
#define DATABYTES_HARD ((unsigned long long)1024 * 1024 * 1024)

struct key {
	str domain, selector;
	struct tls_key k;
};
static struct key *keys;
static size_t nkeys, akeys;

static void quit(int code, const char *why, const char *what)
{
	warn(why, what, NULL);
	_exit(code);
}

static int domain_ok(const char *d)
{
	size_t i, n = strlen(d);
	if (n == 0 || n > 253 || d[0] == '.' || d[0] == '-') return 0;
	for (i = 0; i < n; i++) {
		char c = d[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return 0;
	}
	return 1;
}

/* control/dkim/DOMAIN/selector and control/dkim/DOMAIN/private.key. */
static void key_load(const char *domain)
{
	str path = STR_INIT;
	struct key *k;
	int r;
	if (nkeys >= KEYS_MAX) quit(EX_CONTROL, "more than 1000 domains in control/dkim", "");
	if (VEC_READY(keys, akeys, nkeys + 1) < 0) _exit(EX_NOMEM);
	k = &keys[nkeys];
	memset(k, 0, sizeof *k);
	if (str_copys(&k->domain, domain) < 0 || str_0(&k->domain) < 0 ||
	    str_copyb(&path, "control/dkim/", 13) < 0 || str_cats(&path, domain) < 0 ||
	    str_cats(&path, "/selector") < 0 || str_0(&path) < 0)
		_exit(EX_NOMEM);
	r = control_read_line(&k->selector, path.s);
	if (r <= 0) quit(EX_CONTROL, "cannot read ", path.s);
	path.len -= 8;   /* "selector" */
	if (str_cats(&path, "private.key") < 0 || str_0(&path) < 0) _exit(EX_NOMEM);
	r = tls_pem_load_key(path.s, &k->k);
	if (r != 0 || k->k.type != BR_KEYTYPE_RSA) quit(EX_CONTROL, "no RSA private key in ", path.s);
	str_free(&path);
	nkeys++;
}

static void keys_load(void)
{
	DIR *d = opendir("control/dkim");
	struct dirent *e;
	if (!d) {
		if (errno == ENOENT) return;
		quit(EX_CONTROL, "cannot read control/dkim", "");
	}
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && domain_ok(e->d_name)) key_load(e->d_name);
	closedir(d);
}

/* The group that let us read the keys goes for good (saved id too). */
static void privilege_drop(void)
{
	gid_t g = getgid();
	if (setresgid(g, g, g) < 0) quit(EX_BUG, "cannot give up the group", "");
}

/* The key for domain or its nearest parent that has one. */
static const struct key *key_find(const char *domain)
{
	while (domain && *domain) {
		size_t i;
		for (i = 0; i < nkeys; i++)
			if (!strcasecmp(keys[i].domain.s, domain)) return &keys[i];
		domain = strchr(domain, '.');
		if (domain) domain++;
	}
	return NULL;
}

static unsigned long long databytes(void)
{
	unsigned long long n;
	if (control_read_ulong(&n, "control/databytes", DATABYTES_DEFAULT) < 0) _exit(EX_CONTROL);
	return n == 0 || n > DATABYTES_HARD ? DATABYTES_HARD : n;
}

/* The message text read so far and its fields; a first body line that
   came without an empty line before it. */
static str head = STR_INIT, first_body = STR_INIT;
static struct dkim_field *fields;
static size_t nfields, afields;

/* Reads the header section (up to the empty line, kept in head) into
   fields. 1 at the empty line, 0 at end of input (no body). */
static int header_read(buffer *in)
{
	str line = STR_INIT;
	for (;;) {
		int r = line_read(in, &line, '\n', LINE_MAX_BYTES);
		if (r == -1) _exit(EX_READ);
		if (r == LINE_TOO_LONG) quit(EX_TOOBIG, "a header line over 64 KiB", "");
		if (line.len == 0) return 0;
		if (head.len + line.len > HEADER_MAX) quit(EX_TOOBIG, "a header over 1 MiB", "");
		if ((line.len == 1 || (line.len == 2 && line.s[0] == '\r')) && line.s[line.len - 1] == '\n') {
			if (str_cat(&head, &line) < 0) _exit(EX_NOMEM);
			return 1;
		}
		if ((line.s[0] == ' ' || line.s[0] == '\t') && nfields > 0)
			fields[nfields - 1].len += line.len;   /* a folded line */
		else if (headers_name_len(line.s, line.len)) {
			if (nfields >= DKIM_FIELDS_MAX) quit(EX_TOOBIG, "more than 10000 header fields", "");
			if (VEC_READY(fields, afields, nfields + 1) < 0) _exit(EX_NOMEM);
			fields[nfields].off = head.len;
			fields[nfields++].len = line.len;
		} else {
			/* not a field: the body has begun without an empty line */
			if (str_copy(&first_body, &line) < 0) _exit(EX_NOMEM);
			return 1;
		}
		if (str_cat(&head, &line) < 0) _exit(EX_NOMEM);
		if (r == 0) return 0;
	}
}

/* The domain of the first From: address, lower case, or "". */
static void from_domain(str *out)
{
	str addrs = STR_INIT;
	size_t i, nl;
	out->len = 0;
	for (i = 0; i < nfields; i++) {
		const char *f = head.s + fields[i].off;
		nl = headers_name_len(f, fields[i].len);
		if (nl == 5 && headers_is(f, fields[i].len, "from")) break;
	}
	if (i < nfields && headers_addresses(head.s + fields[i].off + nl, fields[i].len - nl, &addrs) > 0) {
		const char *at = memrchr(addrs.s, '@', strlen(addrs.s));
		if (at && str_copys(out, at + 1) < 0) _exit(EX_NOMEM);
	}
	if (str_0(out) < 0) _exit(EX_NOMEM);
	str_lower(out);
	str_free(&addrs);
}

static void sha_emit(void *ctx, const char *s, size_t len)
{
	br_sha256_update(ctx, s, len);
}

/* Copies the rest of in to fd (the body), through the canonicalizer into
   the body hash when sha is not NULL; at most max bytes in all. */
static void body_copy(buffer *in, int fd, br_sha256_context *sha, unsigned long long max,
                      unsigned long long have)
{
	struct dkim_body canon;
	dkim_body_init(&canon, sha_emit, sha);
	have += first_body.len;
	if (have <= max && io_write_all(fd, first_body.s, first_body.len) < 0) _exit(EX_WRITE);
	if (sha) dkim_body_feed(&canon, first_body.s, first_body.len);
	for (;;) {
		ssize_t r = buffer_feed(in);
		if (r < 0) _exit(EX_READ);
		if (r == 0) break;
		have += buffer_held(in);
		if (have <= max) {
			if (io_write_all(fd, buffer_peek(in), buffer_held(in)) < 0) _exit(EX_WRITE);
			if (sha) dkim_body_feed(&canon, buffer_peek(in), buffer_held(in));
		}
		buffer_skip(in, buffer_held(in));
	}
	if (have > max) quit(EX_TOOBIG, "message over the size ceiling", "");
	if (sha) dkim_body_end(&canon);
}

static void b64(str *out, const void *p, size_t len)
{
	out->len = 0;
	if (base64_encode(out, p, len) < 0 || str_0(out) < 0) _exit(EX_NOMEM);
}

/* Signs for k: the finished field goes to sig, exactly reserved bytes. */
static void sign(const struct key *k, const str *hlist, unsigned long long t, const char *bh,
                 size_t reserved, str *sig)
{
	const br_rsa_private_key *sk = br_skey_decoder_get_rsa(&k->k.dc);
	unsigned char hash[32], rsa[512];
	size_t rlen = (sk->n_bitlen + 7) / 8;
	str data = STR_INIT, b = STR_INIT;
	struct dkim_sig s = { k->domain.s, k->selector.s, t, hlist->s, bh, "" };
	br_sha256_context sha;
	if (rlen > sizeof rsa) quit(EX_CONTROL, "key over 4096 bits for ", k->domain.s);
	sig->len = 0;
	if (dkim_signed_headers(&data, head.s, fields, nfields, hlist->s, hlist->len) < 0 ||
	    dkim_sig_field(sig, &s) < 0 || dkim_canon_header(&data, sig->s, sig->len) < 0)
		_exit(EX_NOMEM);
	data.len -= 2;   /* the signature field is hashed without its CRLF */
	br_sha256_init(&sha);
	br_sha256_update(&sha, data.s, data.len);
	br_sha256_out(&sha, hash);
	if (!br_rsa_pkcs1_sign_get_default()(BR_HASH_OID_SHA256, hash, sizeof hash, sk, rsa))
		quit(EX_CONTROL, "RSA signing failed for ", k->domain.s);
	b64(&b, rsa, rlen);
	s.b = b.s;
	sig->len = 0;
	if (dkim_sig_field(sig, &s) < 0) _exit(EX_NOMEM);
	if (sig->len != reserved) quit(EX_BUG, "signature length changed", "");
	str_free(&data);
	str_free(&b);
}

/* The length of the finished field, from placeholders of its parts. */
static size_t sig_length(const struct key *k, const str *hlist, unsigned long long t, str *tmp)
{
	const br_rsa_private_key *sk = br_skey_decoder_get_rsa(&k->k.dc);
	size_t blen = ((sk->n_bitlen + 7) / 8 + 2) / 3 * 4;
	str b = STR_INIT;
	struct dkim_sig s = { k->domain.s, k->selector.s, t, hlist->s,
	                      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "" };
	if (str_ready(&b, blen + 1) < 0) _exit(EX_NOMEM);
	memset(b.s, 'A', blen);
	b.s[blen] = 0;
	s.b = b.s;
	tmp->len = 0;
	if (dkim_sig_field(tmp, &s) < 0) _exit(EX_NOMEM);
	str_free(&b);
	return tmp->len;
}

static void inject(int fd)
{
	char path[4096];
	const char *next = getenv("DKIMQUEUE");
	size_t n = strlen(auto_home);
	if (lseek(fd, 0, SEEK_SET) < 0 || dup2(fd, 0) < 0) _exit(EX_WRITE);
	close(fd);
	if (!next || !*next) {
		if (n + 18 > sizeof path) _exit(EX_BUG);
		memcpy(path, auto_home, n);
		memcpy(path + n, "/bin/queue-inject", 18);
		next = path;
	}
	execl(next, next, (char *)NULL);
	quit(EX_BUG, "cannot run ", next);
}

int main(void)
{
	char space[65536];
	buffer in;
	str domain = STR_INIT, hlist = STR_INIT, sig = STR_INIT, bh = STR_INIT;
	const struct key *k = NULL;
	unsigned long long max, t = (unsigned long long)time(NULL);
	br_sha256_context sha;
	unsigned char digest[32];
	size_t reserved = 0;
	int fd, body;
	die_program = "dkim-sign";
	if (chdir(auto_home) < 0) _exit(EX_HOME);
	keys_load();
	privilege_drop();
	max = databytes();
	fd = memfd_create("dkim-sign", MFD_CLOEXEC);
	if (fd < 0) quit(EX_WRITE, "cannot create a memory file", "");
	buffer_init(&in, 0, space, sizeof space);
	body = header_read(&in);
	from_domain(&domain);
	if (domain.len) k = key_find(domain.s);
	if (k) {
		if (dkim_hlist(&hlist, head.s, fields, nfields) < 0 || str_0(&hlist) < 0) _exit(EX_NOMEM);
		reserved = sig_length(k, &hlist, t, &sig);
		if (io_write_all(fd, sig.s, sig.len) < 0) _exit(EX_WRITE);
	}
	if (head.len > max) quit(EX_TOOBIG, "message over the size ceiling", "");
	if (io_write_all(fd, head.s, head.len) < 0) _exit(EX_WRITE);
	br_sha256_init(&sha);
	if (body) body_copy(&in, fd, k ? &sha : NULL, max, head.len);
	if (k) {
		if (!body) {   /* no body at all: the canonical body is empty */
			struct dkim_body canon;
			dkim_body_init(&canon, sha_emit, &sha);
			dkim_body_end(&canon);
		}
		br_sha256_out(&sha, digest);
		b64(&bh, digest, sizeof digest);
		sign(k, &hlist, t, bh.s, reserved, &sig);
		if (pwrite(fd, sig.s, sig.len, 0) != (ssize_t)sig.len) _exit(EX_WRITE);
	}
	inject(fd);
	return EX_BUG;
}
