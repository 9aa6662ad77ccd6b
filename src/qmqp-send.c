/* qmqp-send: the mini-MTA (DESIGN.md §13, doc/qmqp-send.md). It speaks
   queue-inject's protocol (message on fd 0, envelope on fd 1, the same
   exit codes), so QUEUE_INJECT=qmqp-send makes a host a front end that
   keeps no queue: each message goes over QMQP to the first server of
   control/qmqpservers that takes it. It never exits 0 unless a server
   answered K for the message. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "buffer.h"
#include "control.h"
#include "date822.h"
#include "die.h"
#include "io.h"
#include "ipport.h"
#include "logline.h"
#include "netio.h"
#include "netstring.h"
#include "qmtp_wire.h"
#include "queue.h"
#include "str.h"

/* queue-inject's exit codes (doc/queue-inject.md). */
#define EX_ADDR 11
#define EX_REFUSED 31
#define EX_TOOBIG 33
#define EX_NOMEM 51
#define EX_WRITE 53
#define EX_READ 54
#define EX_CONTROL 55
#define EX_HOME 61
#define EX_DEFERRED 71
#define EX_FORMAT 91

#define DATABYTES_DEFAULT (50ULL * 1024 * 1024)
#define DATABYTES_HARD (1024ULL * 1024 * 1024)    /* queue-inject's ceiling */
#define ENVELOPE_MAX (64UL * 1024 * 1024)         /* queue-inject's */
#define SERVERS_MAX 64
#define RUN_MAX 86400                             /* seconds for the whole run */

struct job {
	int msgfd;                    /* the message, spooled */
	unsigned long long msglen;
	str received;                 /* our Received: line */
	str envelope;                 /* QMQP sender and recipients */
	unsigned int timeout_connect, timeout_remote;
};

/* Copies fd 0 into an anonymous memory file: QMQP wants the length
   first, and a pipe does not tell. Past max it reads on to the end (the
   writer is never cut off by SIGPIPE), then refuses, as queue-inject. */
static unsigned long long spool(int fd, unsigned long long max)
{
	static char chunk[65536];
	unsigned long long total = 0;
	for (;;) {
		ssize_t r = io_read(0, chunk, sizeof chunk);
		if (r < 0) die_code_sys(EX_READ, "cannot read the message", (char *)0);
		if (r == 0) break;
		total += (unsigned long long)r;
		if (total > max) continue;
		if (io_write_all(fd, chunk, (size_t)r) < 0)
			die_code_sys(errno == ENOMEM ? EX_NOMEM : EX_WRITE, "cannot spool the message", (char *)0);
	}
	if (total > max) die_code(EX_TOOBIG, "message larger than databytes", (char *)0);
	return total;
}

/* The envelope from fd 1, up to its final empty record. */
static void envelope_read(str *raw)
{
	char chunk[4096];
	int record_start = 1;
	for (;;) {
		ssize_t r = io_read(1, chunk, sizeof chunk), i;
		if (r < 0) die_code_sys(EX_READ, "cannot read the envelope", (char *)0);
		if (r == 0) die_code(EX_FORMAT, "envelope without its final NUL", (char *)0);
		for (i = 0; i < r; i++) {
			if (record_start && chunk[i] == 0) {
				if (str_catb(raw, chunk, (size_t)i + 1) < 0) die_code(EX_NOMEM, "out of memory", (char *)0);
				return;
			}
			record_start = chunk[i] == 0;
		}
		if (raw->len + (size_t)r > ENVELOPE_MAX) die_code(EX_FORMAT, "envelope too large", (char *)0);
		if (str_catb(raw, chunk, (size_t)r) < 0) die_code(EX_NOMEM, "out of memory", (char *)0);
	}
}

/* QMQP carries the sender and the recipients only: the DSN records
   (E, R, N, O) have no place in it and are dropped. */
static void envelope_build(struct job *j)
{
	static str raw, rcpts;
	struct envelope e;
	size_t i;
	int r;
	envelope_read(&raw);
	r = envelope_parse(raw.s, raw.len, &e);
	if (r == ENVELOPE_TOO_LONG) die_code(EX_ADDR, "envelope address too long", (char *)0);
	if (r == ENVELOPE_BAD) die_code(EX_FORMAT, "envelope format error", (char *)0);
	if (r < 0) die_code(EX_NOMEM, "out of memory", (char *)0);
	for (i = 0; i < e.nrcpt; i++)
		if (str_catb(&rcpts, e.rcpt[i].addr, e.rcpt[i].len) < 0 || str_cat0(&rcpts) < 0)
			die_code(EX_NOMEM, "out of memory", (char *)0);
	if (qmqp_envelope_cat(&j->envelope, e.sender, e.sender_len, rcpts.s, e.nrcpt) < 0)
		die_code(EX_NOMEM, "out of memory", (char *)0);
	envelope_free(&e);
}

/* Like queue-inject's, this line names the invoker. */
static void received_build(str *x)
{
	char date[DATE822_LEN];
	date822_fmt(date, time(NULL));
	if (str_copys(x, "Received: (qmqp-send ") < 0 || str_catnum(x, (unsigned long long)getpid()) < 0 ||
	    str_cats(x, " invoked by uid ") < 0 || str_catnum(x, (unsigned long long)getuid()) < 0 ||
	    str_catv(x, "); ", date, "\n", (char *)0) < 0)
		die_code(EX_NOMEM, "out of memory", (char *)0);
}

