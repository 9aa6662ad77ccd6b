#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include "control.h"
#include "die.h"
#include "qmtpd.h"
#include "receiver.h"

/* The same defaults and bounds as smtpd-recv's (doc/control.md). */
#define DEFAULT_DATABYTES (50ULL * 1024 * 1024)
#define HARD_DATABYTES (1024ULL * 1024 * 1024)   /* as queue-inject's */
#define DEFAULT_TIMEOUT 1200
#define MIN_MAXRCPT 100
#define MAX_MAXRCPT 100000

int qmtpd_config_read(struct qmtpd_config *c, str *me, str *badmailfrom)
{
	unsigned long long n;
	char host[256];
	const char *ip = getenv("TCPREMOTEIP");
	memset(c, 0, sizeof *c);
	if (gethostname(host, sizeof host - 1) < 0) memcpy(host, "localhost", 10);
	host[sizeof host - 1] = 0;
	if (control_read_string(me, "control/me", host) < 0 || str_0(me) < 0) return -1;
	c->me = me->s;
	if (control_read_ulong(&c->databytes, "control/databytes", DEFAULT_DATABYTES) < 0) return -1;
	if (c->databytes == 0 || c->databytes > HARD_DATABYTES) c->databytes = HARD_DATABYTES;
	if (control_read_ulong(&n, "control/maxrcpt", MIN_MAXRCPT) < 0) return -1;
	c->maxrcpt = n < MIN_MAXRCPT ? MIN_MAXRCPT : (unsigned long)(n > MAX_MAXRCPT ? MAX_MAXRCPT : n);
	if (control_read_ulong(&n, "control/timeoutsmtpd", DEFAULT_TIMEOUT) < 0) return -1;
	c->timeout = n == 0 || n > 86400 ? DEFAULT_TIMEOUT : (unsigned int)n;
	if (control_read_list(badmailfrom, "control/badmailfrom") < 0) return -1;
	c->badmailfrom = badmailfrom;
	c->remoteip = ip ? ip : "unknown";
	c->remotehost = getenv("TCPREMOTEHOST");
	c->remoteinfo = getenv("TCPREMOTEINFO");
	c->localip = getenv("TCPLOCALIP");
	c->proto = getenv("PROTO");
	c->relayclient = getenv("RELAYCLIENT");
	return 0;
}

static struct receiver world;

static const struct qmtpd_hooks hooks = {
	.ctx = &world,
	.rcpthosts = receiver_rcpthosts,
	.is_local = receiver_is_local,
	.deliverable = receiver_deliverable,
	.inject_start = receiver_inject_start,
	.inject_put = receiver_inject_put,
	.inject_finish = receiver_inject_finish,
	.inject_abort = receiver_inject_abort,
	.log = receiver_log,
};

int qmtpd_program(qmtpd_run_fn *run)
{
	static str me, badmailfrom;
	struct qmtpd_config c;
	/* queue-inject may exit early; its exit code tells us why. */
	signal(SIGPIPE, SIG_IGN);
	/* No response can be given before a package is in: closing without
	   one tells the client to try again later (QMTP 2, QMQP). */
	if (control_chdir_home() < 0 || qmtpd_config_read(&c, &me, &badmailfrom) < 0 ||
	    receiver_init(&world) < 0) {
		warn_sys("cannot read the configuration", (char *)0);
		return 111;
	}
	return run(&c, &hooks, 0, 1) == QMTPD_END_ERROR ? 111 : 0;
}
