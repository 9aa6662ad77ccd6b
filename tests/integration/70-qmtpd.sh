#!/bin/bash
# qmtpd under tcpserver and svscan: several pipelined packages on one
# connection with mixed per-recipient results (K, D for an unknown user,
# D for a relay attempt from a client without RELAYCLIENT, Z past
# maxrcpt), both message encodings, a message over databytes refused
# while the session goes on; then malformed netstrings (wrong length,
# missing comma, length over the ceiling, leading zeros, 20 digits, an
# inner netstring longer than its list) each get one D and a closed
# connection, and nothing is queued. Delivered messages carry the QMTP
# Received line and LF line ends; the log has smtpd-recv's fields.
. "$TERN_SRC/tests/lib.sh"
. "$TERN_SRC/tests/integration/helpers/smtpd.sh"
. "$TERN_SRC/tests/integration/helpers/qmtp.sh"
tern_need qmtpd queue-inject
tern_instance_new
smtpd_user terntestq1
echo 3000 > "$TERN_HOME/control/databytes"
echo 100 > "$TERN_HOME/control/maxrcpt"
printf 'bad@example.net\n' > "$TERN_HOME/control/badmailfrom"
port=$(tern_port)
qmtp_service_start qmtpd "$port" ':allow'

cat > "$TEST_ROOT/qmtp1.py" <<'PY'
import sys
from qmtp_client import *
c = Conn("127.0.0.1", sys.argv[1])
msg = b"From: a@example.net\nSubject: qmtp one\n\nline one\nline two\n"
crlf = b"From: a@example.net\nSubject: qmtp two\n\nbare\rcr stays\nend\n"
many = [b"terntestq1@tern.test"] * 101
# Four packages in one write: the server answers each in order.
c.send(qmtp_package(msg, b"a@example.net",
                    [b"terntestq1@tern.test", b"nobody@tern.test", b"x@far.example",
                     b"x%y@tern.test", b"", b"a b@tern.test"]) +
       qmtp_package(crlf, b"a@example.net", [b"TernTestQ1@TERN.TEST"], crlf=True) +
       qmtp_package(b"Subject: big\n\n" + b"x" * 5000 + b"\n", b"a@example.net",
                    [b"terntestq1@tern.test", b"nobody@tern.test"]) +
       qmtp_package(msg, b"bad@example.net", [b"terntestq1@tern.test"]))
r = c.responses(6 + 1 + 2 + 1)
want = [b"K", b"D", b"D", b"D", b"D", b"D", b"K", b"D", b"D", b"D"]
if [x[:1] if x else None for x in r] != want:
    fail("responses %r" % r)
for i, code in ((0, b"(#2.0.0)"), (1, b"(#5.1.1)"), (2, b"(#5.7.1)"), (3, b"(#5.1.1)"),
                (4, b"(#5.1.3)"), (5, b"(#5.1.1)"), (7, b"(#5.3.4)"), (8, b"(#5.1.1)"), (9, b"(#5.7.1)")):
    if not r[i].endswith(code):
        fail("response %d: %r, wanted %r" % (i, r[i], code))
# The session goes on after a refusal; past maxrcpt: Z, for later.
c.send(qmtp_package(msg.replace(b"one", b"three"), b"", many))
r = c.responses(101)
if r[:100] != [r[0]] * 100 or r[0][:1] != b"K" or r[100][:1] != b"Z" or not r[100].endswith(b"(#4.5.3)"):
    fail("maxrcpt: %r %r" % (r[0], r[100]))
print("ok")
PY
qmtp_python "$TEST_ROOT/qmtp1.py" "$port" || { tern_log qmtpd; fail "QMTP session"; }

# 1 + 1 + 100 deliveries to the user.
tern_wait_count "$TEST_ROOT/users/terntestq1/Maildir/new/*" 102 60
tern_queue_empty 60
one=$(grep -l 'Subject: qmtp one' "$TEST_ROOT"/users/terntestq1/Maildir/new/*) || fail "first message missing"
two=$(grep -l 'Subject: qmtp two' "$TEST_ROOT"/users/terntestq1/Maildir/new/*) || fail "CR LF message missing"
[ "$(grep -c 'Subject: qmtp three' "$TEST_ROOT"/users/terntestq1/Maildir/new/* | grep -c ':1$')" = 100 ] ||
	fail "not 100 copies of the maxrcpt message"
grep -q $'^Received: from \\[127.0.0.1\\] (\\[127.0.0.1\\])$' "$one" || { cat "$one"; fail "no QMTP Received line"; }
grep -q $'^\tby tern.test with QMTP id ' "$one" || { cat "$one"; fail "Received line without QMTP"; }
/usr/bin/python3 - "$two" <<'PY' || fail "encoding #1 not decoded"
import sys
d = open(sys.argv[1], "rb").read()
body = d[d.index(b"Subject: qmtp two"):]
assert body == b"Subject: qmtp two\n\nbare\rcr stays\nend\n", body
PY
grep -q 'Subject: big' "$TEST_ROOT"/users/terntestq1/Maildir/new/* && fail "the message over databytes was delivered"
log=$(tern_log qmtpd)
for pat in 'event=connect .*relay=no' 'event=mail .*from=a@example.net reply=250' \
	'event=rcpt .*to=nobody@tern.test reply=550\\x205.1.1' 'event=rcpt .*to=x@far.example reply=550\\x205.7.1' \
	'event=data .*rcpts=1 size=.* reply=250\\x202.0.0' 'event=data .*reply=552\\x205.3.4' \
	'event=mail .*from=bad@example.net reply=553'; do
	grep -q "$pat" <<< "$log" || { echo "$log"; fail "log lacks $pat"; }
done

# Malformed framing: one D, the connection closed, nothing queued.
before=$(ls "$TEST_ROOT/users/terntestq1/Maildir/new" | wc -l)
cat > "$TEST_ROOT/qmtp2.py" <<'PY'
import sys
from qmtp_client import *
env = ns(b"a@example.net") + ns(ns(b"terntestq1@tern.test"))
cases = {
    "wrong length": b"5:\nabcdefgh," + env,
    "missing comma": b"4:\nabc;" + env,
    "over the ceiling": b"3000000000:\nabc," + env,
    "leading zeros": b"04:\nabc," + env,
    "20 digits": b"12345678901234567890:\nabc," + env,
    "inner longer than its list": ns(b"\nSubject: x\n\ny\n") + ns(b"a@example.net") +
        b"10:30:terntestq1@tern.test,,",
    "no digits": b":\nabc," + env,
}
for name, data in cases.items():
    c = Conn("127.0.0.1", sys.argv[1])
    c.send(data)
    r = c.response()
    if r is None or r[:1] != b"D":
        fail("%s: %r" % (name, r))
    if c.response() is not None or not c.closed():
        fail("%s: the connection stayed open" % name)
print("ok")
PY
qmtp_python "$TEST_ROOT/qmtp2.py" "$port" || { tern_log qmtpd; fail "malformed netstrings"; }
tern_queue_empty 20
qmtp_queue_clean
sleep 1
after=$(ls "$TEST_ROOT/users/terntestq1/Maildir/new" | wc -l)
[ "$before" = "$after" ] || fail "a malformed package was delivered"
[ "$(tern_log qmtpd | grep -c 'event=drop .*reason=netstring')" -ge 5 ] || { tern_log qmtpd; fail "drops not logged"; }
tern_log qmtpd | grep -q 'event=drop .*reason=too-big .*reply=552\\x205.3.4' || fail "over the ceiling not logged"
echo ok
