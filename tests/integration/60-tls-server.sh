#!/bin/bash
# tls-server under tcpserver: STARTTLS and SMTPS (-Z) with Python's
# smtplib and openssl s_client against a small UCSPI-TLS program
# (helpers/tls_ucspi.py) and, when built, against smtpd-recv through the
# submission and smtps services (swaks). Checks: TLS 1.2 + ECDHE only,
# uids (the program cannot open the key), SNI, large transfers both
# ways, handshake time-out, behaviour without a certificate.
. "$TERN_SRC/tests/lib.sh"
tern_need tls-server
command -v openssl > /dev/null || skip "no openssl"
tern_instance_new
sh "$TERN_SRC/scripts/make-cert" --home "$TERN_HOME" > /dev/null || fail "make-cert failed"
key=$TERN_HOME/tls/serverkey.pem
[ "$(stat -c '%U %a' "$key")" = "root 600" ] || fail "key mode: $(stat -c '%U %a' "$key")"

d=$TEST_ROOT/tlstest
rm -rf "$d"
mkdir -p "$d"
chmod 0755 "$d"
cp "$TERN_SRC/tests/integration/helpers/tls_ucspi.py" "$d/helper.py"
chmod 0755 "$d/helper.py"
pids=
trap 'kill $pids 2>/dev/null; tern_stop' EXIT

serve() {  # port tls-server-args...
	local port=$1
	shift
	tcpserver -R -H -l tern.test 127.0.0.1 "$port" "$TERN_HOME/bin/tls-server" "$@" \
		>> "$d/server.log" 2>&1 &
	pids="$pids $!"
	tern_wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null || fail "tcpserver on $port did not start"
}
p1=$(tern_port); serve "$p1" -t 3 "$d/helper.py"
p2=$(tern_port); serve "$p2" -Z -t 3 "$d/helper.py"

recv_uid=$(id -u tern-recv) tls_uid=$(id -u tern-tls)

# STARTTLS and SMTPS with smtplib; while the sessions are open, look at
# the uids of the processes behind them.
/usr/bin/python3 - "$p1" "$p2" "$key" "$recv_uid" "$tls_uid" "$d/helper.py" <<'PY' || fail "smtplib sessions"
import smtplib, ssl, sys, os, subprocess
p1, p2, key, recv_uid, tls_uid, helper = sys.argv[1:]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
def check(cond, what):
    if not cond:
        print("FAIL:", what); sys.exit(1)
s = smtplib.SMTP("127.0.0.1", int(p1), timeout=20)
code, msg = s.ehlo(); check(b"STARTTLS" in msg, "STARTTLS offered")
code, msg = s.docmd("INFO"); check(msg == b"none", "no TLS yet: %r" % msg)
s.starttls(context=ctx); s.ehlo()
check(s.sock.version() == "TLSv1.2", "version %s" % s.sock.version())
check(s.sock.cipher()[0].startswith("ECDHE-"), "cipher %r" % (s.sock.cipher(),))
code, msg = s.docmd("INFO")
check(msg.decode() == "TLSv1.2 " + s.sock.cipher()[0], "control line %r" % msg)
code, msg = s.docmd("UID"); check(msg.split()[0].decode() == recv_uid, "program uid %r" % msg)
code, msg = s.docmd("KEY", key); check(code == 550, "program opened the key: %r" % msg)
# 500 KB down, 300 KB up across many records.
code, msg = s.docmd("BIG", "500"); check(code == 250 and msg.count(b"\n") == 500, "BIG: %d lines" % msg.count(b"\n"))
for i in range(300):
    code, msg = s.docmd("ECHO", "y" * 990)
    check(code == 250 and len(msg) == 990, "ECHO %d" % i)
# uids of the processes serving this connection: tls-server = tern-tls,
# the program = tern-recv.
out = subprocess.run(["ps", "-eo", "uid=,args="], capture_output=True, text=True).stdout
tls_uids = {l.split()[0] for l in out.splitlines() if "bin/tls-server -t 3" in l and "tcpserver" not in l}
prog_uids = {l.split()[0] for l in out.splitlines() if l.split(None, 1)[1].startswith("/usr/bin/python3 " + helper)}
check(tls_uids == {tls_uid}, "tls-server uids %r" % tls_uids)
check(prog_uids == {recv_uid}, "program uids %r" % prog_uids)
check(s.quit()[0] == 221, "quit")
z = smtplib.SMTP_SSL("127.0.0.1", int(p2), timeout=20, context=ctx)
code, msg = z.ehlo(); check(b"STARTTLS" not in msg, "no STARTTLS under -Z")
code, msg = z.docmd("INFO"); check(msg.decode().startswith("TLSv1.2 ECDHE-"), "-Z env %r" % msg)
code, msg = z.docmd("UID"); check(msg.split()[0].decode() == recv_uid, "-Z program uid %r" % msg)
code, msg = z.docmd("BIG", "200"); check(code == 250 and msg.count(b"\n") == 200, "-Z BIG")
check(z.quit()[0] == 221, "-Z quit")
PY

