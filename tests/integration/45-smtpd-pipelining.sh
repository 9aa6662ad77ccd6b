#!/bin/bash
# Pipelining (RFC 2920) and desync defences (DESIGN.md §6): a legal
# pipelined group works; bytes before the greeting, after DATA before the
# 354, or after the final dot before its reply get 554 5.5.0 and the
# connection is closed with nothing queued (a lone QUIT after the dot is
# allowed); 100 recipients in one write work.
. "$TERN_SRC/tests/lib.sh"
. "$TERN_SRC/tests/integration/helpers/smtpd.sh"
tern_need smtpd-recv queue-inject
tern_instance_new
smtpd_user terntestsd
smtpd_start GREETDELAY=1000

cat > "$TEST_ROOT/pipe.py" <<'PY'
M = b"MAIL FROM:<a@example.net>\r\nRCPT TO:<terntestsd@tern.test>\r\n"
# Early talker.
c = Conn()
c.send(b"EHLO early.example\r\n")
c.expect(554, None, b"5.5.0")
if not c.closed():
    fail("early talker not disconnected")
# Legal group: EHLO waits, then MAIL RCPT DATA in one write; the message
# and QUIT after the dot are fine too.
c = Conn()
c.expect(220)
c.expect(250, b"EHLO pipe.example\r\n")
c.send(M + b"DATA\r\n")
c.expect(250); c.expect(250); c.expect(354)
c.send(b"Subject: pipelined ok\r\n\r\nx\r\n.\r\nQUIT\r\n")
c.expect(250, None, b"2.0.0")
c.expect(221)
# 100 recipients in one write.
c = Conn()
c.expect(220)
c.expect(250, b"EHLO pipe.example\r\n")
c.send(b"MAIL FROM:<a@example.net>\r\n" + b"RCPT TO:<terntestsd@tern.test>\r\n" * 100 + b"DATA\r\n")
for i in range(101):
    c.expect(250)
c.expect(354)
c.expect(250, b"Subject: hundred\r\n\r\nx\r\n.\r\n")
c.expect(221, b"QUIT\r\n")
# Message text sent with DATA, before the 354.
c = Conn()
c.expect(220)
c.expect(250, b"EHLO pipe.example\r\n")
c.send(M + b"DATA\r\nSubject: too early\r\n\r\nx\r\n.\r\n")
c.expect(250); c.expect(250)
c.expect(554, None, b"5.5.0")
if not c.closed():
    fail("still open after pipelining past DATA")
# A command pipelined after the final dot.
c = Conn()
c.expect(220)
c.expect(250, b"EHLO pipe.example\r\n")
c.send(M + b"DATA\r\n")
c.expect(250); c.expect(250); c.expect(354)
c.send(b"Subject: after dot\r\n\r\nx\r\n.\r\nMAIL FROM:<b@example.net>\r\n")
c.expect(554, None, b"5.5.0")
if not c.closed():
    fail("still open after pipelining past the dot")
print("ok")
PY
smtpd_session "$TEST_ROOT/pipe.py" || fail "pipelining session"
smtpd_settle
hundred=0 ok=0
for f in $(smtpd_messages terntestsd); do
	case $(smtpd_body "$f") in
	*"Subject: hundred"*) hundred=$((hundred + 1)) ;;
	*"Subject: pipelined ok"*) ok=$((ok + 1)) ;;
	esac
done
[ $ok -eq 1 ] || fail "want the pipelined message once, have $ok"
if smtpd_delivers; then
	[ $hundred -eq 100 ] || fail "want 100 deliveries of the 100-recipient message, have $hundred"
else
	[ $hundred -eq 1 ] || fail "want the 100-recipient message queued once, have $hundred"
fi
for f in $(smtpd_messages terntestsd); do
	smtpd_body "$f" | grep -q 'too early\|after dot' && fail "a refused message was queued"
done
log=$(tern_log smtpd)
for r in early-talker pipelined-data pipelined-dot; do
	echo "$log" | grep -q "event=drop .*reason=$r" || fail "no $r drop in the log"
done
exit 0
