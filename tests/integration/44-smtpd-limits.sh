#!/bin/bash
# Every limit of smtpd-recv crossed (RFC 5321 4.5.3 and DESIGN.md §6):
# command line, path, local part, domain, control characters, maxrcpt,
# SIZE, databytes (with bounded memory), text line length, timeoutsmtpd,
# too many errors. Nothing is queued by a refused transaction.
. "$TERN_SRC/tests/lib.sh"
. "$TERN_SRC/tests/integration/helpers/smtpd.sh"
tern_need smtpd-recv queue-inject
tern_instance_new
smtpd_user terntestsd
echo 10000000 > "$TERN_HOME/control/databytes"
echo 2 > "$TERN_HOME/control/timeoutsmtpd"
smtpd_start

cat > "$TEST_ROOT/limits.py" <<'PY'
import os, time
c = Conn()
c.expect(220)
c.expect(250, b"EHLO limits.example\r\n")
# Command line: 512 with CR LF is fine, 513 is not; the next command is in step.
c.expect(250, b"NOOP " + b"x" * 505 + b"\r\n")
c.expect(500, b"NOOP " + b"x" * 506 + b"\r\n", b"5.5.2")
c.expect(500, b"NOOP " + b"x" * 100000 + b"\r\n", b"5.5.2")
c.expect(250, b"NOOP\r\n")
# Control characters and NUL.
c.expect(501, b"NOOP \x00\r\n", b"5.5.2")
c.expect(501, b"MAIL FROM:<a\x01b@example.net>\r\n", b"5.5.2")
c.expect(501, b"MAIL FROM:<a\rb@example.net>\r\n", b"5.5.2")
# Paths: local part 64, domain 255, path 256.
c.expect(553, b"MAIL FROM:<" + b"l" * 65 + b"@example.net>\r\n", b"5.1.7")
c.expect(553, b"MAIL FROM:<a@" + b"d" * 256 + b">\r\n", b"5.1.7")
c.expect(553, b"MAIL FROM:<" + b"l" * 60 + b"@" + (b"d" * 60 + b".") * 3 + b"d" * 20 + b">\r\n", b"5.1.7")
c.expect(501, b"MAIL FROM:a@example.net\r\n", b"5.1.7")
c.expect(501, b"MAIL FROM:<a@b@>\r\n", b"5.1.7")
# SIZE over databytes.
c.expect(552, b"MAIL FROM:<a@example.net> SIZE=20000000\r\n", b"5.3.4")
c.expect(552, b"MAIL FROM:<a@example.net> SIZE=99999999999999999999999\r\n", b"5.3.4")
c.expect(555, b"MAIL FROM:<a@example.net> FOO=BAR\r\n", b"5.5.4")
c.expect(501, b"MAIL FROM:<a@example.net> ENVID=a=b\r\n", b"5.5.4")
c.expect(250, b"MAIL FROM:<a@example.net> SIZE=1000\r\n")
c.expect(553, b"RCPT TO:<" + b"l" * 65 + b"@tern.test>\r\n", b"5.1.3")
c.expect(501, b"RCPT TO:<terntestsd@tern.test> NOTIFY=SOMETIMES\r\n", b"5.5.4")
c.expect(501, b"RCPT TO:<terntestsd@tern.test> ORCPT=rfc822;a=b\r\n", b"5.5.4")
# maxrcpt (default 100): 100 in one write are accepted, the 101st gets 452.
c.send(b"RCPT TO:<terntestsd@tern.test>\r\n" * 101)
for i in range(100):
    c.expect(250)
c.expect(452, None, b"4.5.3")
c.expect(250, b"RSET\r\n")
# A 30 MB message with databytes 10 MB: 552 after reading to the end.
c.expect(250, b"MAIL FROM:<a@example.net>\r\n")
c.expect(250, b"RCPT TO:<terntestsd@tern.test>\r\n")
c.expect(354, b"DATA\r\n")
line = b"y" * 998 + b"\r\n"
chunk = b"Subject: big\r\n\r\n" + line * 1000
for i in range(30):
    c.send(chunk)
