/* qmqpd: the QMQP server (cr.yp.to/proto/qmqp.html, doc/qmqpd.md) of a
   hub: one message per connection from the front ends of its cluster,
   which tcprules marks with RELAYCLIENT; anyone else is refused. Runs
   under tcpserver as tern-recv on port 628 and hands the message to
   queue-inject, with smtpd-recv's recipient validation, limits, Received
   line and log fields. The protocol is in src/lib/qmqpd_session.c. */
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
	die_program = "qmqpd";
	signal(SIGPIPE, SIG_IGN);
	/* Closing without a response is a temporary failure for the client
	   (qmqp.html), which tries its next server. */
	if (control_chdir_home() < 0 || qmtpd_config_read(&c, &me, &badmailfrom) < 0 ||
	    receiver_init(&w) < 0)
		die_temp_sys("cannot read the configuration", (char *)0);
	end = qmqpd_session_run(&c, &hooks, 0, 1);
	_exit(end == QMTPD_END_ERROR ? 111 : 0);
}
