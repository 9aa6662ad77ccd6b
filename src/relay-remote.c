/* relay-remote: delivers one remote job (doc/relay-remote.md).
   Job on fd 0 (doc/internals.md), reports on fd 1, log on fd 2. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include "buffer.h"
#include "control.h"
#include "dataout.h"
#include "die.h"
#include "dns.h"
#include "hostmemo.h"
#include "io.h"
#include "jobs.h"
#include "logline.h"
#include "netio.h"
#include "queue.h"
#include "smtp_reply.h"
#include "smtpauth_client.h"
#include "smtproutes.h"
#include "tlsclient.h"
#include "tlspolicy.h"

#define RELAY_MEMO "relay/timeouts"
#define RCPT_BATCH 100         /* RCPTs per pipelined write: bounds both buffers */

struct relay_msg {
	int fd;
	unsigned long long len;     /* bytes [0, len) are the message */
	time_t queued;              /* mtime of the queue file */
	int eightbit;
	int done;                   /* every recipient has its report */
};

/* The state of this one job: relay-remote is one job per process. */
static struct relay {
	str jobraw;
	struct job job;
	struct relay_msg *msg;
	char *rcpt_status;          /* 0 pending, else K, Z, D */
	size_t *rcpt_msg;           /* recipient -> message index */
	str out;                    /* reports not yet written */
	str helo, routes, memo, last_error;
	struct dns_conf dns;
	unsigned int timeout_connect, timeout_remote;
	char host[DNS_NAME_MAX + 1];   /* the relay talked to now, for reports */
	char ip[DNS_IPSTR];
	unsigned long long connect_ms, xfer_ms;
	struct smtp_ehlo ext;          /* the peer's ESMTP extensions */
	int auth_mechs;                /* SMTPAUTH_* the peer offers */
	str tlsdest, authitems, cafile;
	struct tlspolicy pol;          /* for the job's domain */
	struct smtpauth_cred cred;     /* for the smarthost, if have_cred */
	int have_cred;
	char tls[160];                 /* "" (none) or "TLSv1.2/<suite>" */
	char verified[8];              /* yes, no, pin with tls */
} R;

/* ~50 KB of record buffers: one per process, reused per connection. */
static struct tlsclient tls_client;

static void relay_flush(void);
static void relay_route(void);

/* ---- reports and log ---- */

/* Reports the result of recipient k (index into the job) once. */
static void result(size_t k, char status, const char *text, size_t len)
{
	struct job_msg *m = &R.job.msg[R.rcpt_msg[k]];
	str line = STR_INIT;
	if (R.rcpt_status[k]) return;
	R.rcpt_status[k] = status;
	if (jobs_report(&R.out, R.job.id, m->id, k - m->first, status, text, len) < 0)
		die_nomem();
	if (logline_kvs(&line, "event", "relay") == 0 &&
	    logline_kvnum(&line, "msg", m->id) == 0 &&
	    logline_kv(&line, "to", R.job.rcpt[k].addr, R.job.rcpt[k].len) == 0 &&
	    logline_kv(&line, "domain", R.job.domain, R.job.domain_len) == 0 &&
	    logline_kvs(&line, "relay", R.host[0] ? R.host : "-") == 0 &&
	    logline_kvs(&line, "ip", R.ip[0] ? R.ip : "-") == 0 &&
	    logline_kv(&line, "status", &status, 1) == 0 &&
	    logline_kv(&line, "reply", text, len) == 0 &&
	    logline_kvnum(&line, "delay", (unsigned long long)(time(NULL) - R.msg[R.rcpt_msg[k]].queued)) == 0 &&
	    logline_kvnum(&line, "connect_ms", R.connect_ms) == 0 &&
	    logline_kvnum(&line, "xfer_ms", R.xfer_ms) == 0 &&
	    logline_kvs(&line, "tls", R.tls[0] ? R.tls : "none") == 0 &&
	    logline_kvs(&line, "verified", R.tls[0] ? R.verified : "-") == 0)
		logline_emit(&line);
	str_free(&line);
}

/* "remote=host[ip] " then the reply summary or a fixed text. */
static void text_remote(str *t, const struct smtp_reply *r, const char *fixed)
{
	t->len = 0;
	if (R.ip[0] && str_catv(t, "remote=", R.host[0] ? R.host : R.ip, "[", R.ip, "] ", NULL) < 0)
		die_nomem();
	if (r ? smtp_reply_summary(r, t, 900) < 0 : str_cats(t, fixed) < 0)
		die_nomem();
}

