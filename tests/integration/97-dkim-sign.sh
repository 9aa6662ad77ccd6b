#!/bin/bash
# dkim-sign as the queue filter of an smtpd service: mail arriving over
# SMTP (swaks, smtplib) is signed for the domain of its From: address and
# verified by a third-party verifier, python3-dkim's dkimverify, which
# fetches the public key printed by dkim-keygen from a dnsmasq zone.
# Covers folded headers, long lines, an 8-bit body, an empty body, a
# subdomain signed by its parent's key, a foreign domain left unsigned,
# a tampered message failing, and the key's permissions.
. "$TERN_SRC/tests/lib.sh"
. "$TERN_SRC/tests/integration/helpers/smtpd.sh"
tern_need dkim-sign dkim-keygen smtpd-recv
command -v dkimverify > /dev/null || fail "dkimverify (python3-dkim) is not installed"
command -v dnsmasq > /dev/null || fail "dnsmasq is not installed"
command -v unshare > /dev/null || fail "unshare is not installed"
tern_instance_new
smtpd_user terntestdk
T=$TEST_ROOT/dkim
rm -rf "$T"; mkdir -p "$T"

# The key, and where it lives.
"$TERN_HOME/bin/dkim-keygen" tern.test sel1 > "$T/record" || fail "dkim-keygen"
grep -q '^sel1._domainkey.tern.test. IN TXT ( "v=DKIM1; k=rsa; p=' "$T/record" || { cat "$T/record"; fail "record"; }
"$TERN_HOME/bin/dkim-keygen" tern.test sel1 > /dev/null 2>&1 && fail "dkim-keygen replaced a key without -f"
key=$TERN_HOME/control/dkim/tern.test/private.key
[ "$(stat -c '%U:%G %a' "$key")" = "root:tern-dkim 640" ] || fail "key is $(stat -c '%U:%G %a' "$key")"
[ "$(stat -c '%U:%G %a' "$TERN_HOME/bin/dkim-sign")" = "root:tern-dkim 2755" ] || fail "dkim-sign mode"
for u in nobody tern-recv tern-queue tern-send tern-relay tern-tls tern-log tern-alias terntestdk; do
	su -s /bin/sh "$u" -c "cat '$key'" > /dev/null 2>&1 && fail "$u can read the DKIM key"
done

# A zone for the verifier: dnspython reads /etc/resolv.conf, so dkimverify
# runs in a mount namespace where that names dnsmasq on 127.x.y.z:53.
ns=127.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))
p=$(sed -n 's/.*p=\([^"]*\)" "\([^"]*\)".*/\1\2/p;s/.*p=\([^"]*\)" ).*/\1/p' "$T/record" | head -n 1)
[ -n "$p" ] || fail "no key in the record"
txt="v=DKIM1; k=rsa; p=$p"
dnsmasq --no-daemon --port=53 --listen-address="$ns" --bind-interfaces --no-resolv --no-hosts \
	--conf-file=/dev/null --log-facility=- \
	--txt-record="sel1._domainkey.tern.test,${txt:0:200},${txt:200}" > "$T/dnsmasq.log" 2>&1 &
dns_pid=$!
trap 'kill $dns_pid 2>/dev/null; tern_stop' EXIT
echo "nameserver $ns" > "$T/resolv.conf"
verify() {  # FILE: 0 if dkimverify accepts it (as a peer sees it, CRLF)
	sed 's/$/\r/' "$1" > "$1.crlf"
	unshare -m sh -c 'mount --bind "$1" /etc/resolv.conf && dkimverify < "$2"' sh "$T/resolv.conf" "$1.crlf"
}

