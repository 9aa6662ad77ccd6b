/* tls-server: UCSPI-TLS with BearSSL (doc/tls-server.md).
   Started as root under tcpserver with the network on fd 0/1: loads the
   certificate and key, forks the program (argv) under its own uid with
   SSLCTLFD/SSLREADFD/SSLWRITEFD, drops itself to tern-tls and, when the
   program writes 'Y' on the control fd (or at once with -Z), runs the
   handshake and shuttles bytes between the network and the program. */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bearssl.h>
#include "control.h"
#include "die.h"
#include "fmt.h"
#include "io.h"
#include "logline.h"
#include "scan.h"
#include "str.h"
#include "tls_pem.h"
#include "tlsctl.h"

#define CERT_FILE "tls/servercert.pem"
#define KEY_FILE "tls/serverkey.pem"
#define TLS_USER "tern-tls"
#define DEFAULT_PROGRAM_USER "tern-recv"
#define CLOSE_WAIT_SECONDS 10

/* ECDHE only, AEAD first; the CBC-SHA256/384 pair is kept for old TLS 1.2
   clients without GCM. The list is filtered by the key type. */
static const uint16_t suites_rsa[] = {
	BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
	BR_TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
};
static const uint16_t suites_ec[] = {
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
	BR_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
};

struct ids { uid_t uid; gid_t gid; const char *name; };

struct session {
	br_ssl_server_context sc;
	unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
	int ctl;          /* our end of the control socket */
	int app_in;       /* cleartext the program writes (its SSLWRITEFD) */
	int app_out;      /* cleartext for the program (its SSLREADFD) */
	int net_eof;
	int closing;      /* close_notify queued: the program closed its side */
	int handshake_done;
	int handshake_timeout;
	int idle_timeout;
	const char *failure;  /* why the session ended badly, for the log */
};

static struct tls_chain chain;
static struct tls_key key;

static void usage(void)
{
	die_code(100, "usage: tls-server [-Z] [-u user] [-t handshake-seconds] [-i idle-seconds] program [arg ...]", NULL);
}

static int seconds_arg(const char *s)
{
	unsigned long long n;
	if (!s || !scan_ulong_all(s, &n) || n == 0 || n > 86400) usage();
	return (int)n;
}

static void log_event(const char *event, const char *detail, long err)
{
	str l = STR_INIT;
	const char *ip = getenv("TCPREMOTEIP");
	if (logline_kvs(&l, "tls", event) == 0
	    && (!ip || logline_kvs(&l, "remote", ip) == 0)
	    && (!detail || logline_kvs(&l, "reason", detail) == 0)
	    && (err < 0 || logline_kvnum(&l, "err", (unsigned long long)err) == 0))
		logline_emit(&l);
	str_free(&l);
}

static int ids_lookup(const char *name, struct ids *ids)
{
	struct passwd *pw = getpwnam(name);
	if (!pw) return -1;
	ids->uid = pw->pw_uid;
	ids->gid = pw->pw_gid;
	ids->name = name;
	return 0;
}

/* Drops root for good; nothing to do when not started as root. */
static void ids_become(const struct ids *ids)
{
	if (geteuid() != 0) return;
	if (setgroups(1, &ids->gid) < 0 || setgid(ids->gid) < 0 || setuid(ids->uid) < 0)
		die_temp_sys("cannot drop privileges to ", ids->name, NULL);
	if (setuid(0) == 0) die_temp("privileges were not dropped", NULL);
}

/* 1 loaded, 0 missing or unusable (logged). */
static int credentials_load(void)
{
	int r = tls_pem_load_chain(CERT_FILE, &chain);
	if (r != 0) {
		if (r == -1) warn_sys("cannot read ", CERT_FILE, NULL);
		else warn("no certificate in ", CERT_FILE, NULL);
		return 0;
	}
	r = tls_pem_load_key(KEY_FILE, &key);
	if (r != 0) {
		if (r == -1) warn_sys("cannot read ", KEY_FILE, NULL);
		else warn("no usable private key in ", KEY_FILE, NULL);
		tls_chain_free(&chain);
		return 0;
	}
	if (tls_chain_leaf_keytype(&chain) != key.type) {
		warn("the key in ", KEY_FILE, " does not match the certificate type", NULL);
		tls_key_wipe(&key);
		tls_chain_free(&chain);
		return 0;
	}
	return 1;
}