/* 2xx delivered, 5xx permanent; anything else (4xx, or a 3xx where
   none belongs) temporary. */
static char status_of(unsigned int code) { return code / 100 == 2 ? 'K' : code / 100 == 5 ? 'D' : 'Z'; }

/* Every pending recipient of message i gets status with the reply r
   (or the fixed text). */
static void relay_message_result(size_t i, char status, const struct smtp_reply *r, const char *fixed)
{
	str t = STR_INIT;
	struct job_msg *m = &R.job.msg[i];
	text_remote(&t, r, fixed);
	for (size_t k = m->first; k < m->first + m->n; k++) result(k, status, t.s, t.len);
	R.msg[i].done = 1;
	if (R.msg[i].fd >= 0) close(R.msg[i].fd);   /* a job may hold many messages */
	R.msg[i].fd = -1;
	str_free(&t);
	relay_flush();
}

static void relay_rcpt_result(size_t k, const struct smtp_reply *r)
{
	str t = STR_INIT;
	text_remote(&t, r, NULL);
	result(k, status_of(r->code), t.s, t.len);
	str_free(&t);
}

static void relay_flush(void)
{
	if (R.out.len && io_write_all(1, R.out.s, R.out.len) < 0)
		die_temp_sys("cannot write reports", NULL);
	R.out.len = 0;
}

/* Every message not yet finished gets status and text (no remote). */
static void finish_all(char status, const char *text)
{
	R.host[0] = 0;
	R.ip[0] = 0;
	R.connect_ms = R.xfer_ms = 0;
	R.tls[0] = 0;
	for (size_t i = 0; i < R.job.nmsg; i++)
		if (!R.msg[i].done) relay_message_result(i, status, NULL, text);
}

/* ---- set-up ---- */

static void *calloc_or_die(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p) die_nomem();
	return p;
}

static void read_job(void)
{
	static char space[65536];
	buffer in;
	int r;
	buffer_init(&in, 0, space, sizeof space);
	job_init(&R.job);
	r = jobs_read(&in, &R.jobraw, &R.job);
	if (r == 0) die_temp("no job on standard input", NULL);
	if (r == JOBS_BAD) die_temp("malformed job on standard input", NULL);
	if (r < 0) die_temp_sys("cannot read job", NULL);
	R.rcpt_status = calloc_or_die(R.job.nrcpt, 1);
	R.rcpt_msg = calloc_or_die(R.job.nrcpt, sizeof *R.rcpt_msg);
	R.msg = calloc_or_die(R.job.nmsg, sizeof *R.msg);
	for (size_t i = 0; i < R.job.nmsg; i++)
		for (size_t k = 0; k < R.job.msg[i].n; k++) R.rcpt_msg[R.job.msg[i].first + k] = i;
}

static void read_control(void)
{
	unsigned long long n;
	if (control_read_string(&R.helo, "control/helohost", "") < 0) die_temp_sys("cannot read control/helohost", NULL);
	if (R.helo.len == 0 && control_read_string(&R.helo, "control/me", "localhost") < 0)
		die_temp_sys("cannot read control/me", NULL);
	if (str_0(&R.helo) < 0) die_nomem();
	if (control_read_ulong(&n, "control/timeoutconnect", 60) < 0) die_temp_sys("bad control/timeoutconnect", NULL);
	R.timeout_connect = n ? (unsigned int)(n > 3600 ? 3600 : n) : 60;
	if (control_read_ulong(&n, "control/timeoutremote", 1200) < 0) die_temp_sys("bad control/timeoutremote", NULL);
	R.timeout_remote = n ? (unsigned int)(n > 86400 ? 86400 : n) : 1200;
	if (control_read_list(&R.routes, "control/smtproutes") < 0) die_temp_sys("cannot read control/smtproutes", NULL);
	if (dns_conf_load(&R.dns, "/etc/resolv.conf") < 0) die_temp_sys("cannot read DNS settings", NULL);
	if (hostmemo_load(&R.memo, RELAY_MEMO) < 0) R.memo.len = 0;
	if (control_read_list(&R.tlsdest, "control/tlsdestinations") < 0)
		die_temp_sys("cannot read control/tlsdestinations", NULL);
	/* Mode 0640 root:tern: readable here, by nobody outside group tern. */
	if (control_read_list(&R.authitems, "control/relayauth") < 0)
		die_temp_sys("cannot read control/relayauth", NULL);
	if (control_read_line(&R.cafile, "control/tlscafile") < 0 || str_0(&R.cafile) < 0)
		die_temp_sys("cannot read control/tlscafile", NULL);
	tlsclient_init(&tls_client);
	tls_client.cafile = R.cafile.len ? R.cafile.s : NULL;
}

