/* Unit test of the QMTP and QMQP sessions (src/lib/qmtpd_*.c,
   qmqpd_session.c): exact bytes in, exact responses out, with in-memory
   hooks; the example of qmtp.txt section 8 among them. */
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>
#include "qmtpd.h"
#include "check.h"

static str message, queued, envelope;
static int injected;

static int f_rcpthosts(void *c, const char *d, size_t n) { return n == 9 && !strncasecmp(d, "tern.test", 9); }
static int f_is_local(void *c, const char *a, size_t n) { return n > 10 && !strncasecmp(a + n - 10, "@tern.test", 10); }
static int f_deliverable(void *c, const char *a, size_t n) { return n >= 4 && !strncmp(a, "user", 4); }
static int f_start(void *c) { message.len = 0; return 0; }
static int f_put(void *c, const char *s, size_t n) { return str_catb(&message, s, n); }
static const char *f_finish(void *c, const char *env, size_t n)
{
	injected++;
	str_copy(&queued, &message);
	str_copyb(&envelope, env, n);
	return "250 2.0.0 ok";
}
static void f_abort(void *c) { }
static void f_log(void *c, str *line) { line->len = 0; }
static const struct qmtpd_hooks hooks = {
	NULL, f_rcpthosts, f_is_local, f_deliverable, f_start, f_put, f_finish, f_abort, f_log,
};

/* Runs one session on in; the output into out. */
static void session(int qmqp, const char *relay, const char *in, size_t len, str *out)
{
	struct qmtpd_config c;
	int i = memfd_create("in", 0), o = memfd_create("out", 0);
	char buf[4096];
	ssize_t n;
	memset(&c, 0, sizeof c);
	c.me = "mx.tern.test";
	c.databytes = 1000;
	c.maxrcpt = 100;
	c.timeout = 5;
	c.remoteip = "192.0.2.7";
	c.relayclient = relay;
	if (write(i, in, len) != (ssize_t)len) return;
	lseek(i, 0, SEEK_SET);
	injected = 0;
	if (qmqp) qmqpd_session_run(&c, &hooks, i, o);
	else qmtpd_session_run(&c, &hooks, i, o);
	n = pread(o, buf, sizeof buf, 0);
	str_copyb(out, buf, n > 0 ? (size_t)n : 0);
	close(i);
	close(o);
}

static int is(const str *x, const char *s)
{
	return x->len == strlen(s) && !memcmp(x->s, s, x->len);
}

static const char spec[] =
	"246:\nReceived: (qmail-queue invoked by uid 0); 29 Jul 1996 09:36:40 -0000\n"
	"Date: 29 Jul 1996 11:35:35 -0000\nMessage-ID: <19960729113535.375.qmail@heaven.af.mil>\n"
	"From: God@heaven.af.mil\nTo: djb@silverton.berkeley.edu (D. J. Bernstein)\n\nThis is a test.\n,"
	"24:God-DSN-37@heaven.af.mil,30:26:djb@silverton.berkeley.edu,,";

int main(void)
{
	str out = STR_INIT;
	const char *body;
	session(0, "", spec, sizeof spec - 1, &out);
	check(is(&out, "12:Kok (#2.0.0),") && injected == 1, "qmtp.txt section 8, first package");
	body = memmem(queued.s, queued.len, "Date: 29 Jul", 12);
	check(queued.len > 60 && !memcmp(queued.s, "Received: from [192.0.2.7] ([192.0.2.7])\n\tby mx.tern.test with QMTP id ", 60) &&
	      body && !memcmp(body + 159, "\nThis is a test.\n", 17), "Received line, then the message as sent");
	check(envelope.len == 54 && !memcmp(envelope.s, "FGod-DSN-37@heaven.af.mil\0Tdjb@silverton.berkeley.edu\0", 54),
	      "envelope records");
	{
		static const char two[] = "10:\rA: b\r\n\r\nc,3:a@b,21:14:user@tern.test,0:,,5:\nA: b,0:,20:16:nobody@tern.test,,";
		session(0, NULL, two, sizeof two - 1, &out);
		check(is(&out, "12:Kok (#2.0.0),33:Dempty recipient address (#5.1.3),27:Dno such user here (#5.1.1),"),
		      "two packages: K, D, D in order");
		check(queued.len > 7 && !memcmp(queued.s + queued.len - 7, "A: b\n\nc", 7) &&
		      !memchr(queued.s, '\r', queued.len), "encoding #1: CR LF became LF");
	}
	{
		static const char bad[] = "04:\nabc,3:a@b,0:,";
		session(0, "", bad, sizeof bad - 1, &out);
		check(is(&out, "49:Dmalformed netstring, closing connection (#5.5.2),") && injected == 0,
		      "leading zero: one D, nothing queued");
	}
	{
		static const char q[] = "46:18:Subject: x\n\nhello\n,3:a@b,14:user@tern.test,,";
		session(1, "", q, sizeof q - 1, &out);
		check(is(&out, "12:Kok (#2.0.0),") && injected == 1, "QMQP accepted");
		session(1, NULL, q, sizeof q - 1, &out);
		check(is(&out, "69:DQMQP is only for trusted clients (RELAYCLIENT), not for you (#5.7.1),") && injected == 0,
		      "QMQP without RELAYCLIENT: D, nothing queued");
	}
	str_free(&out); str_free(&message); str_free(&queued); str_free(&envelope);
	return failed;
}
