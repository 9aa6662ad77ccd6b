# Sourced by tests/integration/63-relay-tls.sh and 64-relay-auth.sh after
# relay_lib.sh: a test CA, certificates signed by it, TLS-capable peers
# (relaytls_peer.py, aiosmtpd) and a relay run as tern-relay.

# relaytls_ca: a CA in $RT/ca ($RT/ca/ca.pem), valid two days.
relaytls_ca() {
	command -v openssl > /dev/null || skip "no openssl"
	/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || skip "python3-aiosmtpd is not installed"
	mkdir -p "$RT/ca"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$RT/ca/ca.key" \
		-out "$RT/ca/ca.pem" -days 2 -subj /CN=tern-relaytls-CA > /dev/null 2>&1 || fail "cannot make the CA"
	chmod 0644 "$RT/ca/ca.pem"
}

# relaytls_leaf NAME: $RT/ca/NAME.pem and NAME.key, a certificate for the
# DNS name NAME signed by the test CA.
relaytls_leaf() {
	local n=$1
	openssl req -newkey rsa:2048 -nodes -keyout "$RT/ca/$n.key" -out "$RT/ca/$n.csr" -subj "/CN=$n" \
		> /dev/null 2>&1 || fail "cannot make the CSR for $n"
	printf 'subjectAltName=DNS:%s\n' "$n" > "$RT/ca/$n.ext"
	openssl x509 -req -in "$RT/ca/$n.csr" -CA "$RT/ca/ca.pem" -CAkey "$RT/ca/ca.key" -CAcreateserial \
		-out "$RT/ca/$n.pem" -days 2 -extfile "$RT/ca/$n.ext" > /dev/null 2>&1 || fail "cannot sign $n"
}

# relaytls_pin NAME: the sha256 pin (hex) of NAME's public key.
relaytls_pin() {
	openssl x509 -in "$RT/ca/$1.pem" -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1
}

# relaytls_peer NAME HOST PORT [relaytls_peer.py options]: records to $RT/NAME.json.
# (TLS set-up makes it slower to start: up to 20 s.)
relaytls_peer() { relay_peer_script relaytls_peer.py 20 "$@"; }

# relaytls_flush: relay_flush, but remote-spawn and relay-remote run as
# tern-relay:tern as under queue-start, so control/relayauth (0640
# root:tern) is read with the real rights.
relaytls_flush() {
	(cd "$TERN_HOME" && setpriv --reuid=tern-relay --regid=tern --init-groups \
		/usr/bin/python3 "$RELAY_HELPERS/relay_jobs.py" "$TERN_HOME" \
		"$TERN_HOME/bin/remote-spawn" "$TERN_HOME/bin/relay-remote" "$RT/reports.json") \
		2>> "$RT/relay.log" || fail "relay run failed: $(cat "$RT/relay.log")"
	! grep -q 'Sanitizer\|runtime error' "$RT/relay.log" || fail "sanitizer report: $(cat "$RT/relay.log")"
}

# relaytls_text RCPT: the last reported text for a recipient.
relaytls_text() {
	/usr/bin/python3 -c 'import json,sys
t = ""
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["rcpt"] == sys.argv[2]: t = r["text"]
print(t)' "$RT/reports.json" "$1"
}

# relaytls_expect RCPT STATUS TEXT-GLOB: the recipient's last report.
relaytls_expect() {
	local st text
	st=$(relay_status "$1")
	text=$(relaytls_text "$1")
	[ "$st" = "$2" ] || fail "$1: status '$st', want $2 ($text); log: $(tail -n 5 "$RT/relay.log")"
	# The third argument is a glob.
	# shellcheck disable=SC2053
	[[ $text == $3 ]] || fail "$1: text '$text' does not match '$3'"
}

# relaytls_field FILE EV KEY: the values of KEY in the peer's EV events, one per line.
relaytls_field() {
	/usr/bin/python3 -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["ev"] == sys.argv[2]: print(r.get(sys.argv[3]))' "$1" "$2" "$3"
}
