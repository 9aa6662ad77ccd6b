/* qmtpd: the QMTP server (cr.yp.to/proto/qmtp.txt, doc/qmtpd.md). Runs
   under tcpserver as tern-recv on port 209 and hands each accepted
   message to queue-inject, with smtpd-recv's relay control, recipient
   validation, limits, Received line and log fields. The protocol is in
   src/lib/qmtpd_session.c and qmtpd_package.c; configuration and hooks
   are in qmtpd_program.c and receiver.c, shared with qmqpd. */
#include <unistd.h>
#include "die.h"
#include "qmtpd.h"

int main(void)
{
	die_program = "qmtpd";
	_exit(qmtpd_program(qmtpd_session_run));
}