/* Opens message i; a message that cannot be read is deferred. */
static void open_message(size_t i)
{
	str path = STR_INIT, raw = STR_INIT;
	struct relay_msg *m = &R.msg[i];
	struct stat st;
	char chunk[65536];
	unsigned long long off = 0;
	m->fd = -1;
	m->queued = time(NULL);
	if (queue_path(&path, "queue/mess", R.job.msg[i].id) < 0) die_nomem();
	m->fd = open(path.s, O_RDONLY | O_CLOEXEC);
	if (m->fd < 0 || fstat(m->fd, &st) < 0 || queue_file_read_envelope(m->fd, &m->len, &raw) != 0) {
		warn_sys("cannot read ", path.s, NULL);
		relay_message_result(i, 'Z', NULL, "4.3.0 cannot read the queued message");
		goto done;
	}
	m->queued = st.st_mtime;
	/* 8BITMIME needs to know before MAIL whether the body has 8-bit bytes. */
	while (off < m->len && !m->eightbit) {
		size_t want = m->len - off < sizeof chunk ? (size_t)(m->len - off) : sizeof chunk;
		ssize_t r = pread(m->fd, chunk, want, (off_t)off);
		if (r <= 0) { relay_message_result(i, 'Z', NULL, "4.3.0 cannot read the queued message"); break; }
		m->eightbit = dataout_has_8bit(chunk, (size_t)r);
		off += (size_t)r;
	}
done:
	str_free(&path);
	str_free(&raw);
}

/* ---- the SMTP session ---- */

static void copy_name(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);
	if (n >= size) n = size - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

static unsigned long long ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (unsigned long long)((t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000);
}

/* Remembers why this address did not work, for the final deferral. */
static void note_error(const struct smtp_reply *r, const char *fixed)
{
	str line = STR_INIT;
	text_remote(&R.last_error, r, fixed);
	if (str_0(&R.last_error) < 0) die_nomem();
	if (logline_kvs(&line, "event", "relay-try") == 0 &&
	    logline_kv(&line, "domain", R.job.domain, R.job.domain_len) == 0 &&
	    logline_kvs(&line, "relay", R.host[0] ? R.host : "-") == 0 &&
	    logline_kvs(&line, "ip", R.ip) == 0 &&
	    logline_kv(&line, "reply", R.last_error.s, R.last_error.len) == 0 &&
	    logline_kvnum(&line, "connect_ms", R.connect_ms) == 0)
		logline_emit(&line);
	str_free(&line);
}

static int command(struct netio *io, struct smtp_reply *r, const char *a, const char *b)
{
	str c = STR_INIT;
	int k = -1;
	if (str_catv(&c, a, b, "\r\n", NULL) == 0 && netio_write(io, c.s, c.len) == 0)
		k = netio_reply(io, r);
	str_free(&c);
	return k;
}

/* Greeting, then EHLO (HELO after a 5xx to EHLO). 0 ready, -1 move on. */
static int session_open(struct netio *io, struct smtp_reply *r)
{
	if (netio_reply(io, r) != 0) { note_error(NULL, "4.4.2 no greeting (connection lost, time-out or protocol error)"); return -1; }
	if (r->code / 100 != 2) { note_error(r, NULL); return -1; }
	if (command(io, r, "EHLO ", R.helo.s) != 0) { note_error(NULL, "4.4.2 connection lost after EHLO"); return -1; }
	if (r->code / 100 == 2) { smtp_ehlo_parse(r, &R.ext); R.auth_mechs = smtpauth_offered(r); return 0; }
	if (r->code / 100 != 5) { note_error(r, NULL); return -1; }
	memset(&R.ext, 0, sizeof R.ext);
	R.auth_mechs = 0;
	if (command(io, r, "HELO ", R.helo.s) != 0) { note_error(NULL, "4.4.2 connection lost after HELO"); return -1; }
	if (r->code / 100 != 2) { note_error(r, NULL); return -1; }
	return 0;
}