static void engine_setup(struct session *s)
{
	br_ssl_engine_context *eng = &s->sc.eng;
	if (key.type == BR_KEYTYPE_RSA) {
		br_ssl_server_init_full_rsa(&s->sc, chain.cert, chain.n, br_skey_decoder_get_rsa(&key.dc));
		br_ssl_engine_set_suites(eng, suites_rsa, sizeof suites_rsa / sizeof suites_rsa[0]);
	} else {
		br_ssl_server_init_full_ec(&s->sc, chain.cert, chain.n, BR_KEYTYPE_EC, br_skey_decoder_get_ec(&key.dc));
		br_ssl_engine_set_suites(eng, suites_ec, sizeof suites_ec / sizeof suites_ec[0]);
	}
	br_ssl_engine_set_versions(eng, BR_TLS12, BR_TLS12);
	br_ssl_engine_set_all_flags(eng, BR_OPT_NO_RENEGOTIATION | BR_OPT_ENFORCE_SERVER_PREFERENCES);
	br_ssl_engine_set_buffer(eng, s->iobuf, sizeof s->iobuf, 1);
	if (!br_ssl_server_reset(&s->sc)) die_temp("cannot initialise the TLS engine", NULL);
}

/* The network: fd 0 to read, fd 1 to write. MSG_DONTWAIT leaves the
   shared socket's file flags alone (the program holds the same socket). */
static ssize_t net_read(void *buf, size_t len)
{
	ssize_t r;
	do r = recv(0, buf, len, MSG_DONTWAIT); while (r < 0 && errno == EINTR);
	if (r < 0 && errno == ENOTSOCK) r = io_read(0, buf, len);
	return r;
}

static ssize_t net_write(const void *buf, size_t len)
{
	ssize_t r;
	do r = send(1, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL); while (r < 0 && errno == EINTR);
	if (r < 0 && errno == ENOTSOCK) do r = write(1, buf, len); while (r < 0 && errno == EINTR);
	return r;
}

static int again(void)
{
	return errno == EAGAIN || errno == EWOULDBLOCK;
}

static void handshake_report(struct session *s)
{
	br_ssl_engine_context *eng = &s->sc.eng;
	const char *proto = tlsctl_version_name(br_ssl_engine_get_version(eng));
	const char *cipher = tlsctl_suite_name(eng->session.cipher_suite);
	str line = STR_INIT;
	s->handshake_done = 1;
	if (tlsctl_line_make(&line, proto ? proto : "unknown", cipher ? cipher : "unknown",
	                     br_ssl_engine_get_server_name(eng)) == 0)
		(void)io_write_all(s->ctl, line.s, line.len);
	/* The line is the whole conversation on the control fd. */
	close(s->ctl);
	s->ctl = -1;
	str_free(&line);
}

static void app_out_close(struct session *s)
{
	if (s->app_out >= 0) close(s->app_out);
	s->app_out = -1;
}

/* One pass of moving bytes for the poll results. 0 go on, 1 stop. */
static int shuttle_step(struct session *s, const struct pollfd *p)
{
	br_ssl_engine_context *eng = &s->sc.eng;
	unsigned char *buf;
	size_t len;
	ssize_t r;
	if (p[0].revents) {
		buf = br_ssl_engine_sendrec_buf(eng, &len);
		r = net_write(buf, len);
		if (r > 0) br_ssl_engine_sendrec_ack(eng, (size_t)r);
		else if (r < 0 && !again()) { s->failure = "network write"; return 1; }
	}
	if (p[1].revents) {
		buf = br_ssl_engine_recvrec_buf(eng, &len);
		r = net_read(buf, len);
		if (r > 0) br_ssl_engine_recvrec_ack(eng, (size_t)r);
		else if (r == 0 || !again()) {
			s->net_eof = 1;
			if (!s->handshake_done) s->failure = "client closed during handshake";
			return 1;
		}
	}
	if (p[2].revents) {
		buf = br_ssl_engine_recvapp_buf(eng, &len);
		do r = write(s->app_out, buf, len); while (r < 0 && errno == EINTR);
		if (r > 0) br_ssl_engine_recvapp_ack(eng, (size_t)r);
		else if (r < 0 && !again()) app_out_close(s);
	}
	if (p[3].revents) {
		buf = br_ssl_engine_sendapp_buf(eng, &len);
		r = io_read(s->app_in, buf, len);
		if (r > 0) {
			br_ssl_engine_sendapp_ack(eng, (size_t)r);
			br_ssl_engine_flush(eng, 0);
		} else if (r == 0 || !again()) {
			/* The program closed its side: say close_notify, wait a little
			   for the client's, so our last reply is not lost to a reset. */
			close(s->app_in);
			s->app_in = -1;
			s->closing = 1;
			br_ssl_engine_close(eng);
		}
	}
	return 0;
}

