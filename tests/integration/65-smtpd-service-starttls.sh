#!/bin/bash
# The port-25 service as installed (services/smtpd): without a certificate
# it offers no STARTTLS; with one (scripts/make-cert) it runs smtpd-recv
# behind tls-server, STARTTLS works with a real client and the message
# arrives stamped ESMTPS; and a client that pipelines a command after
# STARTTLS (CVE-2011-0411) is refused before any TLS, so the command is
# never executed inside the encrypted session.
. "$TERN_SRC/tests/lib.sh"
tern_need smtpd-recv tls-server queue-manager deliver-local
command -v openssl > /dev/null || skip "openssl is not installed"
tern_instance_new
. "$TERN_SRC/tests/integration/helpers/smtpd.sh"
smtpd_user terntest65

ehlo_has_starttls() {
	/usr/bin/python3 - "$SMTPD_PORT" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20)
s.ehlo("client.test")
ok = s.has_extn("starttls")
s.quit()
sys.exit(0 if ok else 1)
PY
}

# 1. No certificate: plain smtpd, no STARTTLS advertised.
rm -f "$TERN_HOME/tls/servercert.pem" "$TERN_HOME/tls/serverkey.pem"
smtpd_start
if ehlo_has_starttls; then fail "STARTTLS offered without a certificate"; fi

# 2. With a certificate, after a restart, STARTTLS is offered.
sh "$TERN_SRC/scripts/make-cert" --home "$TERN_HOME" > /dev/null || fail "make-cert failed"
svc -t "$TERN_HOME/service/smtpd" 2> /dev/null || s6-svc -t "$TERN_HOME/service/smtpd"
tern_wait_for 20 ehlo_has_starttls || { tern_log smtpd; fail "STARTTLS not offered with a certificate"; }

# The receiver runs as tern-recv under tls-server, and cannot read the key.
/usr/bin/python3 - "$SMTPD_PORT" "$TERN_HOME" <<'PY' || fail "uid or key check failed"
import os, pwd, smtplib, ssl, subprocess, sys, time
port, home = int(sys.argv[1]), sys.argv[2]
s = smtplib.SMTP("127.0.0.1", port, timeout=20)
s.ehlo("client.test")
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s.starttls(context=ctx)
s.ehlo("client.test")
def runs(pid, prog):
    try:
        return os.readlink("/proc/%s/exe" % pid) == prog
    except OSError:
        return False
out = [p for p in os.listdir("/proc") if p.isdigit() and runs(p, home + "/bin/smtpd-recv")]
assert out, "no smtpd-recv process during the session"
for pid in out:
    uid = os.stat("/proc/" + pid).st_uid
    assert pwd.getpwuid(uid).pw_name == "tern-recv", "smtpd-recv runs as uid %d" % uid
key = os.stat(home + "/tls/serverkey.pem")
assert key.st_uid == 0 and (key.st_mode & 0o077) == 0, "the key is readable by others"
s.sendmail("sender@example.org", ["terntest65@tern.test"],
           "Subject: over tls\r\n\r\nencrypted hello\r\n")
s.quit()
PY
tern_wait_count "$TEST_ROOT/users/terntest65/Maildir/new/*" 1 30
msg=$(cat "$TEST_ROOT"/users/terntest65/Maildir/new/*)
echo "$msg" | grep -q "with ESMTPS" || fail "Received: does not say ESMTPS: $msg"
echo "$msg" | grep -q "encrypted hello" || fail "body missing"

# 3. STARTTLS injection: "STARTTLS\r\nRSET\r\n" in one write. The server
# must not start TLS with the pipelined RSET pending (it would be executed
# inside the TLS session); it answers 554 5.5.0 and closes.
/usr/bin/python3 - "$SMTPD_PORT" <<'PY' || fail "STARTTLS injection not refused"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
f = s.makefile("rb")
def reply():
    lines = []
    while True:
        l = f.readline()
        if not l:
            return lines
        lines.append(l)
        if l[3:4] != b"-":
            return lines
assert reply()[0].startswith(b"220")
s.sendall(b"EHLO client.test\r\n")
assert reply()[-1].startswith(b"250")
s.sendall(b"STARTTLS\r\nRSET\r\n")
got = b"".join(reply() + reply())
assert b"554 5.5.0" in got, got
assert not any(l.startswith(b"250") for l in got.split(b"\r\n")), got
assert f.read() == b"", "connection not closed"
PY
echo "ok: STARTTLS on the port-25 service, ESMTPS stamped, injection refused"
