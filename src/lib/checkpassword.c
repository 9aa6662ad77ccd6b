#include <crypt.h>
#include <errno.h>
#include <string.h>
#include "checkpassword.h"
#include "io.h"

int checkpassword_read(int fd, struct checkpassword_input *in)
{
	size_t n = 0;
	const char *end, *p;
	in->user = in->password = 0;
	for (;;) {
		/* One byte more than allowed, to tell "exactly full" from "too long". */
		ssize_t r = io_read(fd, in->buf + n, sizeof in->buf - n);
		if (r < 0) return -1;
		if (r == 0) break;
		n += (size_t)r;
		if (n > CHECKPASSWORD_MAX) return CHECKPASSWORD_BAD;
	}
	end = in->buf + n;
	p = memchr(in->buf, 0, n);
	if (!p || p == in->buf) return CHECKPASSWORD_BAD;
	if (!memchr(p + 1, 0, (size_t)(end - p - 1))) return CHECKPASSWORD_BAD;
	in->user = in->buf;
	in->password = p + 1;
	return 0;
}

void checkpassword_wipe(struct checkpassword_input *in)
{
	explicit_bzero(in->buf, sizeof in->buf);
}

/* Only real crypt(3) hashes: "$id$..." with nothing that marks a lock. */
static int hash_usable(const char *hash)
{
	return hash[0] == '$' && strchr(hash + 1, '$') != 0;
}

int checkpassword_hash_matches(const char *password, const char *hash)
{
	struct crypt_data *cd;
	static struct crypt_data data;
	const char *out;
	size_t hl, ol, i;
	unsigned char diff = 0;
	if (!hash_usable(hash)) return 0;
	cd = &data;
	memset(cd, 0, sizeof *cd);
	out = crypt_r(password, hash, cd);
	/* libxcrypt answers an unknown method with "*0" or "*1" (or NULL). */
	if (!out || out[0] == '*') { explicit_bzero(cd, sizeof *cd); return 0; }
	hl = strlen(hash);
	ol = strlen(out);
	/* The length of a hash is no secret; its bytes are compared in full. */
	diff = hl != ol;
	for (i = 0; i < hl && i < ol; i++) diff |= (unsigned char)(hash[i] ^ out[i]);
	explicit_bzero(cd, sizeof *cd);
	return diff == 0;
}

int checkpassword_hash_make(const char *password, const char *prefix, str *out)
{
	static struct crypt_data data;
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	const char *h;
	if (!crypt_gensalt_rn(prefix, 0, 0, 0, salt, sizeof salt)) return -1;
	memset(&data, 0, sizeof data);
	h = crypt_r(password, salt, &data);
	if (!h || h[0] == '*') { errno = EINVAL; explicit_bzero(&data, sizeof data); return -1; }
	int r = str_copys(out, h) < 0 || str_0(out) < 0 ? -1 : 0;
	explicit_bzero(&data, sizeof data);
	return r;
}