/* note_error with "4.7.5 <what>: <why>". */
static void note_tls_error(const char *what, const char *why)
{
	str t = STR_INIT;
	if (str_catv(&t, "4.7.5 ", what, why ? ": " : "", why ? why : "", NULL) < 0 || str_0(&t) < 0)
		die_nomem();
	note_error(NULL, t.s);
	str_free(&t);
}

/* AUTH to a smarthost with credentials from control/relayauth: only
   under TLS unless the domain's policy says cleartext-auth. 0 go on,
   -1 move on (or, after a 5xx, every message has failed). */
static int session_auth(struct netio *io, struct smtp_reply *r, int tls_on)
{
	str t = STR_INIT;
	if (!R.have_cred) return 0;
	if (!tls_on && !R.pol.cleartext_auth) {
		note_error(NULL, "4.7.0 no TLS with the relay host: not sending the AUTH password in cleartext");
		return -1;
	}
	if (!R.auth_mechs) return 0;         /* the peer may relay for us anyway; doc/relay-remote.md */
	if (smtpauth_run(io, R.auth_mechs, &R.cred, r) < 0) {
		note_error(NULL, "4.4.2 connection lost or protocol error during AUTH");
		return -1;
	}
	if (r->code / 100 == 2) return 0;
	if (r->code / 100 != 5) { note_error(r, NULL); return -1; }
	/* Wrong credentials will not get better by retrying elsewhere. */
	if (smtp_reply_summary(r, &t, 800) < 0 || str_cats(&t, " (AUTH refused)") < 0 || str_0(&t) < 0)
		die_nomem();
	for (size_t i = 0; i < R.job.nmsg; i++)
		if (!R.msg[i].done) relay_message_result(i, 'D', NULL, t.s);
	str_free(&t);
	(void)command(io, r, "QUIT", "");
	return -1;
}

#define RETRY_CLEAR 1

/* STARTTLS as the domain's policy says (doc/relay-remote.md), EHLO
   again under TLS, then AUTH. 0 go on; -1 move on to the next address;
   RETRY_CLEAR: the handshake failed under "may": the same address again
   in cleartext on a new connection (Postfix does the same). */
static int session_secure(struct netio *io, struct smtp_reply *r, const char *host, int clear)
{
	static const int mode[] = { 0, TLSCLIENT_MAY, TLSCLIENT_ENCRYPT, TLSCLIENT_VERIFY, TLSCLIENT_PIN };
	int required = R.pol.level >= TLSPOLICY_ENCRYPT, k;
	str d = STR_INIT;
	if (R.pol.level == TLSPOLICY_NONE || clear) return session_auth(io, r, 0);
	if (!R.ext.starttls) {
		if (!required) return session_auth(io, r, 0);
		note_error(NULL, "4.7.5 TLS required by control/tlsdestinations but the server does not offer STARTTLS");
		return -1;
	}
	if (command(io, r, "STARTTLS", "") != 0) { note_error(NULL, "4.4.2 connection lost after STARTTLS"); return -1; }
	if (r->code != 220) {
		if (!required) return session_auth(io, r, 0);   /* refused: the session goes on in cleartext */
		note_error(r, NULL);
		return -1;
	}
	/* Anything after the 220 was not encrypted but would be read as if
	   it were: a man in the middle answering for the server. */
	if (netio_pending(io)) { note_tls_error("the server sent data after its reply to STARTTLS (injection?)", NULL); return -1; }
	k = netio_tls_start(io, &tls_client, host, mode[R.pol.level], R.pol.pins);
	if (k) {
		note_tls_error(required ? "TLS failed" : "TLS failed, retrying in cleartext", tls_client.error);
		return required ? -1 : RETRY_CLEAR;
	}
	if (tlsclient_describe(&tls_client, &d) < 0) die_nomem();
	/* "TLSv1.2 <suite> verified=yes" -> tls=TLSv1.2/<suite> verified=yes */
	if (str_0(&d) < 0) die_nomem();
	for (size_t i = 0; i < d.len; i++) {
		if (d.s[i] != ' ') continue;
		if (strncmp(d.s + i, " verified=", 10) == 0) { copy_name(R.verified, sizeof R.verified, d.s + i + 10); d.s[i] = 0; break; }
		d.s[i] = '/';
	}
	copy_name(R.tls, sizeof R.tls, d.s);
	str_free(&d);
	if (command(io, r, "EHLO ", R.helo.s) != 0) { note_error(NULL, "4.4.2 connection lost after EHLO under TLS"); return -1; }
	if (r->code / 100 != 2) { note_error(r, NULL); return -1; }
	smtp_ehlo_parse(r, &R.ext);
	R.auth_mechs = smtpauth_offered(r);
	return session_auth(io, r, 1);
}

