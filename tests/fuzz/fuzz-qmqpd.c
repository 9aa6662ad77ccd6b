/* libFuzzer harness for qmqpd's session: fuzz-qmtpd.c's hooks and
   invariants, driving qmqpd_session_run (at most one response). */
#define FUZZ_QMQP 1
#include "fuzz-qmtpd.c"
