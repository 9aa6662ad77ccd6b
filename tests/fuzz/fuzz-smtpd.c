/* libFuzzer harness for smtpd-recv's session (src/lib/smtpd_*.c): one
   input is one whole client side of a session. The first byte chooses
   the configuration (relay client, TLS offered, AUTH, limits); the rest
   is what the client sends. The hooks replace queue-inject, checkpassword
   and the TLS provider with in-memory fakes that check the invariants:
   a message that reaches "queue-inject" holds no CR (every CR LF was
   turned into LF, any bare CR refused the message) and its envelope
   parses with the queue's own strict parser. */
#include <strings.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <unistd.h>
#include "queue.h"
#include "smtpd_session.h"

static str message;
static int injecting;

static int f_pending(void *c, int ms) { return 0; }
static int f_rcpthosts(void *c, const char *d, size_t n)
{
	return (n == 11 && !strncasecmp(d, "example.com", n)) ||
	       (n >= 12 && !strncasecmp(d + n - 12, ".example.org", 12)) ||
	       (n == 9 && !strncasecmp(d, "tern.test", n));
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
	if (injecting) abort();   /* two injections at once: a session bug */
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
	size_t i;
	if (!injecting) abort();
	injecting = 0;
	for (i = 0; i < message.len; i++)
		if (message.s[i] == '\r' || message.s[i] == 0) abort();   /* smuggling defence broken */
	if (str_copyb(&full, env, n) < 0 || str_cat0(&full) < 0) abort();
	if (envelope_parse(full.s, full.len, &e) != 0) abort();
	if (e.nrcpt == 0) abort();
	envelope_free(&e);
	str_free(&full);
	return "250 2.0.0 ok";
}
static void f_abort(void *c)
{
	if (!injecting) abort();
	injecting = 0;
}
static int f_auth(void *c, const char *u, size_t ul, const char *p, size_t pl)
{
	if (ul == 4 && !memcmp(u, "temp", 4)) return -1;
	return !(ul == 4 && !memcmp(u, "good", 4) && pl == 2 && !memcmp(p, "pw", 2));
}
static int f_starttls(void *c, int *rfd, int *wfd, str *info)
{
	return str_copys(info, "TLSv1.3 TLS_AES_128_GCM_SHA256");
}
static void f_log(void *c, str *line) { line->len = 0; }
static void f_pause(void *c, unsigned int s) { }

static const struct smtpd_hooks hooks = {
	NULL, f_pending, f_rcpthosts, f_is_local, f_deliverable,
	f_start, f_put, f_finish, f_abort, f_auth, f_starttls, f_log, f_pause,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int out = -1;
	static const str bad = { (char *)"bad@x.test\0@spam.test", 22, 22 };
	struct smtpd_config c;
	unsigned flags;
	int in;
	if (size < 1) return 0;
	if (out < 0) out = open("/dev/null", O_WRONLY);
	flags = data[0];
	in = memfd_create("fuzz", 0);
	if (in < 0 || write(in, data + 1, size - 1) != (ssize_t)(size - 1)) abort();
	lseek(in, 0, SEEK_SET);
	memset(&c, 0, sizeof c);
	c.greeting = c.me = "mx.tern.test";
	c.databytes = flags & 32 ? 200 : 1 << 20;
	c.maxrcpt = 100;
	c.linelength = flags & 64 ? 0 : 1000;
	c.badmailfrom = &bad;
	c.remoteip = "192.0.2.1";
	c.remotehost = flags & 128 ? "host(evil)\r\n" : NULL;
	c.relayclient = flags & 1 ? "" : NULL;
	c.tls_possible = !!(flags & 2);
	c.auth_program = !!(flags & 4);
	c.auth_insecure = !!(flags & 4);
	c.auth_required = !!(flags & 8);
	c.starttls_required = !!(flags & 16);
	smtpd_session_run(&c, &hooks, in, out);
	if (injecting) abort();   /* an injection left running */
	close(in);
	return 0;
}
