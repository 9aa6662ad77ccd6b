#!/bin/bash
# qmqpd under tcpserver and s6-svscan (svscan when s6 is missing): a
# trusted client (RELAYCLIENT from tcprules) gets K and the message
# reaches the Maildirs of its recipients with the QMQP Received line; one
# unknown recipient refuses the whole message (QMQP has one response);
# a message over databytes, a package without recipients and malformed
# netstrings get D; a client without RELAYCLIENT gets D 5.7.1. Each
# refusal closes the connection and queues nothing.
. "$TERN_SRC/tests/lib.sh"
. "$TERN_SRC/tests/integration/helpers/smtpd.sh"
. "$TERN_SRC/tests/integration/helpers/qmtp.sh"
tern_need qmqpd queue-inject
command -v s6-svscan > /dev/null && export TERN_SUPERVISOR=s6
tern_instance_new
smtpd_user terntestq2
smtpd_user terntestq3
echo 3000 > "$TERN_HOME/control/databytes"
port=$(tern_port)
qmtp_service_start qmqpd "$port" '127.0.0.1:allow,RELAYCLIENT=""'

cat > "$TEST_ROOT/qmqp1.py" <<'PY'
import sys
from qmtp_client import *
port = sys.argv[1]
msg = b"From: a@example.net\nSubject: qmqp one\n\nhello\n"
def one(pkg, kind, code, name):
    c = Conn("127.0.0.1", port)
    c.send(pkg)
    r = c.response()
    if r is None or r[:1] != kind or not r.endswith(code):
        fail("%s: %r" % (name, r))
    if not c.closed():
        fail("%s: the connection stayed open" % name)
one(qmqp_package(msg, b"a@example.net", [b"terntestq2@tern.test", b"terntestq3@localhost"]),
    b"K", b"(#2.0.0)", "accepted")
one(qmqp_package(msg.replace(b"one", b"refused"), b"a@example.net",
                 [b"terntestq2@tern.test", b"nobody@tern.test"]), b"D", b"(#5.1.1)", "unknown recipient")
one(qmqp_package(b"Subject: big\n\n" + b"x" * 5000 + b"\n", b"a@example.net", [b"terntestq2@tern.test"]),
    b"D", b"(#5.3.4)", "over databytes")
one(qmqp_package(msg, b"a@example.net", []), b"D", b"(#5.5.1)", "no recipients")
one(qmqp_package(msg, b"a@bad..example", [b"terntestq2@tern.test"]), b"D", b"(#5.1.7)", "bad sender")
one(b"200:" + ns(msg) + ns(b"a@b.example") + ns(b"terntestq2@tern.test") + b",", b"D", b"(#5.5.2)",
    "outer length wrong")
one(ns(ns(msg) + b"13:a@example.net;" + ns(b"terntestq2@tern.test")), b"D", b"(#5.5.2)", "missing comma")
one(b"0" + qmqp_package(msg, b"a@example.net", [b"terntestq2@tern.test"]), b"D", b"(#5.5.2)", "leading zero")
one(b"99999999999999999999:" + ns(msg), b"D", b"(#5.3.4)", "20 digits")
print("ok")
PY
qmtp_python "$TEST_ROOT/qmqp1.py" "$port" || { tern_log qmqpd; fail "QMQP sessions"; }
tern_wait_count "$TEST_ROOT/users/terntestq2/Maildir/new/*" 1 30
tern_wait_count "$TEST_ROOT/users/terntestq3/Maildir/new/*" 1 30
tern_queue_empty 30
qmtp_queue_clean
m=$(ls "$TEST_ROOT"/users/terntestq2/Maildir/new/*)
[ "$(ls "$TEST_ROOT/users/terntestq2/Maildir/new" | wc -l)" = 1 ] || fail "a refused message was delivered"
grep -q $'^\tby tern.test with QMQP id ' "$m" || { cat "$m"; fail "no QMQP Received line"; }
grep -q 'Subject: qmqp one' "$m" || fail "wrong message"
tern_log qmqpd | grep -q 'event=connect .*relay=yes' || fail "connect not logged"
tern_log qmqpd | grep -q 'event=rcpt .*to=nobody@tern.test reply=550\\x205.1.1' || fail "rcpt not logged"

# A client without RELAYCLIENT: refused after its package, nothing queued.
avail=$TERN_HOME/service-available/qmqpd
printf ':allow\n' > "$avail/tcp.qmqp"
(cd "$avail" && tcprules tcp.qmqp.cdb tcp.qmqp.tmp < tcp.qmqp) || fail "tcprules"
cat > "$TEST_ROOT/qmqp2.py" <<'PY'
import sys
from qmtp_client import *
c = Conn("127.0.0.1", sys.argv[1])
c.send(qmqp_package(b"Subject: untrusted\n\nx\n", b"a@example.net", [b"terntestq2@tern.test"]))
r = c.response()
if r is None or r[:1] != b"D" or not r.endswith(b"(#5.7.1)"):
    fail("untrusted client: %r" % r)
print("ok")
PY
qmtp_python "$TEST_ROOT/qmqp2.py" "$port" || { tern_log qmqpd; fail "untrusted client"; }
tern_queue_empty 20
qmtp_queue_clean
sleep 1
[ "$(ls "$TEST_ROOT/users/terntestq2/Maildir/new" | wc -l)" = 1 ] || fail "the untrusted message was delivered"
tern_log qmqpd | grep -q 'event=connect .*relay=no' || fail "untrusted connect not logged"
tern_log qmqpd | grep -q 'event=data .*rcpts=0 .*reply=550\\x205.7.1' || { tern_log qmqpd; fail "refusal not logged"; }
echo ok