smtpd_start QUEUE_INJECT="$TERN_HOME/bin/dkim-sign"
send() {  # FROM SUBJECT-TAG: message on stdin, by smtplib
	cat > "$T/send.msg"
	/usr/bin/python3 - "$SMTPD_PORT" "$1" "$T/send.msg" <<'PY' || fail "smtplib: $2"
import smtplib, sys
port, frm = int(sys.argv[1]), sys.argv[2]
msg = open(sys.argv[3], "rb").read()
s = smtplib.SMTP("127.0.0.1", port)
s.sendmail(frm, ["terntestdk@tern.test"], msg, mail_options=["BODY=8BITMIME"])
s.quit()
PY
}
long=$(head -c 990 /dev/zero | tr '\0' x)
printf 'From: A <a@tern.test>\r\nTo: terntestdk@tern.test,\r\n  other@example.com\r\nSubject: one\r\n\t folded  subject\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\n\r\nline with  spaces \t\r\n\r\n\r\n' | send a@tern.test folded
printf 'From: a@tern.test\r\nSubject: two\r\n\r\n%s\r\n%s y\r\n' "$long" "$long" | send a@tern.test long
printf 'From: a@tern.test\r\nSubject: three\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGr\xc3\xbc\xc3\x9fe, J\xc3\xb6rg \xe2\x82\xac\r\n' | send a@tern.test 8bit
printf 'From: a@tern.test\r\nSubject: four\r\n\r\n' | send a@tern.test empty
printf 'From: b@sub.tern.test\r\nSubject: five\r\n\r\nfrom a subdomain\r\n' | send b@sub.tern.test sub
printf 'From: c@example.com\r\nSubject: six\r\n\r\nnot ours\r\n' | send c@example.com foreign

smtpd_settle
n=$(smtpd_messages terntestdk | wc -l)
[ "$n" -eq 6 ] || { tern_log smtpd; fail "want 6 messages, have $n"; }
for f in $(smtpd_messages terntestdk); do
	smtpd_body "$f" > "$T/m"
	subj=$(sed -n 's/^Subject: \([a-z]*\).*/\1/p' "$T/m" | head -n 1)
	case $subj in
	six)
		grep -q '^DKIM-Signature:' "$T/m" && fail "a foreign From: domain was signed" ;;
	*)
		grep -q '^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=tern.test; s=sel1;' "$T/m" ||
			{ cat "$T/m"; fail "message $subj not signed"; }
		verify "$T/m" > "$T/v.$subj" 2>&1 || { cat "$T/m" "$T/v.$subj" "$T/dnsmasq.log"; fail "dkimverify refused message $subj"; }
		if [ "$subj" = one ]; then
			# A changed body must fail, or the check above proves nothing.
			sed 's/line with/LINE with/' "$T/m" > "$T/bad"
			verify "$T/bad" > /dev/null 2>&1 && fail "dkimverify accepted a tampered message"
		fi ;;
	esac
done

# Limits: a header line over 64 KiB, a header over 1 MiB and more than
# 10000 fields are refused with exit 33 (too large) and queue nothing.
env=$(printf 'Fa@tern.test\0Tterntestdk@tern.test\0\0' | base64)
limit() {  # NAME: message on stdin; dkim-sign as the test user, real queue-inject behind
	cat > "$T/big"
	chmod 0644 "$T/big"
	echo "$env" | base64 -d > "$T/env"
	su -s /bin/sh terntestdk -c "'$TERN_HOME/bin/dkim-sign' < '$T/big' 1< '$T/env'" 2> "$T/err"
	rc=$?
	[ $rc -eq 33 ] || { cat "$T/err"; fail "$1: exit $rc, want 33"; }
	[ -z "$(find "$TERN_HOME/queue/mess" "$TERN_HOME/queue/pid" -type f)" ] || fail "$1: something was queued"
}
{ printf 'From: a@tern.test\nX-Long: '; head -c 70000 /dev/zero | tr '\0' x; printf '\n\nbody\n'; } | limit "long header line"
{ printf 'From: a@tern.test\n'; for i in $(seq 40); do printf 'X-Big: '; head -c 30000 /dev/zero | tr '\0' y; printf '\n'; done; printf '\nbody\n'; } | limit "1 MiB header"
{ printf 'From: a@tern.test\n'; seq 10001 | sed 's/^/X-N: /'; printf '\nbody\n'; } | limit "10001 fields"
grep -q 'dkim-sign: warning: more than 10000 header fields' "$T/err" || fail "no clear reason: $(cat "$T/err")"
echo "all signed messages verified, limits hold"
