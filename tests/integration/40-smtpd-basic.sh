#!/bin/bash
# smtpd-recv basics under the real tcpserver: swaks, Python smtplib and
# curl deliver; the Received line and envelope are right; DSN parameters
# reach the envelope; every reply has an enhanced status code; the log
# has one line per event.
. "$TERN_SRC/tests/lib.sh"
. "$TERN_SRC/tests/integration/helpers/smtpd.sh"
tern_need smtpd-recv queue-inject
tern_instance_new
smtpd_user terntestsd
smtpd_start

# swaks, plain ESMTP.
out=$(swaks --server "$SMTPD_IP:$SMTPD_PORT" --from sender@example.net --to terntestsd@tern.test \
	--helo client.example --header "Subject: swaks one" --body "hello from swaks" 2>&1) ||
	{ echo "$out"; fail "swaks failed"; }
echo "$out" | grep -q '<-  250 2.0.0 ok' || { echo "$out"; fail "no 250 after DATA"; }
echo "$out" | grep -q '<-  220 tern.test ESMTP' || { echo "$out"; fail "greeting"; }
for kw in PIPELINING 'SIZE 52428800' 8BITMIME ENHANCEDSTATUSCODES SMTPUTF8 DSN; do
	echo "$out" | grep -q "<-  250[- ]$kw\$" || { echo "$out"; fail "EHLO lacks $kw"; }
done
echo "$out" | grep -q 'STARTTLS\|AUTH' && fail "STARTTLS/AUTH offered without TLS or authprogram"

# Python smtplib with DSN parameters.
/usr/bin/python3 - "$SMTPD_PORT" <<'PY' || fail "smtplib"
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), local_hostname="py.example")
s.ehlo()
assert s.has_extn("dsn")
msg = b"Subject: smtplib two\r\n\r\nline one\r\n.leading dot\r\n"
s.sendmail("py@example.net", ["terntestsd@tern.test"], msg,
           mail_options=["RET=HDRS", "ENVID=py+2Benv", "BODY=8BITMIME", "SIZE=100"],
           rcpt_options=["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;terntestsd@tern.test"])
for cmd, want in (("VRFY x", 252), ("HELP", 214), ("NOOP", 250), ("EXPN x", 502), ("XYZZY", 500)):
    code, text = s.docmd(cmd)
    assert code == want, (cmd, code, text)
    assert text[:2] in (b"2.", b"5.", b"4."), (cmd, text)
s.quit()
PY

# curl.
printf 'Subject: curl three\r\n\r\nfrom curl\r\n' > "$TEST_ROOT/curl.msg"
curl -s --max-time 30 "smtp://127.0.0.1:$SMTPD_PORT/curl.example" --mail-from c@example.net \
	--mail-rcpt terntestsd@tern.test -T "$TEST_ROOT/curl.msg" || fail "curl failed"

smtpd_settle
n=$(smtpd_messages terntestsd | wc -l)
[ "$n" -eq 3 ] || fail "want 3 messages, have $n"
for f in $(smtpd_messages terntestsd); do
	body=$(smtpd_body "$f")
	case $body in
	*"swaks one"*) echo "$body" | grep -q '^Received: from client.example (\[127.0.0.1\])$' ||
		{ echo "$body"; fail "Received line of swaks"; }
		echo "$body" | grep -q 'by tern.test with ESMTP id ' || { echo "$body"; fail "by/with"; } ;;
	*"smtplib two"*)
		echo "$body" | grep -qx '.leading dot' || { echo "$body"; fail "dot-unstuffing"; }
		printf '%s' "$body" | grep -q $'\r' && fail "CR left in a queued message"
		if ! smtpd_delivers; then
			env=$(smtpd_envelope "$f")
			[ "$env" = "$(printf 'Fpy@example.net\nEpy+2Benv\nRHDRS\nTterntestsd@tern.test\nNSUCCESS,FAILURE\nOrfc822;terntestsd@tern.test')" ] ||
				{ echo "$env"; fail "DSN envelope"; }
		fi ;;
	*"curl three"*) ;;
	*) echo "$body"; fail "unexpected message" ;;
	esac
done

# The log: one line per event with the client's address.
log=$(tern_log smtpd)
for ev in connect helo mail rcpt data quit; do
	echo "$log" | grep -q "event=$ev .*ip=127.0.0.1" || { echo "$log"; fail "no $ev event in the log"; }
done
exit 0
