/* smtpd-recv: the ESMTP receiver (DESIGN.md §6, doc/smtpd-recv.md).
   Runs under tcpserver (optionally tls-server) as tern-recv, speaks SMTP
   on fd 0/1 and hands each message to queue-inject. The protocol is in
   src/lib/smtpd_*.c; this file reads the configuration and connects the
   session's hooks to the world: queue-inject, checkpassword, the TLS
   provider, the recipient database. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "buffer.h"
#include "control.h"
#include "die.h"
#include "io.h"
#include "logline.h"
#include "qinject.h"
#include "rcpthosts.h"
#include "recipient.h"
#include "scan.h"
#include "smtpd_session.h"
#include "str.h"
#include "tlsctl.h"

#define DEFAULT_DATABYTES (50ULL * 1024 * 1024)
#define HARD_DATABYTES (1024ULL * 1024 * 1024)   /* as queue-inject's */
#define DEFAULT_TIMEOUT 1200
#define MIN_MAXRCPT 100
#define MIN_LINELENGTH 1000

struct world {
	int rfd;
	int ctlfd;                    /* SSLCTLFD, -1 if none */
	int readfd, writefd;          /* SSLREADFD, SSLWRITEFD */
	struct rcpthosts rcpthosts;
	struct qinject q;
	buffer qbuf;
	char qspace[8192];
	int qbroken;                  /* a write to queue-inject failed */
	str authargv;                 /* control/authprogram's first line */
	str tmp;
};

static struct world w;

static int hook_pending(void *ctx, int ms)
{
	return io_wait(w.rfd, POLLIN, ms) == 1;
}

static int hook_is_local(void *ctx, const char *addr, size_t len)
{
	int r = recipient_classify(addr, len, &w.tmp);
	return r < 0 ? -1 : r == RECIPIENT_LOCAL;
}

/* Without rcpthosts nothing may be relayed; local domains still work. */
static int hook_rcpthosts(void *ctx, const char *domain, size_t len)
{
	str a = STR_INIT;
	int r;
	if (w.rcpthosts.present) return rcpthosts_match(&w.rcpthosts, domain, len);
	if (str_copys(&a, "postmaster@") < 0 || str_catb(&a, domain, len) < 0) return -1;
	r = hook_is_local(ctx, a.s, a.len);
	str_free(&a);
	return r;
}

static int hook_deliverable(void *ctx, const char *addr, size_t len)
{
	return recipient_deliverable(addr, len);
}

static int hook_inject_start(void *ctx)
{
	if (qinject_start(&w.q) < 0) return -1;
	buffer_init(&w.qbuf, w.q.msgfd, w.qspace, sizeof w.qspace);
	w.qbroken = 0;
	return 0;
}

static int hook_inject_put(void *ctx, const char *s, size_t len)
{
	if (buffer_put(&w.qbuf, s, len) < 0) { w.qbroken = 1; return -1; }
	return 0;
}

/* Replays the session's envelope records into qinject. */
static const char *hook_inject_finish(void *ctx, const char *env, size_t len)
{
	size_t i = 0;
	int r = 0;
	if (!w.qbroken && buffer_flush(&w.qbuf) < 0) w.qbroken = 1;
	while (i < len && r == 0) {
		size_t n = strlen(env + i);
		char letter = env[i];
		if (letter == 'F') r = qinject_sender(&w.q, env + i + 1, n - 1);
		else if (letter == 'T') r = qinject_recipient(&w.q, env + i + 1, n - 1);
		else r = qinject_record(&w.q, letter, env + i + 1, n - 1);
		i += n + 1;
	}
	if (r < 0) {
		qinject_abort(&w.q);
		return "451 4.3.0 out of memory";
	}
	return qinject_reply(qinject_finish(&w.q), NULL);
}

static void hook_inject_abort(void *ctx)
{
	qinject_abort(&w.q);
}

/* argv from control/authprogram's first line (split on spaces), then
   /bin/true: what checkpassword runs after a success. */
static void auth_child(int fd)
{
	char *argv[34];
	size_t argc = 0, i = 0;
	int null = open("/dev/null", O_RDONLY);
	while (i < w.authargv.len && argc < 32) {
		while (i < w.authargv.len && w.authargv.s[i] == ' ') w.authargv.s[i++] = 0;
		if (i >= w.authargv.len) break;
		argv[argc++] = w.authargv.s + i;
		while (i < w.authargv.len && w.authargv.s[i] != ' ') i++;
	}
	argv[argc++] = (char *)"/bin/true";
	argv[argc] = NULL;
	/* The program must never see or write to the SMTP connection. */
	if (null < 0 || dup2(null, 0) < 0 || dup2(2, 1) < 0 || dup2(fd, 3) < 0) _exit(111);
	execv(argv[0], argv);
	_exit(111);
}

