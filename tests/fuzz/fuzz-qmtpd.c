/* libFuzzer harness for qmtpd's session (src/lib/qmtpd_*.c) and, built
   as fuzz-qmqpd.c, for qmqpd's (qmqpd_session.c): one input is the whole
   client side of a session. The first byte chooses the configuration
   (relay client, small databytes and maxrcpt, queue-inject trouble); the
   rest is what the client sends. In-memory hooks replace queue-inject and check the
   invariants: the server's output is a sequence of complete netstrings
   each starting with K, Z or D (QMQP: at most one); every K answers a
   recipient of a message that "queue-inject" accepted, and there are
   exactly as many K as such recipients (QMQP: as such messages); a queued message starts with our
   Received line and holds no NUL; its envelope passes the queue's own
   strict parser; no injection is left open or run twice at once. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>
#include "netstring.h"
#include "qmtpd.h"
#include "queue.h"

#ifndef FUZZ_QMQP
#define FUZZ_QMQP 0
#endif

static str message;
static int injecting, inject_trouble;
static unsigned long queued_rcpts, queued_messages;

static int f_rcpthosts(void *c, const char *d, size_t n)
{
	if (n == 4 && !strncasecmp(d, "temp", 4)) return -1;
	return (n == 9 && !strncasecmp(d, "tern.test", n)) || (n == 11 && !strncasecmp(d, "example.com", n));
}
static int f_is_local(void *c, const char *a, size_t n)
{
	return n >= 10 && !strncasecmp(a + n - 10, "@tern.test", 10);
}
static int f_deliverable(void *c, const char *a, size_t n)
{
	if (n >= 4 && !strncmp(a, "temp", 4)) return -1;
	return n >= 4 && !strncmp(a, "user", 4);
}
static int f_start(void *c)
{
	if (injecting) abort();
	if (inject_trouble == 1) return -1;
	injecting = 1;
	message.len = 0;
	return 0;
}
static int f_put(void *c, const char *s, size_t n)
{
	if (!injecting) abort();
	if (message.len < 1 << 20 && str_catb(&message, s, n) < 0) return -1;
	return 0;
}
static const char *f_finish(void *c, const char *env, size_t n)
{
	struct envelope e;
	str full = STR_INIT;
	if (!injecting) abort();
	injecting = 0;
	if (message.len < 10 || memcmp(message.s, "Received: ", 10)) abort();
	if (memchr(message.s, 0, message.len)) abort();
	if (str_copyb(&full, env, n) < 0 || str_cat0(&full) < 0) abort();
	if (envelope_parse(full.s, full.len, &e) != 0 || e.nrcpt == 0) abort();
	str_free(&full);
	if (inject_trouble == 2) { envelope_free(&e); return "451 4.3.0 queue: temporary problem"; }
	queued_rcpts += e.nrcpt;
	queued_messages++;
	envelope_free(&e);
	return "250 2.0.0 ok";
}
static void f_abort(void *c)
{
	if (!injecting) abort();
	injecting = 0;
}
static void f_log(void *c, str *line) { line->len = 0; }

static const struct qmtpd_hooks hooks = {
	NULL, f_rcpthosts, f_is_local, f_deliverable, f_start, f_put, f_finish, f_abort, f_log,
};

/* The output: complete netstrings starting with K, Z or D; counts the Ks. */
static unsigned long responses_check(int fd, int qmqp)
{
	static char out[1 << 16];
	unsigned long k = 0, n = 0;
	ssize_t len = pread(fd, out, sizeof out, 0);
	size_t pos = 0;
	if (len < 0) abort();
	while (pos < (size_t)len) {
		const char *p;
		size_t plen, used;
		if (netstring_parse(out + pos, (size_t)len - pos, 4096, &p, &plen, &used) != NETSTRING_OK) abort();
		if (plen == 0 || (p[0] != 'K' && p[0] != 'Z' && p[0] != 'D')) abort();
		k += p[0] == 'K';
		n++;
		pos += used;
	}
	if (qmqp && n > 1) abort();
	return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const str bad = { (char *)"bad@x.test\0@spam.test", 22, 22 };
	struct qmtpd_config c;
	unsigned flags;
	int in, out, qmqp;
	if (size < 1) return 0;
	flags = data[0];
	qmqp = FUZZ_QMQP;
	in = memfd_create("in", 0);
	out = memfd_create("out", 0);
	if (in < 0 || out < 0 || write(in, data + 1, size - 1) != (ssize_t)(size - 1)) abort();
	lseek(in, 0, SEEK_SET);
	memset(&c, 0, sizeof c);
	c.me = "mx.tern.test";
	c.databytes = flags & 2 ? 100 : 1 << 20;
	c.maxrcpt = flags & 4 ? 2 : 100;
	c.timeout = 5;
	c.badmailfrom = &bad;
	c.remoteip = "192.0.2.1";
	c.remotehost = flags & 8 ? "host(evil)\r\n" : NULL;
	c.relayclient = flags & 1 ? "" : NULL;
	inject_trouble = (flags >> 4) & 3;
	queued_rcpts = queued_messages = 0;
	if (qmqp) qmqpd_session_run(&c, &hooks, in, out);
	else qmtpd_session_run(&c, &hooks, in, out);
	if (injecting) abort();
	if (responses_check(out, qmqp) != (qmqp ? queued_messages : queued_rcpts)) abort();
	close(in);
	close(out);
	return 0;
}
