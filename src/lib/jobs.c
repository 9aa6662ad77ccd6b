#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "jobs.h"
#include "line.h"
#include "scan.h"
#include "vec.h"

void job_init(struct job *j) { memset(j, 0, sizeof *j); }

void job_free(struct job *j)
{
	free(j->msg);
	free(j->rcpt);
	job_init(j);
}

/* The next NUL-terminated field at buf[pos..len). 1 found (*flen = its
   length without the NUL), 0 incomplete, JOBS_BAD longer than max. */
static int field_next(const char *buf, size_t len, size_t pos, size_t max, size_t *flen)
{
	const char *z = memchr(buf + pos, 0, len - pos);
	if (!z) return len - pos > max ? JOBS_BAD : 0;
	*flen = (size_t)(z - (buf + pos));
	return *flen > max ? JOBS_BAD : 1;
}

/* A whole field of 1..JOBS_NUM_MAX decimal digits. */
static int number_ok(const char *s, size_t len, unsigned long long *out)
{
	if (len == 0 || len > JOBS_NUM_MAX) return 0;
	return scan_ulong(s, len, out) == len;
}

static int add_msg(struct job *j, const char *f, size_t flen)
{
	struct job_msg *m;
	unsigned long long id;
	if (flen < 2 || !number_ok(f + 1, flen - 1, &id)) return JOBS_BAD;
	if (j->nmsg >= JOBS_MSG_MAX) return JOBS_BAD;
	if (VEC_READY(j->msg, j->msg_a, j->nmsg + 1) < 0) return -1;
	m = &j->msg[j->nmsg++];
	m->id = id;
	m->sender = NULL;
	m->sender_len = 0;
	m->first = j->nrcpt;
	m->n = 0;
	return 0;
}

static int add_rcpt(struct job *j, const char *f, size_t flen)
{
	if (flen < 2 || j->nrcpt >= JOBS_RCPT_MAX) return JOBS_BAD;
	if (VEC_READY(j->rcpt, j->rcpt_a, j->nrcpt + 1) < 0) return -1;
	j->rcpt[j->nrcpt].addr = f + 1;
	j->rcpt[j->nrcpt].len = flen - 1;
	j->nrcpt++;
	j->msg[j->nmsg - 1].n++;
	return 0;
}

/* One field f (flen bytes) at position k of the job; 0 ok, 2 end of job. */
static int job_field(struct job *j, size_t k, const char *f, size_t flen)
{
	struct job_msg *m = j->nmsg ? &j->msg[j->nmsg - 1] : NULL;
	if (k == 0) {
		if (flen < 2 || f[0] != 'J' || !number_ok(f + 1, flen - 1, &j->id)) return JOBS_BAD;
		return 0;
	}
	if (k == 1) {
		if (flen < 2 || flen - 1 > JOBS_DOMAIN_MAX || f[0] != 'D') return JOBS_BAD;
		j->domain = f + 1;
		j->domain_len = flen - 1;
		return 0;
	}
	if (flen == 0) return (m && m->sender && m->n) ? 2 : JOBS_BAD;
	if (m && !m->sender) {
		if (f[0] != 'S') return JOBS_BAD;
		m->sender = f + 1;
		m->sender_len = flen - 1;
		return 0;
	}
	if (f[0] == 'M' && (!m || m->n)) return add_msg(j, f, flen);
	if (f[0] == 'R' && m) return add_rcpt(j, f, flen);
	return JOBS_BAD;
}

int jobs_parse(const char *buf, size_t len, struct job *j, size_t *used)
{
	size_t pos = 0, k, flen = 0;
	int r;
	j->id = 0; j->domain = NULL; j->domain_len = 0; j->nmsg = 0; j->nrcpt = 0;
	for (k = 0;; k++) {
		if (pos >= len) return 0;
		r = field_next(buf, len, pos, 1 + JOBS_ADDR_MAX, &flen);
		if (r != 1) return r;
		r = job_field(j, k, buf + pos, flen);
		pos += flen + 1;
		if (r == 2) { *used = pos; return 1; }
		if (r != 0) return r;
	}
}