sclient() {  # port extra-args...; reads commands on stdin
	local port=$1
	shift
	timeout 20 openssl s_client -connect "127.0.0.1:$port" -ign_eof "$@" 2>&1
}
# SNI reaches the program, lower-cased; openssl's -starttls smtp works.
out=$( (sleep 1; printf 'INFO\r\nQUIT\r\n') | sclient "$p2" -servername TERN.test)
case $out in *"250 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 sni=tern.test"*) ;; *) fail "-Z sni: $out" ;; esac
out=$( (sleep 1; printf 'INFO\r\nQUIT\r\n') | sclient "$p1" -starttls smtp -servername tern.test)
case $out in *"250 TLSv1.2 ECDHE-RSA-"*" sni=tern.test"*"221 bye"*) ;; *) fail "s_client starttls: $out" ;; esac
# Only TLS 1.2 with ECDHE.
for args in "-tls1_1" "-tls1" "-tls1_3" "-tls1_2 -cipher AES128-GCM-SHA256:AES256-SHA"; do
	# shellcheck disable=SC2086
	out=$(echo QUIT | sclient "$p2" $args)
	case $out in *"Cipher is (NONE)"*) ;; *) fail "$args was accepted: $out" ;; esac
	# shellcheck disable=SC2086
	out=$(echo QUIT | sclient "$p1" -starttls smtp $args)
	case $out in *"Cipher is (NONE)"*|*"error"*) ;; *) fail "starttls $args was accepted: $out" ;; esac
done
out=$(echo QUIT | sclient "$p2" -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305)
case $out in *"Cipher is ECDHE-RSA-CHACHA20-POLY1305"*) ;; *) fail "chacha20: $out" ;; esac
grep -q 'reason=handshake\\x20failed' "$d/server.log" || fail "handshake failures not logged"

# Key formats, read per connection: traditional RSA, EC in PKCS#8 and
# SEC1; a key of the wrong type for the certificate is refused.
tls=$TERN_HOME/tls
cp "$tls/servercert.pem" "$d/rsa.crt"; cp "$tls/serverkey.pem" "$d/rsa.key"
zinfo() { (sleep 1; printf 'INFO\r\nQUIT\r\n') | sclient "$p2"; }
openssl rsa -in "$d/rsa.key" -traditional -out "$tls/serverkey.pem" 2> /dev/null || fail "openssl rsa"
grep -q 'BEGIN RSA PRIVATE KEY' "$tls/serverkey.pem" || fail "not a traditional RSA key"
out=$(zinfo); case $out in *"250 TLSv1.2 ECDHE-RSA-"*) ;; *) fail "traditional RSA key: $out" ;; esac
sh "$TERN_SRC/scripts/make-cert" --home "$TERN_HOME" --ec --force > /dev/null || fail "make-cert --ec"
grep -q 'BEGIN PRIVATE KEY' "$tls/serverkey.pem" || fail "not a PKCS#8 key"
out=$(zinfo); case $out in *"250 TLSv1.2 ECDHE-ECDSA-AES128-GCM-SHA256"*) ;; *) fail "EC PKCS#8 key: $out" ;; esac
openssl ec -in "$tls/serverkey.pem" -out "$d/sec1.key" 2> /dev/null && cp "$d/sec1.key" "$tls/serverkey.pem" || fail "openssl ec"
grep -q 'BEGIN EC PRIVATE KEY' "$tls/serverkey.pem" || fail "not a SEC1 key"
out=$(zinfo); case $out in *"250 TLSv1.2 ECDHE-ECDSA-"*) ;; *) fail "EC SEC1 key: $out" ;; esac
cp "$d/rsa.crt" "$tls/servercert.pem"
out=$(zinfo); case $out in *"250 TLSv1.2"*) fail "mismatched key type accepted: $out" ;; esac
grep -q 'does not match the certificate type' "$d/server.log" || fail "mismatch not logged"
cp "$d/rsa.key" "$tls/serverkey.pem"

# Handshake time-out (-t 3): STARTTLS, then silence. The server must hang up.
/usr/bin/python3 - "$p1" <<'PY' || fail "handshake time-out"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
f = s.makefile("rb")
f.readline(); s.sendall(b"STARTTLS\r\n"); l = f.readline()
assert l.startswith(b"220"), l
s.settimeout(30)
assert s.recv(100) == b"", "connection still open"
PY
tern_wait_for 10 grep -q 'reason=handshake\\x20timeout' "$d/server.log" || fail "time-out not logged"

# Idle limit (-i 2): after the handshake, silence ends the session with
# close_notify; the program reads EOF.
p5=$(tern_port); serve "$p5" -i 2 "$d/helper.py"
/usr/bin/python3 - "$p5" <<'PY' || fail "idle time-out"
import smtplib, ssl, sys
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
s.starttls(context=ctx)
s.sock.settimeout(30)
assert s.sock.recv(100) == b"", "session still open"
PY
tern_wait_for 10 grep -q 'reason=idle\\x20timeout' "$d/server.log" || fail "idle time-out not logged"

