#!/bin/bash
# A front end that keeps no queue: smtpd-recv with QUEUE_INJECT=qmqp-send
# (in the smtpd service's env/) hands each message over QMQP to a hub's
# qmqpd (here the same scratch instance on another port, so the message
# crosses the real QMQP path: SMTP -> smtpd-recv -> qmqp-send -> qmqpd ->
# queue-inject -> Maildir). The first server in qmqpservers is dead, so
# qmqp-send fails over. With every QMQP server down the SMTP client gets
# 451 for its message, never 250, and nothing is delivered.
. "$TERN_SRC/tests/lib.sh"
. "$TERN_SRC/tests/integration/helpers/smtpd.sh"
. "$TERN_SRC/tests/integration/helpers/qmtp.sh"
tern_need smtpd-recv qmqp-send qmqpd queue-inject
tern_instance_new
smtpd_user terntestq5
qport=$(tern_port)
dead=$(tern_port)
qmtp_service_start qmqpd "$qport" '127.0.0.1:allow,RELAYCLIENT=""'
printf '127.0.0.1:%s\n127.0.0.1:%s\n' "$dead" "$qport" > "$TERN_HOME/control/qmqpservers"
smtpd_start QUEUE_INJECT="$TERN_HOME/bin/qmqp-send"

cat > "$TEST_ROOT/front.py" <<'PY'
import smtplib, sys
s = smtplib.SMTP(sys.argv[1], int(sys.argv[2]), timeout=60)
s.ehlo("client.example")
code, _ = s.docmd("MAIL FROM:<a@example.net>")
assert code == 250, code
code, _ = s.docmd("RCPT TO:<terntestq5@tern.test>")
assert code == 250, code
code, _ = s.docmd("DATA")
assert code == 354, code
s.send(b"From: a@example.net\r\nSubject: %s\r\n\r\nthrough the hub\r\n.\r\n" % sys.argv[3].encode())
code, text = s.getreply()
print(code, text.decode())
s.quit()
PY
out=$(/usr/bin/python3 "$TEST_ROOT/front.py" 127.0.0.1 "$SMTPD_PORT" 'front one') || fail "SMTP session"
case $out in 250*) ;; *) tern_log smtpd; fail "front end answered $out" ;; esac
tern_wait_count "$TEST_ROOT/users/terntestq5/Maildir/new/*" 1 30
m=$(ls "$TEST_ROOT"/users/terntestq5/Maildir/new/*)
grep -q 'Subject: front one' "$m" || fail "wrong message"
# The three hops on the front end and the hub, in order.
/usr/bin/python3 - "$m" <<'PY' || { cat "$m"; fail "Received lines"; }
import re, sys
d = open(sys.argv[1], "rb").read().split(b"\n\n", 1)[0]
withs = re.findall(rb"\n\tby \S+ with (\S+) id|Received: \((tern|qmqp-send) ", b"\n" + d)
seq = [a or b for a, b in withs]
assert seq == [b"tern", b"QMQP", b"qmqp-send", b"ESMTP"], seq
PY
tern_log qmqpd | grep -q 'event=data .*rcpts=1 .*reply=250' || fail "qmqpd did not take it"
tern_log smtpd | grep -q "event=qmqp .*server=127.0.0.1:$dead result=connect-failed" ||
	{ tern_log smtpd; fail "the dead hub was not tried first"; }

# Every hub down: 451, and nothing arrives.
printf '127.0.0.1:%s\n' "$dead" > "$TERN_HOME/control/qmqpservers"
out=$(/usr/bin/python3 "$TEST_ROOT/front.py" 127.0.0.1 "$SMTPD_PORT" 'front two') || fail "SMTP session"
case $out in 451*) ;; *) tern_log smtpd; fail "with every hub down the front end answered $out" ;; esac
tern_queue_empty 20
qmtp_queue_clean
sleep 1
[ "$(ls "$TEST_ROOT/users/terntestq5/Maildir/new" | wc -l)" = 1 ] || fail "a message arrived with no hub up"
tern_log smtpd | grep -q 'event=data .*reply=451' || fail "451 not logged"
echo ok
