#ifndef TERN_JOBS_H
#define TERN_JOBS_H
#include <stddef.h>
#include "buffer.h"
#include "str.h"
/* The manager <-> spawner protocol of doc/internals.md.

   Job (manager -> spawner):
     J<jobid>\0 D<domain>\0 ( M<msgid>\0 S<sender>\0 ( R<rcpt>\0 )+ )+ \0
   Reports (spawner -> manager):
     R<jobid>\0 <msgid>\0 <index>\0 <status><text>\0   one per recipient
     E<jobid>\0                                       job finished

   Readers are strict: an empty or overlong field, a letter out of
   order, a number that is not decimal, or too many messages/recipients
   is JOBS_BAD; the peer is then broken and the caller should treat the
   pipe as dead. Parsers work on bytes already in memory and say how
   many they used, so a spawner can feed them from a non-blocking pipe:
   keep unread bytes in a str, parse, drop `used` bytes, repeat. */

#define JOBS_BAD (-2)
#define JOBS_DOMAIN_MAX 255        /* bytes in D */
#define JOBS_ADDR_MAX 1000         /* bytes in S and R (= ENVELOPE_ADDR_MAX) */
#define JOBS_TEXT_MAX 1000         /* bytes of a report's text; longer is cut */
#define JOBS_MSG_MAX 1000          /* messages in one job */
#define JOBS_RCPT_MAX 100000       /* recipients in one job, all messages */
#define JOBS_NUM_MAX 20            /* digits of a jobid/msgid/index */

/* One message of a job: its recipients are rcpt[first .. first+n). */
struct job_msg {
	unsigned long long id;
	const char *sender;          /* NUL-terminated; "" = null sender */
	size_t sender_len;
	size_t first;
	size_t n;
};
struct job_rcpt {
	const char *addr;            /* NUL-terminated */
	size_t len;
};
/* A decoded job. Strings point into the parsed bytes, which must stay
   unchanged while the job is used. msg and rcpt are malloc'd:
   release them with job_free (job_init before first use). */
struct job {
	unsigned long long id;
	const char *domain;          /* NUL-terminated */
	size_t domain_len;
	size_t nmsg;
	struct job_msg *msg;
	size_t nrcpt;
	struct job_rcpt *rcpt;
	size_t msg_a, rcpt_a;        /* allocated lengths (internal) */
};
void job_init(struct job *j);
void job_free(struct job *j);

/* Decodes one job from buf[0..len).
   1: a whole job; *used = its length in bytes.
   0: the bytes so far are a valid beginning; read more.
   JOBS_BAD: malformed (see above).
   -1: no memory (errno). */
int jobs_parse(const char *buf, size_t len, struct job *j, size_t *used);

/* Blocking convenience for a spawner reading fd 0 through a buffer:
   reads exactly one job into raw (replacing it) and decodes it.
   1: a job; 0: clean end of input before a job began;
   JOBS_BAD: malformed or input ended inside a job; -1: read error. */
int jobs_read(buffer *b, str *raw, struct job *j);

/* Encoding a job (manager side). Appends to out; 0 or -1 (no memory). */
int jobs_job_begin(str *out, unsigned long long jobid, const char *domain, size_t len);
int jobs_job_msg(str *out, unsigned long long msgid, const char *sender, size_t len);
int jobs_job_rcpt(str *out, const char *addr, size_t len);
int jobs_job_end(str *out);

/* Report statuses. */
#define JOBS_DELIVERED 'K'
#define JOBS_TEMPORARY 'Z'
#define JOBS_PERMANENT 'D'

/* Encoding reports (spawner side). Appends to out; 0 or -1.
   Control characters in text (CR, LF, NUL, ...) become spaces and text
   is cut at JOBS_TEXT_MAX bytes, so any reply text is safe to pass. */
int jobs_report(str *out, unsigned long long jobid, unsigned long long msgid,
                unsigned long long index, char status, const char *text, size_t len);
int jobs_report_s(str *out, unsigned long long jobid, unsigned long long msgid,
                  unsigned long long index, char status, const char *text);
int jobs_end(str *out, unsigned long long jobid);

/* A decoded report (manager side). */
struct job_report {
	char kind;                   /* 'R' (one recipient) or 'E' (job end) */
	unsigned long long jobid;
	unsigned long long msgid;    /* R only */
	unsigned long long index;    /* R only */
	char status;                 /* R only: K, Z or D */
	const char *text;            /* R only: NUL-terminated, into buf */
	size_t text_len;
};
/* Decodes one report from buf[0..len); same returns as jobs_parse
   (without -1). */
int jobs_report_parse(const char *buf, size_t len, struct job_report *r, size_t *used);
#endif