static unsigned int timeout_read(const char *path, unsigned long long dflt)
{
	unsigned long long n;
	if (control_read_ulong(&n, path, dflt) < 0)
		die_code_sys(EX_CONTROL, "cannot read ", path, (char *)0);
	return n == 0 || n > 86400 ? (unsigned int)dflt : (unsigned int)n;
}

static void log_attempt(const char *server, const char *what, const char *text, size_t len)
{
	str line = STR_INIT;
	logline_kvs(&line, "event", "qmqp");
	logline_kvnum(&line, "pid", (unsigned long long)getpid());
	logline_kvs(&line, "server", server);
	logline_kvs(&line, "result", what);
	if (text) logline_kv(&line, "text", text, len);
	logline_emit(&line);
	str_free(&line);
}

/* Writes the whole package. 0 or -1. */
static int package_send(const struct job *j, buffer *out)
{
	static char chunk[65536];
	str head = STR_INIT;
	unsigned long long left = j->msglen;
	int r = qmqp_head_cat(&head, j->received.len + j->msglen, j->envelope.len);
	if (r == 0) r = buffer_put(out, head.s, head.len);
	str_free(&head);
	if (r < 0 || buffer_put(out, j->received.s, j->received.len) < 0) return -1;
	if (lseek(j->msgfd, 0, SEEK_SET) < 0) return -1;
	while (left > 0) {
		ssize_t n = io_read(j->msgfd, chunk, left < sizeof chunk ? (size_t)left : sizeof chunk);
		if (n <= 0) return -1;
		if (buffer_put(out, chunk, (size_t)n) < 0) return -1;
		left -= (unsigned long long)n;
	}
	if (buffer_put(out, ",", 1) < 0 || buffer_put(out, j->envelope.s, j->envelope.len) < 0 ||
	    buffer_put(out, ",", 1) < 0)
		return -1;
	return buffer_flush(out);
}

/* One server: 'K', 'D', or 'Z' for anything that is not a clear answer
   (connection refused, time-out, closed early, garbled response). */
static char attempt(const struct job *j, const char *name, const struct sockaddr_storage *sa, socklen_t salen)
{
	char ospace[8192], ispace[1024];
	buffer out, in;
	struct netstring_in nin = { &in, NETSTRING_UNBOUNDED, NULL };
	str resp = STR_INIT;
	char kind;
	int fd = netio_connect((const struct sockaddr *)sa, salen, j->timeout_connect);
	if (fd < 0) {
		log_attempt(name, "connect-failed", strerror(errno), strlen(strerror(errno)));
		return 'Z';
	}
	buffer_init(&out, fd, ospace, sizeof ospace);
	buffer_init(&in, fd, ispace, sizeof ispace);
	out.timeout = in.timeout = (int)j->timeout_remote;
	/* A server may answer and close before taking it all (a refusal):
	   its response is still read. */
	(void)package_send(j, &out);
	if (netstring_read(&nin, QMTP_RESPONSE_MAX, &resp) != NETSTRING_OK) {
		log_attempt(name, "no-response", NULL, 0);
		kind = 'Z';
	} else {
		kind = qmtp_response_kind(resp.s, resp.len);
		if (!kind) kind = 'Z';
		/* Success is silent, as queue-inject's (sendmail's caller sees
		   this stderr); the hub's log names the front end. */
		if (kind != 'K') log_attempt(name, kind == 'D' ? "refused" : "deferred", resp.s, resp.len);
	}
	close(fd);
	str_free(&resp);
	return kind;
}

int main(void)
{
	static struct job j;
	static str servers;
	unsigned long long databytes;
	size_t i = 0, tried = 0;
	die_program = "qmqp-send";
	signal(SIGPIPE, SIG_IGN);
	alarm(RUN_MAX);
	if (control_chdir_home() < 0) die_code_sys(EX_HOME, "cannot chdir to the home", (char *)0);
	if (control_read_list(&servers, "control/qmqpservers") < 0)
		die_code_sys(EX_CONTROL, "cannot read control/qmqpservers", (char *)0);
	if (control_read_ulong(&databytes, "control/databytes", DATABYTES_DEFAULT) < 0)
		die_code_sys(EX_CONTROL, "cannot read control/databytes", (char *)0);
	if (databytes == 0 || databytes > DATABYTES_HARD) databytes = DATABYTES_HARD;
	j.timeout_connect = timeout_read("control/timeoutconnect", 60);
	j.timeout_remote = timeout_read("control/timeoutremote", 1200);
	j.msgfd = memfd_create("qmqp-send", MFD_CLOEXEC);
	if (j.msgfd < 0) die_code_sys(errno == ENOMEM ? EX_NOMEM : EX_WRITE, "cannot spool the message", (char *)0);
	j.msglen = spool(j.msgfd, databytes);
	envelope_build(&j);
	received_build(&j.received);
	while (i < servers.len && tried < SERVERS_MAX) {
		const char *name = servers.s + i;
		size_t len = strlen(name);
		struct sockaddr_storage sa;
		socklen_t salen;
		char kind;
		i += len + 1;
		if (!ipport_parse(name, len, QMQP_PORT, &sa, &salen)) {
			warn("control/qmqpservers: not an address: ", name, (char *)0);
			continue;
		}
		tried++;
		kind = attempt(&j, name, &sa, salen);
		if (kind == 'K') _exit(0);
		if (kind == 'D') _exit(EX_REFUSED);
	}
	if (!tried) die_code(EX_CONTROL, "no QMQP server in control/qmqpservers", (char *)0);
	die_code(EX_DEFERRED, "no QMQP server took the message", (char *)0);
}