/* The message bytes, normalised and dot-stuffed; the last chunk and the
   final dot leave in one write. 0, -1 network error, -2 local read error. */
static int send_body(struct netio *io, size_t i)
{
	static char chunk[65536];
	struct relay_msg *m = &R.msg[i];
	struct dataout d;
	str out = STR_INIT;
	unsigned long long off = 0;
	int k = 0;
	dataout_init(&d);
	while (off < m->len && k == 0) {
		size_t want = m->len - off < sizeof chunk ? (size_t)(m->len - off) : sizeof chunk;
		ssize_t n = pread(m->fd, chunk, want, (off_t)off);
		if (n <= 0) { k = -2; break; }
		off += (size_t)n;
		if (dataout_feed(&d, chunk, (size_t)n, &out) < 0) die_nomem();
		if (out.len >= sizeof chunk) {
			if (netio_write(io, out.s, out.len) < 0) k = -1;
			out.len = 0;
		}
	}
	if (k == 0 && (dataout_finish(&d, &out) < 0 || netio_write(io, out.s, out.len) < 0)) k = -1;
	str_free(&out);
	return k;
}

static int mail_command(str *c, size_t i)
{
	struct job_msg *m = &R.job.msg[i];
	c->len = 0;
	if (str_cats(c, "MAIL FROM:<") < 0 || str_catb(c, m->sender, m->sender_len) < 0 || str_catc(c, '>') < 0)
		return -1;
	if (R.ext.size && (str_cats(c, " SIZE=") < 0 || str_catnum(c, R.msg[i].len) < 0)) return -1;
	if (R.msg[i].eightbit && R.ext.eightbitmime && str_cats(c, " BODY=8BITMIME") < 0) return -1;
	return str_cats(c, "\r\n");
}

/* Sends RCPTs [from, to) (and MAIL first, DATA last when asked) in one
   write if the peer pipelines, else one by one; reads the replies.
   0 ok, -1 connection lost. */
static int envelope_batch(struct netio *io, size_t i, size_t from, size_t to, int data,
                          struct smtp_reply *mail, struct smtp_reply *r)
{
	struct job_msg *m = &R.job.msg[i];
	str c = STR_INIT;
	int k = -1, pipe = R.ext.pipelining;
	if (from == 0 && mail_command(&c, i) < 0) goto done;
	if (from == 0 && !pipe && (netio_write(io, c.s, c.len) < 0 || netio_reply(io, mail) != 0)) goto done;
	if (!pipe) c.len = 0;
	for (size_t j = from; j < to; j++) {
		const struct job_rcpt *t = &R.job.rcpt[m->first + j];
		if (str_cats(&c, "RCPT TO:<") < 0 || str_catb(&c, t->addr, t->len) < 0 || str_cats(&c, ">\r\n") < 0) goto done;
		if (pipe) continue;
		if (mail->code / 100 != 2) { c.len = 0; break; }       /* no RCPT after a failed MAIL */
		if (netio_write(io, c.s, c.len) < 0 || netio_reply(io, r) != 0) goto done;
		if (r->code / 100 != 2) relay_rcpt_result(m->first + j, r);
		c.len = 0;
	}
	if (data && str_cats(&c, "DATA\r\n") < 0) goto done;
	if (pipe && netio_write(io, c.s, c.len) < 0) goto done;
	if (pipe && from == 0 && netio_reply(io, mail) != 0) goto done;
	for (size_t j = from; pipe && j < to; j++) {
		if (netio_reply(io, r) != 0) goto done;
		if (mail->code / 100 == 2 && r->code / 100 != 2) relay_rcpt_result(m->first + j, r);
	}
	if (pipe && data && netio_reply(io, r) != 0) goto done;     /* DATA's reply */
	k = 0;
done:
	str_free(&c);
	return k;
}