static int poll_timeout(const struct session *s, time_t start, time_t now)
{
	int limit = s->closing ? CLOSE_WAIT_SECONDS
	          : s->handshake_done ? s->idle_timeout : s->handshake_timeout;
	time_t left = (s->handshake_done || s->closing) ? limit : start + limit - now;
	if (left <= 0) return 0;
	return (int)left * 1000;
}

/* Runs the handshake and the session until either side is done. */
static void shuttle(struct session *s)
{
	br_ssl_engine_context *eng = &s->sc.eng;
	time_t start = time(0);
	for (;;) {
		unsigned st = br_ssl_engine_current_state(eng);
		struct pollfd p[4];
		int n;
		if (st & BR_SSL_CLOSED) break;
		if ((st & BR_SSL_RECVAPP) && s->app_out < 0) {
			/* The program stopped reading: what the client sends is dropped. */
			size_t len;
			br_ssl_engine_recvapp_buf(eng, &len);
			br_ssl_engine_recvapp_ack(eng, len);
			continue;
		}
		if (!s->handshake_done && (st & (BR_SSL_SENDAPP | BR_SSL_RECVAPP))) handshake_report(s);
		p[0].fd = (st & BR_SSL_SENDREC) ? 1 : -1;
		p[0].events = POLLOUT;
		p[1].fd = (st & BR_SSL_RECVREC) && !s->net_eof ? 0 : -1;
		p[1].events = POLLIN;
		p[2].fd = (st & BR_SSL_RECVAPP) ? s->app_out : -1;
		p[2].events = POLLOUT;
		p[3].fd = (st & BR_SSL_SENDAPP) && s->handshake_done ? s->app_in : -1;
		p[3].events = POLLIN;
		for (n = 0; n < 4; n++) p[n].revents = 0;
		if (s->closing && p[0].fd < 0 && p[1].fd < 0) break;
		int t = poll_timeout(s, start, time(0));
		n = t > 0 ? poll(p, 4, t) : 0;
		if (n < 0 && errno == EINTR) continue;
		if (n < 0) { s->failure = "poll"; break; }
		if (n == 0) {
			if (!s->closing)
				s->failure = s->handshake_done ? "idle timeout" : "handshake timeout";
			break;
		}
		if (shuttle_step(s, p)) break;
	}
	unsigned err = br_ssl_engine_last_error(eng);
	if (!s->failure && err != BR_ERR_OK && !(s->net_eof && s->handshake_done))
		s->failure = s->handshake_done ? "protocol error" : "handshake failed";
	if (s->failure) log_event("fail", s->failure, (long)err);
}

/* Waits for 'Y' or 'y' on the control fd. 1 go, 0 the program is gone. */
static int wait_for_go(int ctl)
{
	char c[64];
	for (;;) {
		ssize_t r = io_read(ctl, c, sizeof c);
		if (r <= 0) return 0;
		for (ssize_t i = 0; i < r; i++)
			if (c[i] == 'Y' || c[i] == 'y') return 1;
		/* Anything else is not a command of ours: ignored, as UCSPI-TLS says. */
	}
}

static void env_fd(const char *name, int fd)
{
	char num[FMT_ULONG + 1];
	num[fmt_ulong(num, (unsigned long long)fd)] = 0;
	if (setenv(name, num, 1) < 0) die_temp_sys("cannot set ", name, NULL);
}

/* -Z: the program starts only once TLS is up, on the cleartext pipes as
   fd 0/1, with ucspi-ssl's SSL_PROTOCOL/SSL_CIPHER (and SSL_TLS_SNI). */
static void child_wait_for_tls(int ctl, int readfd, int writefd)
{
	char buf[TLSCTL_LINE_MAX];
	size_t n = 0;
	struct tlsctl_info info;
	while (n < sizeof buf) {
		ssize_t r = io_read(ctl, buf + n, sizeof buf - n);
		if (r <= 0) _exit(0);  /* handshake failed: tls-server has logged it */
		n += (size_t)r;
		if (buf[n - 1] == '\n') break;
	}
	if (!tlsctl_line_parse(buf, n, &info)) die_temp("bad control line from tls-server", NULL);
	close(ctl);
	if (dup2(readfd, 0) < 0 || dup2(writefd, 1) < 0) die_temp_sys("cannot dup2", NULL);
	close(readfd);
	close(writefd);
	if (setenv("SSL_PROTOCOL", info.protocol, 1) < 0 || setenv("SSL_CIPHER", info.cipher, 1) < 0
	    || (info.sni[0] && setenv("SSL_TLS_SNI", info.sni, 1) < 0))
		die_temp_sys("cannot set the environment", NULL);
}

