/* qmtpd: the QMTP server (cr.yp.to/proto/qmtp.txt, doc/qmtpd.md). Runs
   under tcpserver as tern-recv on port 209 and hands each accepted
   message to queue-inject, with smtpd-recv's relay control, recipient
   validation, limits, Received line and log fields. The protocol is in
   src/lib/qmtpd_session.c and qmtpd_package.c; this file connects its
   hooks to the world (src/lib/receiver.c). */
#include <signal.h>
#include <unistd.h>
#include "control.h"
#include "die.h"
#include "qmtpd.h"
#include "receiver.h"

static struct receiver w;

static const struct qmtpd_hooks hooks = {
	.ctx = &w,
	.rcpthosts = receiver_rcpthosts,
	.is_local = receiver_is_local,
	.deliverable = receiver_deliverable,
	.inject_start = receiver_inject_start,
	.inject_put = receiver_inject_put,
	.inject_finish = receiver_inject_finish,
	.inject_abort = receiver_inject_abort,
	.log = receiver_log,
};

int main(void)
{
	static str me, badmailfrom;
	struct qmtpd_config c;
	int end;
	die_program = "qmtpd";
	/* queue-inject may exit early; its exit code tells us why. */
	signal(SIGPIPE, SIG_IGN);
	/* No response can be given before a package is in: closing tells
	   the client to try again later (QMTP section 2). */
	if (control_chdir_home() < 0 || qmtpd_config_read(&c, &me, &badmailfrom) < 0 ||
	    receiver_init(&w) < 0)
		die_temp_sys("cannot read the configuration", (char *)0);
	end = qmtpd_session_run(&c, &hooks, 0, 1);
	_exit(end == QMTPD_END_ERROR ? 111 : 0);
}