static size_t accepted_count(size_t i)
{
	size_t n = 0;
	for (size_t k = R.job.msg[i].first; k < R.job.msg[i].first + R.job.msg[i].n; k++) n += !R.rcpt_status[k];
	return n;
}

/* The end of a refused transaction: RSET to be in step again. */
static int reset(struct netio *io, struct smtp_reply *r)
{
	return command(io, r, "RSET", "") == 0 && r->code / 100 == 2 ? 0 : -1;
}

/* One message in one transaction. 0: the connection is usable for the
   next message; -1: it is not (the message has its reports either way). */
static int transaction(struct netio *io, size_t i)
{
	struct smtp_reply mail, r;
	struct timespec t0;
	size_t n = R.job.msg[i].n;
	int k = -1;
	smtp_reply_init(&mail); smtp_reply_init(&r);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (R.ext.size_max && R.msg[i].len > R.ext.size_max) {
		relay_message_result(i, 'D', NULL, "5.3.4 message is larger than the remote server accepts (SIZE)");
		k = 0;
		goto done;
	}
	mail.code = 250;   /* so the non-pipelined path knows MAIL is not refused yet */
	for (size_t from = 0; from < n; from += RCPT_BATCH) {
		size_t to = n - from > RCPT_BATCH ? from + RCPT_BATCH : n;
		int data = to == n && R.ext.pipelining;
		if (envelope_batch(io, i, from, to, data, &mail, &r) < 0) goto lost;
		if (mail.code / 100 != 2) {
			relay_message_result(i, status_of(mail.code), &mail, NULL);
			k = reset(io, &r);
			goto done;
		}
	}
	if (!R.ext.pipelining && accepted_count(i) > 0 && command(io, &r, "DATA", "") != 0) goto lost;
	if (accepted_count(i) == 0) {
		/* Every RCPT was refused; a peer that still said 354 gets an
		   empty message, which it must drop for lack of recipients. */
		if (R.ext.pipelining && r.code == 354 && (netio_write(io, ".\r\n", 3) < 0 || netio_reply(io, &r) != 0)) goto lost;
		relay_message_result(i, 'Z', NULL, "4.0.0 no recipient accepted");
		k = reset(io, &r);
		goto done;
	}
	if (r.code != 354) {
		relay_message_result(i, r.code >= 500 ? 'D' : 'Z', &r, NULL);
		k = reset(io, &r);
		goto done;
	}
	k = send_body(io, i);
	if (k == -2) { relay_message_result(i, 'Z', NULL, "4.3.0 cannot read the queued message"); k = -1; goto done; }
	if (k < 0 || netio_reply(io, &r) != 0) goto lost;
	R.xfer_ms = ms_since(&t0);
	relay_message_result(i, r.code / 100 == 2 ? 'K' : r.code >= 500 ? 'D' : 'Z', &r, NULL);
	k = 0;
	goto done;
lost:
	relay_message_result(i, 'Z', NULL, "4.4.2 connection lost, timed out or protocol error during the transaction");
	k = -1;
done:
	smtp_reply_free(&mail); smtp_reply_free(&r);
	return k;
}

static int all_done(void)
{
	for (size_t i = 0; i < R.job.nmsg; i++) if (!R.msg[i].done) return 0;
	return 1;
}

/* Talks to one address; every message still pending goes over it.
   clear: no STARTTLS. RETRY_CLEAR when the address deserves another
   connection without TLS, else 0. */
