/* qmqpd: the QMQP server (cr.yp.to/proto/qmqp.html, doc/qmqpd.md) of a
   hub: one message per connection from the front ends of its cluster,
   which tcprules marks with RELAYCLIENT; anyone else is refused. Runs
   under tcpserver as tern-recv on port 628 and hands the message to
   queue-inject, with smtpd-recv's recipient validation, limits, Received
   line and log fields. The protocol is in src/lib/qmqpd_session.c;
   configuration and hooks are in qmtpd_program.c and receiver.c. */
#include <unistd.h>
#include "die.h"
#include "qmtpd.h"

int main(void)
{
	die_program = "qmqpd";
	_exit(qmtpd_program(qmqpd_session_run));
}