/* The child: becomes the program's uid, then execs the program. fds
   [0] ctl, [1] what the program reads, [2] what it writes. */
static void child_run(char **argv, const struct ids *prog, int smtps, int tls, const int fds[3])
{
	/* Never let an outside SSL_* variable claim TLS that is not there. */
	unsetenv("SSL_PROTOCOL");
	unsetenv("SSL_CIPHER");
	unsetenv("SSL_TLS_SNI");
	if (!tls) {
		unsetenv("SSLCTLFD");
		unsetenv("SSLREADFD");
		unsetenv("SSLWRITEFD");
	}
	ids_become(prog);
	if (tls && smtps) {
		child_wait_for_tls(fds[0], fds[1], fds[2]);
	} else if (tls) {
		env_fd("SSLCTLFD", fds[0]);
		env_fd("SSLREADFD", fds[1]);
		env_fd("SSLWRITEFD", fds[2]);
	}
	execvp(argv[0], argv);
	die_temp_sys("cannot run ", argv[0], NULL);
}

/* Makes the three channels; child gets c[], parent p[] (same order). */
static void channels_make(int c[3], int p[3])
{
	int sv[2], rd[2], wr[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || pipe(rd) < 0 || pipe(wr) < 0)
		die_temp_sys("cannot make pipes", NULL);
	c[0] = sv[1]; p[0] = sv[0];
	c[1] = rd[0]; p[1] = rd[1];   /* parent writes cleartext, child reads */
	c[2] = wr[1]; p[2] = wr[0];   /* child writes cleartext, parent reads */
	if (io_cloexec(p[0]) < 0 || io_cloexec(p[1]) < 0 || io_cloexec(p[2]) < 0)
		die_temp_sys("cannot set close-on-exec", NULL);
}

static int child_wait(pid_t pid)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) return 111;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 111;
}

static struct session sess;

int main(int argc, char **argv)
{
	struct ids prog, tls_ids;
	const char *prog_user = DEFAULT_PROGRAM_USER;
	int smtps = 0, opt, c[3], p[3], tls;
	pid_t pid;
	die_program = "tls-server";
	sess.handshake_timeout = 60;
	sess.idle_timeout = 1200;
	while ((opt = getopt(argc, argv, "+Zu:t:i:")) != -1) {
		switch (opt) {
		case 'Z': smtps = 1; break;
		case 'u': prog_user = optarg; break;
		case 't': sess.handshake_timeout = seconds_arg(optarg); break;
		case 'i': sess.idle_timeout = seconds_arg(optarg); break;
		default: usage();
		}
	}
	argv += optind;
	if (!argv[0]) usage();
	signal(SIGPIPE, SIG_IGN);
	if (control_chdir_home() < 0) die_temp_sys("cannot chdir to the home", NULL);
	if (ids_lookup(prog_user, &prog) < 0) die_temp("no such user: ", prog_user, NULL);
	if (geteuid() == 0 && ids_lookup(TLS_USER, &tls_ids) < 0) die_temp("no such user: ", TLS_USER, NULL);
	tls = credentials_load();
	/* Without a certificate, STARTTLS is simply not offered; SMTPS cannot work. */
	if (!tls && smtps) die_temp("no certificate: cannot run SMTPS", NULL);
	if (!tls) child_run(argv, &prog, 0, 0, c);
	channels_make(c, p);
	pid = fork();
	if (pid < 0) die_temp_sys("cannot fork", NULL);
	if (pid == 0) {
		tls_key_wipe(&key);
		close(p[0]); close(p[1]); close(p[2]);
		child_run(argv, &prog, smtps, 1, c);
	}
	close(c[0]); close(c[1]); close(c[2]);
	ids_become(&tls_ids);
	sess.ctl = p[0];
	sess.app_out = p[1];
	sess.app_in = p[2];
	if (io_nonblock(p[1], 1) < 0 || io_nonblock(p[2], 1) < 0) die_temp_sys("cannot set non-blocking mode", NULL);
	if (smtps || wait_for_go(sess.ctl)) {
		engine_setup(&sess);
		shuttle(&sess);
	}
	if (sess.ctl >= 0) close(sess.ctl);
	app_out_close(&sess);
	if (sess.app_in >= 0) close(sess.app_in);
	/* The network goes with us; the program has no business on it after TLS. */
	close(0);
	close(1);
	tls_key_wipe(&key);
	child_wait(pid);
	return sess.failure ? 1 : 0;
}