static int try_address(const char *host, const struct dns_addr *a, unsigned int port, int clear)
{
	struct sockaddr_storage ss;
	struct smtp_reply r;
	struct netio io;
	struct timespec t0;
	socklen_t len;
	int fd, k = 0;
	memset(&ss, 0, sizeof ss);
	if (a->family == AF_INET) {
		struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
		v4->sin_family = AF_INET; v4->sin_port = htons((uint16_t)port);
		memcpy(&v4->sin_addr, a->ip, 4); len = sizeof *v4;
	} else {
		struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
		v6->sin6_family = AF_INET6; v6->sin6_port = htons((uint16_t)port);
		memcpy(&v6->sin6_addr, a->ip, 16); len = sizeof *v6;
	}
	copy_name(R.host, sizeof R.host, host);
	dns_addr_str(a, R.ip);
	R.xfer_ms = 0;
	R.tls[0] = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fd = netio_connect((struct sockaddr *)&ss, len, R.timeout_connect);
	R.connect_ms = ms_since(&t0);
	if (fd < 0) {
		int e = errno;
		note_error(NULL, e == ETIMEDOUT ? "4.4.1 connection timed out" : "4.4.1 connection refused or unreachable");
		if (e == ETIMEDOUT) hostmemo_update(RELAY_MEMO, R.ip, time(NULL));
		return 0;
	}
	netio_init(&io, fd, R.timeout_remote);
	smtp_reply_init(&r);
	if (session_open(&io, &r) < 0) {
		if (errno == ETIMEDOUT) hostmemo_update(RELAY_MEMO, R.ip, time(NULL));
		goto out;
	}
	if (hostmemo_recent(&R.memo, R.ip, time(NULL))) hostmemo_update(RELAY_MEMO, R.ip, 0);
	k = session_secure(&io, &r, host, clear);
	if (k != 0) goto out;
	for (size_t i = 0; i < R.job.nmsg; i++)
		if (!R.msg[i].done && transaction(&io, i) < 0) goto out;
	(void)command(&io, &r, "QUIT", "");
out:
	smtp_reply_free(&r);
	close(fd);
	return k == RETRY_CLEAR && !all_done() ? RETRY_CLEAR : 0;
}

/* ---- routing ---- */

#define CAND_MAX 64
static struct cand { char host[DNS_NAME_MAX + 1]; struct dns_addr a; unsigned int port; } cand[CAND_MAX];
static size_t ncand;
static int dns_temp, dns_nx;

/* Adds the addresses of host (IPv6 first) to the candidates. */
static void resolve_host(const char *host, unsigned int port)
{
	static const uint16_t types[2] = { DNS_T_AAAA, DNS_T_A };
	struct dns_result res;
	for (int t = 0; t < 2; t++) {
		int r = dns_lookup(&R.dns, host, types[t], &res);
		if (r == DNS_NXDOMAIN) dns_nx = 1;
		if (r != DNS_OK && r != DNS_NXDOMAIN) dns_temp = 1;
		for (size_t k = 0; r == DNS_OK && k < res.naddr && ncand < CAND_MAX; k++) {
			copy_name(cand[ncand].host, sizeof cand[ncand].host, host);
			cand[ncand].a = res.addr[k];
			cand[ncand].port = port;
			ncand++;
		}
	}
}

/* Tries candidates [from, ncand): in pass 0 those that did not time out
   lately, in pass 1 only those that did (the last resort). */
static void try_candidates(size_t from, int pass)
{
	char ip[DNS_IPSTR];
	time_t now = time(NULL);
	for (size_t k = from; k < ncand && !all_done(); k++) {
		dns_addr_str(&cand[k].a, ip);
		if (hostmemo_recent(&R.memo, ip, now) != pass) continue;
		if (try_address(cand[k].host, &cand[k].a, cand[k].port, 0) == RETRY_CLEAR)
			(void)try_address(cand[k].host, &cand[k].a, cand[k].port, 1);
	}
}

/* "1.2.3.4", "::1" or "IPv6:::1" as an address. 1 ok. */
static int ip_parse(const char *s, size_t len, struct dns_addr *a)
{
	char buf[64];
	if (len >= sizeof buf) return 0;
	memcpy(buf, s, len);
	buf[len] = 0;
	if (inet_pton(AF_INET, buf, a->ip) == 1) { a->family = AF_INET; return 1; }
	if (len > 5 && strncasecmp(buf, "IPv6:", 5) == 0) memmove(buf, buf + 5, len - 4);
	if (inet_pton(AF_INET6, buf, a->ip) == 1) { a->family = AF_INET6; return 1; }
	return 0;
}

static void cand_add_literal(const struct dns_addr *a, unsigned int port)
{
	cand[ncand].a = *a;
	cand[ncand].port = port;
	cand[ncand].host[0] = 0;
	ncand++;
}

/* Credentials for the relay host of a route: control/relayauth names it
   as smtproutes does ("[ip]" for a literal). 0, or -1 malformed. */
