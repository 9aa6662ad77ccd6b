#!/bin/bash
# Relay control: a client without RELAYCLIENT may only send to rcpthosts
# domains, never through %, !, quoted or source-routed local parts; unknown
# local recipients are refused at RCPT; badmailfrom; a client with
# RELAYCLIENT (tcprules) may relay; without rcpthosts nothing is relayed.
. "$TERN_SRC/tests/lib.sh"
. "$TERN_SRC/tests/integration/helpers/smtpd.sh"
tern_need smtpd-recv queue-inject
tern_instance_new
smtpd_user terntestsd
printf 'tern.test\nlocalhost\nbackup.example\n.sub.example\n' > "$TERN_HOME/control/rcpthosts"
printf 'bad@example.net\n@spam.example\n' > "$TERN_HOME/control/badmailfrom"
smtpd_start

cat > "$TEST_ROOT/relay.py" <<'PY'
c = Conn()
c.expect(220)
c.expect(250, b"EHLO outsider.example\r\n")
c.expect(553, b"MAIL FROM:<bad@example.net>\r\n", b"5.7.1")
c.expect(553, b"MAIL FROM:<x@spam.example>\r\n", b"5.7.1")
c.expect(250, b"MAIL FROM:<a@example.net>\r\n")
refused = [b"user%other@tern.test", b"\"user@other\"@tern.test", b"user@other@tern.test",
           b"@tern.test:user@other", b"other!user", b"other!user@tern.test",
           b"user%other@backup.example", b"\"user@other\"@backup.example",
           b"other!user@backup.example", b"someone@far.example", b"x@sub.example.evil",
           b"terntestsd@tern.test.evil", b"@backup.example:user@far.example"]
for a in refused:
    c.send(b"RCPT TO:<" + a + b">\r\n")
    code, text = c.reply()
    if code is None or code < 500 or not text.startswith((b"5.7.1", b"5.1.1")):
        fail("%r accepted or wrongly refused: %r %r" % (a, code, text))
c.expect(550, b"RCPT TO:<nosuchuser@tern.test>\r\n", b"5.1.1")
c.expect(550, b"RCPT TO:<NoSuchUser@localhost>\r\n", b"5.1.1")
# Accepted: local users, rcpthosts domains that are not local (backup MX),
# source routes stripped, postmaster without a domain.
for a in (b"terntestsd@tern.test", b"TernTestSd@TERN.TEST", b"@relay.example,@x.example:terntestsd@tern.test",
          b"anyone@backup.example", b"anyone@mx.sub.example", b"postmaster", b"terntestsd@localhost"):
    c.expect(250, b"RCPT TO:<" + a + b">\r\n", b"2.1.5")
c.expect(354, b"DATA\r\n")
c.expect(250, b"Subject: relay test\r\n\r\nx\r\n.\r\n")
c.expect(221, b"QUIT\r\n")
print("ok")
PY
smtpd_session "$TEST_ROOT/relay.py" || fail "non-relay session"
tern_log smtpd | grep -q 'event=rcpt .*to=someone@far.example reply=550\\x205.7.1' ||
	{ tern_log smtpd; fail "refused recipient not logged with its code"; }

# A relay client (RELAYCLIENT from tcprules) may send anywhere; unknown
# local users are still refused.
svc -dx "$TERN_HOME/service/smtpd" "$TERN_HOME/service/smtpd/log" 2>/dev/null
rm -f "$TERN_HOME/service/smtpd"
tern_wait_for 20 sh -c "! svok '$TERN_HOME/service-available/smtpd' 2>/dev/null" || true
SMTPD_PORT=$(tern_port) SMTPD_RULES='127.0.0.1:allow,RELAYCLIENT=""' smtpd_start
cat > "$TEST_ROOT/relay2.py" <<'PY'
c = Conn()
c.expect(220)
c.expect(250, b"EHLO insider.example\r\n")
c.expect(250, b"MAIL FROM:<a@example.net>\r\n")
c.expect(250, b"RCPT TO:<someone@far.example>\r\n")
c.expect(250, b"RCPT TO:<other!user@far.example>\r\n")
c.expect(550, b"RCPT TO:<nosuchuser@tern.test>\r\n", b"5.1.1")
c.expect(221, b"QUIT\r\n")
print("ok")
PY
smtpd_session "$TEST_ROOT/relay2.py" || fail "relay session"

# No rcpthosts: nothing is relayed, local users still get mail.
rm -f "$TERN_HOME/control/rcpthosts"
cat > "$TEST_ROOT/relay3.py" <<'PY'
import os
c = Conn()
c.expect(220)
c.expect(250, b"EHLO outsider.example\r\n")
c.expect(250, b"MAIL FROM:<a@example.net>\r\n")
c.expect(550, b"RCPT TO:<anyone@backup.example>\r\n", b"5.7.1")
c.expect(250, b"RCPT TO:<terntestsd@tern.test>\r\n")
c.expect(221, b"QUIT\r\n")
print("ok")
PY
# The relay rules are still in force on this port: use -bs style instead
# (smtpd-recv on stdin/stdout, no TCP environment: a non-relay client).
/usr/bin/python3 - "$TERN_HOME/bin/smtpd-recv" <<'PY' || fail "no-rcpthosts session"
import subprocess, sys, os
env = {"PATH": "/usr/bin:/bin"}
p = subprocess.run([sys.argv[1]], input=b"EHLO local\r\nMAIL FROM:<a@example.net>\r\n"
                   b"RCPT TO:<anyone@backup.example>\r\nRCPT TO:<terntestsd@tern.test>\r\nQUIT\r\n",
                   capture_output=True, env=env, timeout=60)
out = p.stdout.decode()
lines = [l for l in out.split("\r\n") if l[:3].isdigit() and l[3:4] == " "]
codes = [l[:9] for l in lines]
want = ["220 tern.", "250 HELP", "250 2.1.0", "550 5.7.1", "250 2.1.5", "221 2.0.0"]
if codes != want:
    print(out, p.stderr.decode()); sys.exit(1)
PY
exit 0