static int hook_auth_check(void *ctx, const char *user, size_t ulen,
                           const char *pass, size_t plen)
{
	str in = STR_INIT;
	int p[2], status, r;
	pid_t pid;
	if (w.authargv.len == 0 || pipe(p) < 0) return -1;
	pid = fork();
	if (pid < 0) { close(p[0]); close(p[1]); return -1; }
	if (pid == 0) { close(p[1]); auth_child(p[0]); }
	close(p[0]);
	r = str_catb(&in, user, ulen) < 0 || str_cat0(&in) < 0 || str_catb(&in, pass, plen) < 0 ||
	    str_cat0(&in) < 0 || str_cat0(&in) < 0 ? -1 : 0;
	if (r == 0) r = io_write_all(p[1], in.s, in.len);
	if (in.s) memset(in.s, 0, in.a);
	str_free(&in);
	close(p[1]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) return -1;
	if (!WIFEXITED(status)) return -1;
	if (WEXITSTATUS(status) == 0) return r < 0 ? -1 : 0;
	return WEXITSTATUS(status) == 1 ? 1 : -1;
}

/* UCSPI-TLS: 'Y' on the control fd; the provider answers with one line
   "<protocol> <cipher>[ sni=<name>]\n" once the handshake is done, or
   closes the control fd if it failed (src/lib/tlsctl.h). */
static int hook_starttls(void *ctx, int *rfd, int *wfd, str *info)
{
	char buf[TLSCTL_LINE_MAX];
	struct tlsctl_info ti;
	size_t n = 0;
	if (w.ctlfd < 0 || io_write_all(w.ctlfd, "Y", 1) < 0) return -1;
	while (n < sizeof buf) {
		ssize_t r = io_read(w.ctlfd, buf + n, sizeof buf - n);
		if (r <= 0) return -1;
		n += (size_t)r;
		if (buf[n - 1] == '\n') break;
	}
	if (!tlsctl_line_parse(buf, n, &ti)) return -1;
	if (str_copys(info, ti.protocol) < 0 || str_catc(info, ' ') < 0 || str_cats(info, ti.cipher) < 0)
		return -1;
	/* The cleartext pipes replace the network fds, so no child can
	   ever talk to the peer unencrypted. */
	if (dup2(w.readfd, 0) < 0 || dup2(w.writefd, 1) < 0) return -1;
	close(w.readfd);
	close(w.writefd);
	close(w.ctlfd);
	w.ctlfd = -1;
	w.rfd = *rfd = 0;
	*wfd = 1;
	return 0;
}

static void hook_log(void *ctx, str *line)
{
	logline_emit(line);
}

static void hook_pause(void *ctx, unsigned int seconds)
{
	sleep(seconds);
}

static const struct smtpd_hooks hooks = {
	NULL, hook_pending, hook_rcpthosts, hook_is_local, hook_deliverable,
	hook_inject_start, hook_inject_put, hook_inject_finish, hook_inject_abort,
	hook_auth_check, hook_starttls, hook_log, hook_pause,
};

static const char *env_or(const char *name, const char *dflt)
{
	const char *v = getenv(name);
	return v ? v : dflt;
}

static int env_flag(const char *name)
{
	const char *v = getenv(name);
	return v && v[0] == '1' && v[1] == 0;
}

static int env_fd(const char *name)
{
	unsigned long long n;
	const char *v = getenv(name);
	if (!v || !scan_ulong_all(v, &n) || n > 1024) return -1;
	return (int)n;
}

/* The UCSPI-TLS fds, when a provider runs us and TLS has not started. */
static void tls_env(struct smtpd_config *c, str *info)
{
	const char *proto = getenv("SSL_PROTOCOL");
	w.ctlfd = env_fd("SSLCTLFD");
	w.readfd = env_fd("SSLREADFD");
	w.writefd = env_fd("SSLWRITEFD");
	if (proto) {
		/* tls-server -Z (SMTPS): TLS is already up on fd 0/1. */
		c->tls_active = 1;
		if (str_copys(info, proto) == 0 && str_catc(info, ' ') == 0 &&
		    str_cats(info, env_or("SSL_CIPHER", "")) == 0 && str_0(info) == 0)
			c->tls_info = info->s;
		w.ctlfd = -1;
		return;
	}
	if (w.ctlfd < 0 || w.readfd < 0 || w.writefd < 0) { w.ctlfd = -1; return; }
	io_cloexec(w.ctlfd);
	io_cloexec(w.readfd);
	io_cloexec(w.writefd);
	c->tls_possible = 1;
}