# A client that leaves before STARTTLS, or in the middle of the handshake:
# nothing stays behind.
for i in 1 2 3; do
	/usr/bin/python3 -c 'import socket,sys; s=socket.create_connection(("127.0.0.1",int(sys.argv[1]))); s.recv(100); s.close()' "$p1"
	/usr/bin/python3 -c 'import socket,sys; s=socket.create_connection(("127.0.0.1",int(sys.argv[1]))); s.sendall(b"\x16\x03\x01\x00\x05hel"); s.close()' "$p2"
done
_none_left() { ! ps -eo args= | grep -v -e tcpserver -e grep | grep -q "bin/tls-server"; }
tern_wait_for 20 _none_left || fail "tls-server processes left: $(ps -eo pid,uid,args | grep bin/tls-server)"

# Without a certificate: STARTTLS is not offered; SMTPS closes at once.
mv "$TERN_HOME/tls/servercert.pem" "$d/cert.saved"
out=$(printf 'EHLO x\r\nQUIT\r\n' | timeout 10 /usr/bin/python3 -c '
import socket,sys
s=socket.create_connection(("127.0.0.1",int(sys.argv[1])),timeout=8)
s.sendall(sys.stdin.buffer.read()); d=b""
while True:
    c=s.recv(4096)
    if not c: break
    d+=c
print(d.decode())' "$p1")
case $out in *STARTTLS*) fail "STARTTLS offered without a certificate: $out" ;; *"221 bye"*) ;; *) fail "no cert: $out" ;; esac
out=$(echo QUIT | sclient "$p2")
case $out in *"Cipher is (NONE)"*|*"errno"*|*"error"*) ;; *) fail "-Z without a certificate: $out" ;; esac
mv "$d/cert.saved" "$TERN_HOME/tls/servercert.pem"

# The real smtpd-recv through the installed services.
if [ -x "$TERN_HOME/bin/smtpd-recv" ] && command -v swaks > /dev/null; then
	p3=$(tern_port) p4=$(tern_port)
	# ASan reserves more address space than softlimit allows.
	mem=; [ "${SANITIZE:-}" = 1 ] && mem=MEMLIMIT=0
	tern_service_start submission IP=127.0.0.1 PORT="$p3" $mem
	tern_service_start smtps IP=127.0.0.1 PORT="$p4" $mem
	tern_wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$p3" 2>/dev/null || fail "submission not listening"
	tern_wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$p4" 2>/dev/null || fail "smtps not listening"
	out=$(swaks -s 127.0.0.1 -p "$p3" --tls --quit-after EHLO 2>&1) || fail "swaks --tls: $out"
	case $out in *"<~  250"*) ;; *) fail "swaks --tls: no EHLO after TLS: $out" ;; esac
	out=$(swaks -s 127.0.0.1 -p "$p4" --tlsc --quit-after EHLO 2>&1) || fail "swaks --tlsc: $out"
	case $out in *"<~  250"*) ;; *"STARTTLS"*) fail "STARTTLS offered on SMTPS: $out" ;; esac
	# While a TLS session is open: smtpd-recv runs as tern-recv, the TLS
	# engine as tern-tls, and tern-recv cannot open the key.
	/usr/bin/python3 - "$p3" "$TERN_HOME" "$recv_uid" "$tls_uid" <<'PY' || fail "uids under the submission service"
import smtplib, ssl, sys, os
port, home, recv_uid, tls_uid = sys.argv[1:]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP("127.0.0.1", int(port), timeout=20)
s.starttls(context=ctx); s.ehlo()
def uids(prog):
    out = set()
    for pid in os.listdir("/proc"):
        try:
            if pid.isdigit() and os.readlink("/proc/%s/exe" % pid) == home + "/bin/" + prog:
                for l in open("/proc/%s/status" % pid):
                    if l.startswith("Uid:"): out.add(tuple(l.split()[1:]))
        except OSError:
            pass
    return out
r, t = uids("smtpd-recv"), uids("tls-server")
assert r == {(recv_uid,) * 4}, "smtpd-recv uids %r" % r
assert t == {(tls_uid,) * 4}, "tls-server uids %r" % t
s.quit()
PY
	setpriv --reuid tern-recv --regid "$(id -g tern-recv)" --clear-groups cat "$key" > /dev/null 2>&1 &&
		fail "tern-recv can read the key"
	# Mail without AUTH is refused on submission even after TLS.
	out=$(swaks -s 127.0.0.1 -p "$p3" --tls -f a@tern.test -t postmaster@tern.test 2>&1)
	case $out in *"<~* 5"[0-9][0-9]*|*"<~* 4"[0-9][0-9]*) ;; *) fail "submission took mail without AUTH: $out" ;; esac
fi
exit 0