static int route_credentials(const struct smtproute *rt)
{
	char key[sizeof rt->host + 2];
	size_t n = strlen(rt->host);
	int k;
	if (rt->literal) { key[0] = '['; memcpy(key + 1, rt->host, n); key[n + 1] = ']'; n += 2; }
	else memcpy(key, rt->host, n);
	k = smtpauth_cred_find(&R.authitems, key, n, &R.cred);
	R.have_cred = k == 1;
	return k < 0 ? -1 : 0;
}

/* smtproutes with a relay host, or a domain literal: no MX lookup.
   1 if this decided the candidates. */
static int route_fixed(const char *domain, size_t dlen, unsigned int port)
{
	struct smtproute rt;
	struct dns_addr a;
	if (smtproutes_find(&R.routes, domain, dlen, &rt) && rt.host[0]) {
		if (route_credentials(&rt) < 0) {
			finish_all('Z', "4.7.0 malformed entry for the relay host in control/relayauth");
			return 1;
		}
		if (!rt.literal) resolve_host(rt.host, rt.port);
		else if (ip_parse(rt.host, strlen(rt.host), &a)) cand_add_literal(&a, rt.port);
		return 1;
	}
	if (dlen > 2 && domain[0] == '[' && domain[dlen - 1] == ']') {
		/* "[ip]::port" in smtproutes may set the port of a literal. */
		if (ip_parse(domain + 1, dlen - 2, &a)) cand_add_literal(&a, port);
		return 1;
	}
	return 0;
}

static void relay_route(void)
{
	const char *domain = R.job.domain;
	struct dns_result mx;
	unsigned int port = 25;
	struct smtproute rt;
	int r, fixed;
	mx.nmx = 0;
	if (all_done()) return;
	if (smtproutes_find(&R.routes, domain, R.job.domain_len, &rt)) port = rt.port;
	fixed = route_fixed(domain, R.job.domain_len, port);
	if (!fixed) {
		r = dns_lookup(&R.dns, domain, DNS_T_MX, &mx);
		if (r == DNS_NXDOMAIN) { finish_all('D', "5.1.2 the recipient domain does not exist (DNS NXDOMAIN)"); return; }
		if (r != DNS_OK) { finish_all('Z', "4.4.3 temporary DNS failure looking up the MX records"); return; }
		for (size_t k = 0; k < mx.nmx; k++)
			if (mx.mx[k].name[0] == 0) { finish_all('D', "5.1.10 the recipient domain accepts no mail (null MX, RFC 7505)"); return; }
		if (mx.nmx == 0) resolve_host(domain, port);       /* implicit MX */
		for (size_t k = 0; k < mx.nmx; k++) {
			size_t from = ncand;
			resolve_host(mx.mx[k].name, port);
			try_candidates(from, 0);                       /* lazily: most mail goes to the first MX */
			if (all_done()) return;
		}
	}
	if (!mx.nmx) try_candidates(0, 0);
	try_candidates(0, 1);
	if (ncand == 0 && !all_done()) {
		/* A smarthost that does not resolve is the admin's error: wait. */
		if (fixed) finish_all('Z', "4.4.3 no address for the relay host in control/smtproutes");
		else if (dns_temp) finish_all('Z', "4.4.3 temporary DNS failure looking up the mail server's address");
		else if (mx.nmx == 0 && dns_nx) finish_all('D', "5.1.2 the recipient domain does not exist (DNS NXDOMAIN)");
		else finish_all('D', "5.4.4 no address found for the recipient domain's mail server");
	}
}

int main(void)
{
	die_program = "relay-remote";
	signal(SIGPIPE, SIG_IGN);
	if (control_chdir_home() < 0) die_temp_sys("cannot chdir to home", NULL);
	read_job();
	read_control();
	for (size_t i = 0; i < R.job.nmsg; i++) open_message(i);
	/* A policy we cannot read must not become a weaker one: wait. */
	if (tlspolicy_find(&R.tlsdest, R.job.domain, R.job.domain_len, &R.pol) < 0)
		finish_all('Z', "4.7.5 malformed entry for this domain in control/tlsdestinations");
	relay_route();
	smtpauth_cred_wipe(&R.cred);
	finish_all('Z', R.last_error.len ? R.last_error.s : "4.4.1 no route to the destination");
	relay_flush();
	return 0;
}
