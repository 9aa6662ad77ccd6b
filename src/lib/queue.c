#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "auto.h"
#include "fmt.h"
#include "queue.h"
#include "scan.h"
#include "vec.h"

void queue_trailer_make(char out[QUEUE_TRAILER_LEN], unsigned long long msglen)
{
	memcpy(out, QUEUE_TRAILER_MAGIC, 7);
	fmt_ulong0(out + 7, msglen, 20);
	memcpy(out + 27, " END\n", 5);
}

int queue_trailer_parse(const char t[QUEUE_TRAILER_LEN], unsigned long long *msglen)
{
	if (memcmp(t, QUEUE_TRAILER_MAGIC, 7) != 0 || memcmp(t + 27, " END\n", 5) != 0)
		return 0;
	return scan_ulong(t + 7, 20, msglen) == 20;
}

int queue_path(str *out, const char *dir, unsigned long long id)
{
	out->len = 0;
	if (str_cats(out, dir) < 0 || str_catc(out, '/') < 0 ||
	    str_catnum(out, id % auto_split) < 0 || str_catc(out, '/') < 0 ||
	    str_catnum(out, id) < 0 || str_0(out) < 0)
		return -1;
	return 0;
}

static int clean_field(const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f) return 0;
	}
	return 1;
}

int envelope_parse(const char *buf, size_t len, struct envelope *env)
{
	size_t pos = 0, cap = 0;
	int seen_t = 0;
	memset(env, 0, sizeof *env);
	if (len < 3 || buf[len - 1] != 0 || buf[0] != 'F') return ENVELOPE_BAD;
	while (pos < len) {
		const char *rec = buf + pos, *end = memchr(rec, 0, len - pos);
		size_t rlen;
		if (!end) goto bad;
		rlen = (size_t)(end - rec);
		if (rlen == 0) {                 /* the final \0 */
			if (pos + 1 != len || !seen_t) goto bad;
			return 0;
		}
		if (!clean_field(rec + 1, rlen - 1)) goto bad;
		switch (rec[0]) {
		case 'F':
			if (pos != 0) goto bad;
			if (rlen - 1 > ENVELOPE_ADDR_MAX) goto toolong;
			env->sender = rec + 1;
			env->sender_len = rlen - 1;
			break;
		case 'E': case 'R':
			if (seen_t || rlen - 1 > ENVELOPE_PARAM_MAX) goto bad;
			if (rec[0] == 'E') { if (env->envid) goto bad; env->envid = rec + 1; }
			else { if (env->ret) goto bad; env->ret = rec + 1; }
			break;
		case 'T':
			if (rlen - 1 > ENVELOPE_ADDR_MAX) goto toolong;
			if (env->nrcpt >= ENVELOPE_RCPT_MAX) goto bad;
			if (VEC_READY(env->rcpt, cap, env->nrcpt + 1) < 0) { envelope_free(env); return -1; }
			env->rcpt[env->nrcpt].addr = rec + 1;
			env->rcpt[env->nrcpt].len = rlen - 1;
			env->rcpt[env->nrcpt].notify = NULL;
			env->rcpt[env->nrcpt].orcpt = NULL;
			env->nrcpt++;
			seen_t = 1;
			break;
		case 'N': case 'O': {
			struct envelope_rcpt *r;
			if (!seen_t || rlen - 1 > ENVELOPE_PARAM_MAX) goto bad;
			r = &env->rcpt[env->nrcpt - 1];
			if (rec[0] == 'N') { if (r->notify) goto bad; r->notify = rec + 1; }
			else { if (r->orcpt) goto bad; r->orcpt = rec + 1; }
			break;
		}
		default:
			goto bad;
		}
		pos += rlen + 1;
	}
bad:
	envelope_free(env);
	return ENVELOPE_BAD;
toolong:
	envelope_free(env);
	return ENVELOPE_TOO_LONG;
}

void envelope_free(struct envelope *env)
{
	free(env->rcpt);
	env->rcpt = NULL;
	env->nrcpt = 0;
}

static int pread_all(int fd, char *buf, size_t len, off_t off)
{
	while (len > 0) {
		ssize_t r = pread(fd, buf, len, off);
		if (r < 0) { if (errno == EINTR) continue; return -1; }
		if (r == 0) { errno = EIO; return -1; }
		buf += r;
		len -= (size_t)r;
		off += r;
	}
	return 0;
}

int queue_file_read_envelope(int fd, unsigned long long *msglen, str *raw)
{
	struct stat st;
	char t[QUEUE_TRAILER_LEN];
	unsigned long long m, elen;
	if (fstat(fd, &st) < 0) return -1;
	if (st.st_size < QUEUE_TRAILER_LEN + 3) return ENVELOPE_BAD;
	if (pread_all(fd, t, sizeof t, st.st_size - QUEUE_TRAILER_LEN) < 0) return -1;
	if (!queue_trailer_parse(t, &m)) return ENVELOPE_BAD;
	if (m > (unsigned long long)st.st_size - QUEUE_TRAILER_LEN) return ENVELOPE_BAD;
	elen = (unsigned long long)st.st_size - QUEUE_TRAILER_LEN - m;
	if (elen < 3 || elen > STR_LIMIT) return ENVELOPE_BAD;
	if (str_ready(raw, (size_t)elen + 1) < 0) return -1;
	if (pread_all(fd, raw->s, (size_t)elen, (off_t)m) < 0) return -1;
	raw->len = (size_t)elen;
	raw->s[raw->len] = 0;
	*msglen = m;
	return 0;
}
