#!/bin/bash
# SMTP AUTH (PLAIN, LOGIN) through a checkpassword program, on a listener
# declared secure with SMTPAUTH_INSECURE=1 (TLS itself is test 47):
# success allows relaying and says ESMTPA; bad, malformed, cancelled and
# temporary failures get their codes; AUTH_REQUIRED and STARTTLS_REQUIRED.
. "$TERN_SRC/tests/lib.sh"
. "$TERN_SRC/tests/integration/helpers/smtpd.sh"
tern_need smtpd-recv queue-inject
tern_instance_new
smtpd_user terntestsd
# A checkpassword: good/secret is right, temp/x is a temporary failure.
cat > "$TEST_ROOT/checkpw" <<'SH'
#!/bin/bash
IFS= read -r -d '' user <&3
IFS= read -r -d '' pass <&3
case $user:$pass in
good:secret) exec "$@" ;;
temp:*) exit 111 ;;
esac
exit 1
SH
chmod 0755 "$TEST_ROOT/checkpw"
echo "$TEST_ROOT/checkpw" > "$TERN_HOME/control/authprogram"
smtpd_start SMTPAUTH_INSECURE=1

cat > "$TEST_ROOT/auth.py" <<'PY'
import base64
b = lambda s: base64.b64encode(s)
c = Conn()
c.expect(220)
text = c.expect(250, b"EHLO auth.example\r\n")
if b"AUTH PLAIN LOGIN" not in text:
    fail("AUTH not offered: %r" % text)
c.expect(250, b"MAIL FROM:<a@example.net>\r\n")
c.expect(550, b"RCPT TO:<x@far.example>\r\n", b"5.7.1")
c.expect(503, b"AUTH PLAIN " + b(b"\0good\0secret") + b"\r\n", b"5.5.1")
c.expect(250, b"RSET\r\n")
c.expect(535, b"AUTH PLAIN " + b(b"\0good\0wrong") + b"\r\n", b"5.7.8")
c.expect(501, b"AUTH PLAIN !!notbase64\r\n", b"5.5.2")
c.expect(334, b"AUTH LOGIN\r\n")
c.expect(501, b"*\r\n")
c.expect(454, b"AUTH PLAIN " + b(b"\0temp\0x") + b"\r\n", b"4.7.0")
c.expect(504, b"AUTH CRAM-MD5\r\n", b"5.5.4")
c.expect(334, b"AUTH LOGIN\r\n", b"VXNlcm5hbWU6")
c.expect(334, b(b"good") + b"\r\n", b"UGFzc3dvcmQ6")
c.expect(235, b(b"secret") + b"\r\n", b"2.7.0")
c.expect(503, b"AUTH PLAIN " + b(b"\0good\0secret") + b"\r\n", b"5.5.1")
c.expect(250, b"MAIL FROM:<a@example.net>\r\n")
c.expect(250, b"RCPT TO:<x@far.example>\r\n")
c.expect(250, b"RCPT TO:<terntestsd@tern.test>\r\n")
c.expect(550, b"RCPT TO:<nosuchuser@tern.test>\r\n", b"5.1.1")
c.expect(354, b"DATA\r\n")
c.expect(250, b"Subject: authenticated\r\n\r\nx\r\n.\r\n")
c.expect(221, b"QUIT\r\n")
print("ok")
PY
smtpd_session "$TEST_ROOT/auth.py" || fail "auth session"
swaks --server "$SMTPD_IP:$SMTPD_PORT" --from a@example.net --to terntestsd@tern.test \
	--auth PLAIN --auth-user good --auth-password secret --header "Subject: swaks plain" > "$TEST_ROOT/swaks.out" 2>&1 ||
	{ cat "$TEST_ROOT/swaks.out"; fail "swaks AUTH PLAIN"; }
smtpd_settle
found=
for f in $(smtpd_messages terntestsd); do
	body=$(smtpd_body "$f")
	case $body in *"Subject: authenticated"*)
		echo "$body" | grep -q 'with ESMTPA id' || { echo "$body"; fail "not ESMTPA"; }
		echo "$body" | grep -q '(authenticated user good)' || { echo "$body"; fail "no auth user"; }
		found=1 ;;
	esac
done
[ -n "$found" ] || fail "the authenticated message did not arrive"
tern_log smtpd | grep -q 'event=auth .*user=good reply=235' || fail "AUTH not logged"
tern_log smtpd | grep -q 'secret' && fail "a password reached the log"

# AUTH_REQUIRED and STARTTLS_REQUIRED (smtpd-recv on stdin/stdout).
run_bs() {  # ENV... -- expected reply codes, in order
	/usr/bin/python3 - "$TERN_HOME/bin/smtpd-recv" "$@" <<'PY'
import subprocess, sys
args = sys.argv[2:]
cut = args.index("--")
env = {"PATH": "/usr/bin:/bin"}
for kv in args[:cut]:
    k, v = kv.split("=", 1); env[k] = v
want = args[cut + 1:]
p = subprocess.run([sys.argv[1]], env=env, timeout=60, capture_output=True,
                   input=b"EHLO x\r\nMAIL FROM:<a@example.net>\r\nAUTH PLAIN AGdvb2QAc2VjcmV0\r\n"
                         b"MAIL FROM:<a@example.net>\r\nQUIT\r\n")
got = [l[:9].decode() for l in p.stdout.split(b"\r\n") if l[3:4] == b" "]
if got != want:
    print(p.stdout.decode(), p.stderr.decode(), got, want); sys.exit(1)
PY
}
run_bs SMTPAUTH_INSECURE=1 AUTH_REQUIRED=1 -- "220 tern." "250 HELP" "530 5.7.0" "235 2.7.0" "250 2.1.0" "221 2.0.0" ||
	fail "AUTH_REQUIRED"
run_bs SMTPAUTH_INSECURE=1 STARTTLS_REQUIRED=1 -- "220 tern." "250 HELP" "530 5.7.0" "530 5.7.0" "530 5.7.0" "221 2.0.0" ||
	fail "STARTTLS_REQUIRED"
run_bs -- "220 tern." "250 HELP" "250 2.1.0" "503 5.5.1" "503 5.5.1" "221 2.0.0" || fail "AUTH without TLS"
exit 0