int jobs_read(buffer *b, str *raw, struct job *j)
{
	str field = STR_INIT;
	size_t used = 0, nfield = 0;
	int r;
	raw->len = 0;
	for (;;) {
		r = line_read(b, &field, 0, 2 + JOBS_ADDR_MAX);
		if (r == -1) break;
		if (r == LINE_TOO_LONG) { r = JOBS_BAD; break; }
		if (r == 0) { r = (nfield == 0 && field.len == 0) ? 0 : JOBS_BAD; break; }
		if (str_cat(raw, &field) < 0) { r = -1; break; }
		nfield++;
		if (field.len == 1) {   /* the empty field ends a job */
			r = jobs_parse(raw->s, raw->len, j, &used);
			if (r == 0 || (r == 1 && used != raw->len)) r = JOBS_BAD;
			break;
		}
	}
	str_free(&field);
	return r;
}

static int put_field(str *out, char letter, const char *s, size_t len)
{
	if (letter && str_catc(out, letter) < 0) return -1;
	if (str_catb(out, s, len) < 0) return -1;
	return str_cat0(out);
}

static int put_num(str *out, char letter, unsigned long long n)
{
	if (letter && str_catc(out, letter) < 0) return -1;
	if (str_catnum(out, n) < 0) return -1;
	return str_cat0(out);
}

int jobs_job_begin(str *out, unsigned long long jobid, const char *domain, size_t len)
{
	if (put_num(out, 'J', jobid) < 0) return -1;
	return put_field(out, 'D', domain, len);
}

int jobs_job_msg(str *out, unsigned long long msgid, const char *sender, size_t len)
{
	if (put_num(out, 'M', msgid) < 0) return -1;
	return put_field(out, 'S', sender, len);
}

int jobs_job_rcpt(str *out, const char *addr, size_t len) { return put_field(out, 'R', addr, len); }
int jobs_job_end(str *out) { return str_cat0(out); }

int jobs_report(str *out, unsigned long long jobid, unsigned long long msgid,
                unsigned long long index, char status, const char *text, size_t len)
{
	size_t i, start;
	if (put_num(out, 'R', jobid) < 0 || put_num(out, 0, msgid) < 0 ||
	    put_num(out, 0, index) < 0 || str_catc(out, status) < 0)
		return -1;
	if (len > JOBS_TEXT_MAX) len = JOBS_TEXT_MAX;
	start = out->len;
	if (str_catb(out, text, len) < 0) return -1;
	for (i = start; i < out->len; i++) {
		unsigned char c = (unsigned char)out->s[i];
		if (c < 0x20 || c == 0x7f) out->s[i] = ' ';
	}
	return str_cat0(out);
}

int jobs_report_s(str *out, unsigned long long jobid, unsigned long long msgid,
                  unsigned long long index, char status, const char *text)
{
	return jobs_report(out, jobid, msgid, index, status, text, strlen(text));
}

int jobs_end(str *out, unsigned long long jobid) { return put_num(out, 'E', jobid); }

/* A numeric report field at *pos, after skip letters (1 for R/E). */
static int report_num(const char *buf, size_t len, size_t *pos, int skip, unsigned long long *n)
{
	size_t flen = 0;
	int r;
	if (*pos >= len) return 0;
	r = field_next(buf, len, *pos, JOBS_NUM_MAX + 1, &flen);
	if (r != 1) return r;
	if (flen < (size_t)skip + 1 || !number_ok(buf + *pos + skip, flen - (size_t)skip, n))
		return JOBS_BAD;
	*pos += flen + 1;
	return 1;
}

int jobs_report_parse(const char *buf, size_t len, struct job_report *rep, size_t *used)
{
	size_t pos = 0, flen = 0;
	int r;
	if (len == 0) return 0;
	rep->kind = buf[0];
	if (rep->kind != 'R' && rep->kind != 'E') return JOBS_BAD;
	if ((r = report_num(buf, len, &pos, 1, &rep->jobid)) != 1) return r;
	if (rep->kind == 'E') { *used = pos; return 1; }
	if ((r = report_num(buf, len, &pos, 0, &rep->msgid)) != 1) return r;
	if ((r = report_num(buf, len, &pos, 0, &rep->index)) != 1) return r;
	if (pos >= len) return 0;
	r = field_next(buf, len, pos, 1 + JOBS_TEXT_MAX, &flen);
	if (r != 1) return r;
	if (flen < 1) return JOBS_BAD;
	rep->status = buf[pos];
	if (rep->status != 'K' && rep->status != 'Z' && rep->status != 'D') return JOBS_BAD;
	rep->text = buf + pos + 1;
	rep->text_len = flen - 1;
	*used = pos + flen + 1;
	return 1;
}