c.expect(552, b".\r\n", b"5.3.4")
# Memory stayed bounded: VmHWM of the smtpd-recv serving us.
exe = os.environ["TERN_HOME"] + "/bin/smtpd-recv"
hwm = []
for p in os.listdir("/proc"):
    try:
        if p.isdigit() and os.readlink("/proc/%s/exe" % p) == exe:
            for l in open("/proc/%s/status" % p):
                if l.startswith("VmHWM:"):
                    hwm.append(int(l.split()[1]))
    except OSError:
        pass
if not hwm:
    fail("no smtpd-recv process found")
limit = 20000 if not os.environ.get("SANITIZED") else 400000
if max(hwm) > limit:
    fail("smtpd-recv used %d kB" % max(hwm))
# Line length: 1000 bytes with CR LF are fine, 1001 are not.
c.expect(250, b"MAIL FROM:<a@example.net>\r\n")
c.expect(250, b"RCPT TO:<terntestsd@tern.test>\r\n")
c.expect(354, b"DATA\r\n")
c.expect(554, b"Subject: long\r\n\r\n" + b"z" * 999 + b"\r\n.\r\n", b"5.6.0")
c.expect(250, b"MAIL FROM:<a@example.net>\r\n")
c.expect(250, b"RCPT TO:<terntestsd@tern.test>\r\n")
c.expect(354, b"DATA\r\n")
c.expect(250, b"Subject: limit ok\r\n\r\n" + b"z" * 998 + b"\r\n.\r\n")
# timeoutsmtpd = 2: an idle client is told 421 and the connection closes.
code, text = c.reply()
if code != 421 or not text.startswith(b"4.4.2"):
    fail("no 421 after the time-out: %r %r" % (code, text))
if not c.closed():
    fail("connection still open after 421")
# Too many errors: the server hangs up.
c = Conn()
c.expect(220)
for i in range(31):
    c.send(b"BOGUS\r\n")
codes = []
while True:
    code, text = c.reply()
    if code is None:
        break
    codes.append(code)
if codes[-1] != 421:
    fail("no 421 after many errors: %r" % codes[-3:])
print("ok")
PY
SANITIZED=$(grep -q __asan_init "$TERN_HOME/bin/smtpd-recv" && echo 1) TERN_HOME=$TERN_HOME \
	smtpd_session "$TEST_ROOT/limits.py" || fail "limits session"
smtpd_settle
n=$(smtpd_messages terntestsd | wc -l)
[ "$n" -eq 1 ] || fail "want exactly 1 message (the line-limit one), have $n"
smtpd_body "$(smtpd_messages terntestsd)" | grep -q 'limit ok' || fail "wrong message queued"
tern_log smtpd | grep -q 'event=drop .*reason=timeout' || fail "time-out not logged"

# A higher text line limit is configurable (control/smtplinelength).
echo 2000 > "$TERN_HOME/control/smtplinelength"
cat > "$TEST_ROOT/limits2.py" <<'PY'
c = Conn()
c.expect(220)
c.expect(250, b"EHLO limits.example\r\n")
c.expect(250, b"MAIL FROM:<a@example.net>\r\n")
c.expect(250, b"RCPT TO:<terntestsd@tern.test>\r\n")
c.expect(354, b"DATA\r\n")
c.expect(250, b"Subject: long ok\r\n\r\n" + b"z" * 1500 + b"\r\n.\r\n")
c.expect(221, b"QUIT\r\n")
print("ok")
PY
smtpd_session "$TEST_ROOT/limits2.py" || fail "smtplinelength session"

# databytes 0 is qmail's "no limit": tern keeps its compiled ceiling
# (1 GiB, the same as queue-inject's) and says so in SIZE.
echo 0 > "$TERN_HOME/control/databytes"
cat > "$TEST_ROOT/limits3.py" <<'PY'
c = Conn()
c.expect(220)
t = c.expect(250, b"EHLO limits.example\r\n")
if b"SIZE 1073741824" not in t:
    fail("SIZE with databytes 0: %r" % t)
c.expect(552, b"MAIL FROM:<a@example.net> SIZE=1073741825\r\n", b"5.3.4")
c.expect(250, b"MAIL FROM:<a@example.net> SIZE=60000000\r\n")
c.expect(221, b"QUIT\r\n")
print("ok")
PY
smtpd_session "$TEST_ROOT/limits3.py" || fail "databytes 0 session"
exit 0