struct strings { str me, greeting, badmailfrom, tlsinfo; };

/* Control files and environment. 0, or -1 (errno) on trouble reading. */
static int config(struct smtpd_config *c, struct strings *x)
{
	unsigned long long n;
	char host[256];
	memset(c, 0, sizeof *c);
	if (gethostname(host, sizeof host - 1) < 0) memcpy(host, "localhost", 10);
	host[sizeof host - 1] = 0;
	if (control_read_string(&x->me, "control/me", host) < 0 || str_0(&x->me) < 0) return -1;
	if (control_read_string(&x->greeting, "control/smtpgreeting", x->me.s) < 0 ||
	    str_0(&x->greeting) < 0) return -1;
	c->me = x->me.s;
	c->greeting = x->greeting.s;
	if (control_read_ulong(&c->databytes, "control/databytes", DEFAULT_DATABYTES) < 0) return -1;
	/* 0 is qmail's "no limit"; tern still keeps queue-inject's ceiling,
	   so the client learns it from SIZE instead of after sending it all. */
	if (c->databytes == 0 || c->databytes > HARD_DATABYTES) c->databytes = HARD_DATABYTES;
	if (control_read_ulong(&n, "control/maxrcpt", MIN_MAXRCPT) < 0) return -1;
	c->maxrcpt = n < MIN_MAXRCPT ? MIN_MAXRCPT : (unsigned long)(n > 100000 ? 100000 : n);
	if (control_read_ulong(&n, "control/timeoutsmtpd", DEFAULT_TIMEOUT) < 0) return -1;
	c->timeout = n == 0 || n > 86400 ? DEFAULT_TIMEOUT : (unsigned int)n;
	if (control_read_ulong(&n, "control/smtplinelength", MIN_LINELENGTH) < 0) return -1;
	c->linelength = n == 0 ? 0 : n < MIN_LINELENGTH ? MIN_LINELENGTH : (size_t)n;
	if (control_read_list(&x->badmailfrom, "control/badmailfrom") < 0) return -1;
	c->badmailfrom = &x->badmailfrom;
	/* str_0: execv needs the last word NUL-terminated. */
	if (control_read_line(&w.authargv, "control/authprogram") < 0 || str_0(&w.authargv) < 0) return -1;
	c->auth_program = w.authargv.len > 0;
	if (rcpthosts_init(&w.rcpthosts) < 0) return -1;
	c->remoteip = env_or("TCPREMOTEIP", "unknown");
	/* Without tcpserver's environment the peer is a local program
	   (sendmail -bs) that may write ahead: no desync checks. */
	c->lax_pipelining = getenv("TCPREMOTEIP") == NULL;
	c->remotehost = getenv("TCPREMOTEHOST");
	c->remoteinfo = getenv("TCPREMOTEINFO");
	c->localip = getenv("TCPLOCALIP");
	c->proto = getenv("PROTO");
	c->relayclient = getenv("RELAYCLIENT");
	c->auth_insecure = env_flag("SMTPAUTH_INSECURE");
	c->auth_required = env_flag("AUTH_REQUIRED");
	c->starttls_required = env_flag("STARTTLS_REQUIRED");
	if (scan_ulong_all(env_or("GREETDELAY", "0"), &n) && n <= 60000) c->greet_delay_ms = (int)n;
	tls_env(c, &x->tlsinfo);
	return 0;
}

int main(void)
{
	static struct strings x;
	struct smtpd_config c;
	int end;
	die_program = "smtpd-recv";
	/* queue-inject may exit early; its exit code tells us why. */
	signal(SIGPIPE, SIG_IGN);
	w.rfd = 0;
	if (control_chdir_home() < 0 || config(&c, &x) < 0) {
		static const char msg[] = "421 4.3.0 temporary configuration problem, try again later\r\n";
		warn_sys("cannot read the configuration", NULL);
		if (io_write_all(1, msg, sizeof msg - 1) < 0) { /* the client is gone */ }
		_exit(111);
	}
	end = smtpd_session_run(&c, &hooks, 0, 1);
	_exit(end == SMTPD_END_ERROR ? 111 : 0);
}
