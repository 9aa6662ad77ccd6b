#!/bin/bash
# SMTP smuggling (DESIGN.md §6): the end of data is CR LF . CR LF only.
# Each of the known alternative "ends" followed by a smuggled second
# transaction must leave the server in step: the message is refused (bare
# CR, bare LF or NUL in it), nothing is queued, and no smuggled command
# runs. Then a normal message on the same connection still works.
. "$TERN_SRC/tests/lib.sh"
. "$TERN_SRC/tests/integration/helpers/smtpd.sh"
tern_need smtpd-recv queue-inject
tern_instance_new
smtpd_user terntestsd
smtpd_user terntestse
smtpd_start

cat > "$TEST_ROOT/smuggle.py" <<'PY'
ends = [b"\n.\n", b"\n.\r\n", b"\r\n.\n", b"\r.\r", b"\r.\n", b"\n.\r", b"\r.\r\n",
        b"\r\n.\r", b"\r\n\x00.\r\n", b"\r\n.\r\r\n"]
for i, end in enumerate(ends):
    c = Conn()
    c.expect(220)
    c.expect(250, b"EHLO smuggler.example\r\n")
    c.expect(250, b"MAIL FROM:<a@example.net>\r\n")
    c.expect(250, b"RCPT TO:<terntestsd@tern.test>\r\n")
    c.expect(354, b"DATA\r\n")
    c.send(b"Subject: carrier %d\r\n\r\nbody" % i + end +
           b"MAIL FROM:<evil@example.net>\r\nRCPT TO:<terntestse@tern.test>\r\n"
           b"DATA\r\nSubject: smuggled %d\r\n\r\nsmuggled\r\n.\r\n" % i)
    code, text = c.reply()
    if code != 554 or not text.startswith(b"5.6.0"):
        fail("end %r: want 554 5.6.0, got %r %r" % (end, code, text))
    # In step: the next command gets its own reply.
    c.expect(250, b"RSET\r\n")
    c.expect(250, b"NOOP\r\n")
    if i == len(ends) - 1:
        c.expect(250, b"MAIL FROM:<good@example.net>\r\n")
        c.expect(250, b"RCPT TO:<terntestsd@tern.test>\r\n")
        c.expect(354, b"DATA\r\n")
        c.expect(250, b"Subject: the real one\r\n\r\nfine\r\n.\r\n")
    c.expect(221, b"QUIT\r\n")
print("ok")
PY
smtpd_session "$TEST_ROOT/smuggle.py" || fail "smuggling session"
smtpd_settle
n=$(smtpd_messages terntestsd | wc -l)
[ "$n" -eq 1 ] || fail "want exactly 1 message, have $n"
body=$(smtpd_body "$(smtpd_messages terntestsd)")
echo "$body" | grep -q 'the real one' || fail "the real message is not the one queued"
echo "$body" | grep -q 'evil\|smuggled\|carrier' && fail "smuggled text reached the queue"
if smtpd_delivers; then
	[ -z "$(smtpd_messages terntestse)" ] || fail "the smuggled recipient got mail"
fi
tern_log smtpd | grep -q 'event=data .*reply=554' || fail "refusals not logged"
exit 0
