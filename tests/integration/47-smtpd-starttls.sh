#!/bin/bash
# STARTTLS and SMTPS through the real tls-server (UCSPI-TLS): STARTTLS is
# offered only in clear, AUTH only inside TLS; cleartext pipelined after
# STARTTLS is refused (CVE-2011-0411); the session is reset after the
# handshake; Received says ESMTPS/ESMTPSA with the TLS version and cipher.
. "$TERN_SRC/tests/lib.sh"
. "$TERN_SRC/tests/integration/helpers/smtpd.sh"
tern_need smtpd-recv queue-inject tls-server
command -v openssl > /dev/null || skip "no openssl"
tern_instance_new
smtpd_user terntestsd
sh "$TERN_SRC/scripts/make-cert" --home "$TERN_HOME" > /dev/null || fail "make-cert failed"
cat > "$TEST_ROOT/checkpw" <<'SH'
#!/bin/bash
IFS= read -r -d '' user <&3
IFS= read -r -d '' pass <&3
[ "$user:$pass" = good:secret ] && exec "$@"
exit 1
SH
chmod 0755 "$TEST_ROOT/checkpw"
echo "$TEST_ROOT/checkpw" > "$TERN_HOME/control/authprogram"
pids=
trap 'kill $pids 2>/dev/null; tern_stop' EXIT
serve() {  # port tls-server-args...
	local port=$1
	shift
	tcpserver -R -H -l tern.test 127.0.0.1 "$port" "$TERN_HOME/bin/tls-server" "$@" \
		"$TERN_HOME/bin/smtpd-recv" >> "$TEST_ROOT/tls-smtpd.log" 2>&1 &
	pids="$pids $!"
	tern_wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null || fail "tcpserver on $port did not start"
}
p1=$(tern_port); serve "$p1"
p2=$(tern_port); serve "$p2" -Z

/usr/bin/python3 - "$p1" <<'PY' || fail "STARTTLS sessions"
import smtplib, ssl, socket, sys
port = int(sys.argv[1])
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
def check(cond, what):
    if not cond:
        print("FAIL:", what); sys.exit(1)
s = smtplib.SMTP("127.0.0.1", port, timeout=30)
code, msg = s.ehlo("tls.example")
check(b"STARTTLS" in msg and b"AUTH" not in msg, "clear EHLO: %r" % msg)
code, msg = s.docmd("AUTH", "PLAIN AGdvb2QAc2VjcmV0")
check(code == 503, "AUTH in clear: %d %r" % (code, msg))
s.starttls(context=ctx)
code, msg = s.docmd("MAIL", "FROM:<a@example.net>")
check(code == 503, "session not reset after STARTTLS: %d %r" % (code, msg))
code, msg = s.ehlo("tls.example")
check(b"STARTTLS" not in msg and b"AUTH PLAIN LOGIN" in msg, "TLS EHLO: %r" % msg)
s.login("good", "secret")
s.sendmail("a@example.net", ["terntestsd@tern.test"], b"Subject: over tls\r\n\r\nx\r\n")
code, msg = s.docmd("STARTTLS")
check(code == 503, "second STARTTLS: %d" % code)
s.quit()
# Cleartext pipelined after STARTTLS: refused, connection closed.
c = socket.create_connection(("127.0.0.1", port), timeout=30)
f = c.makefile("rb")
check(f.readline().startswith(b"220"), "greeting")
c.sendall(b"EHLO x\r\n")
while not f.readline().startswith(b"250 "):
    pass
c.sendall(b"STARTTLS\r\nMAIL FROM:<evil@example.net>\r\n")
line = f.readline()
check(line.startswith(b"554 5.5.0"), "pipelined STARTTLS: %r" % line)
check(f.readline() == b"", "still open")
print("ok")
PY
swaks --server 127.0.0.1:"$p2" --tlsc --from a@example.net --to terntestsd@tern.test \
	--header "Subject: over smtps" > "$TEST_ROOT/swaks.out" 2>&1 || { cat "$TEST_ROOT/swaks.out"; fail "swaks SMTPS"; }
smtpd_settle
tls=0
for f in $(smtpd_messages terntestsd); do
	body=$(smtpd_body "$f")
	case $body in
	*"Subject: over tls"*)
		echo "$body" | grep -q 'with ESMTPSA id' || { echo "$body"; fail "not ESMTPSA"; }
		echo "$body" | grep -q '(TLSv1\.[23] ECDHE-' || { echo "$body"; fail "no TLS info"; }
		tls=$((tls + 1)) ;;
	*"Subject: over smtps"*)
		echo "$body" | grep -q 'with ESMTPS id' || { echo "$body"; fail "not ESMTPS"; }
		tls=$((tls + 1)) ;;
	esac
done
[ $tls -eq 2 ] || fail "want 2 TLS messages, have $tls"
exit 0
