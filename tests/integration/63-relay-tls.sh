#!/bin/bash
# relay-remote's outgoing STARTTLS against a real TLS peer (aiosmtpd with
# a certificate from a test CA): opportunistic TLS when offered; verify
# with the right and a wrong MX name; pin right and wrong; encrypt
# against a peer without STARTTLS; policy none; the STARTTLS response
# injection abort; "may" falling back to cleartext after a failed
# handshake and "encrypt" not doing so; the tls= field of the log.
. "$TERN_SRC/tests/lib.sh"
. "$TERN_SRC/tests/integration/helpers/relay_lib.sh"
. "$TERN_SRC/tests/integration/helpers/relaytls_lib.sh"
export RELAY_BY_HAND=1
relay_init
relaytls_ca
relaytls_leaf mx.good.test
P=$(tern_port)
relay_dns --mx-host=may.test,mx.good.test,10 --mx-host=verify.test,mx.good.test,10 \
	--mx-host=wrongname.test,alias.good.test,10 --mx-host=pin.test,mx.good.test,10 \
	--mx-host=pinbad.test,mx.good.test,10 --mx-host=none.test,mx.good.test,10 \
	--mx-host=sys.test,mx.good.test,10 \
	--mx-host=encrypt.test,mx.plain.test,10 --mx-host=inject.test,mx.inject.test,10 \
	--mx-host=break.test,mx.break.test,10 --mx-host=breakenc.test,mx.break.test,10 \
	--host-record=mx.good.test,127.0.0.2 --host-record=alias.good.test,127.0.0.2 \
	--host-record=mx.plain.test,127.0.0.3 --host-record=mx.inject.test,127.0.0.4 \
	--host-record=mx.break.test,127.0.0.5
relaytls_peer good 127.0.0.2 "$P" --cert "$RT/ca/mx.good.test.pem" --key "$RT/ca/mx.good.test.key"
relay_peer plain 127.0.0.3 "$P"
relaytls_peer inject 127.0.0.4 "$P" --raw inject
relaytls_peer break 127.0.0.5 "$P" --raw breaktls
printf '.test::%s\n' "$P" > "$TERN_HOME/control/smtproutes"
pin=$(relaytls_pin mx.good.test)
cat > "$TERN_HOME/control/tlsdestinations" <<EOT
# may is the default
verify.test:verify
wrongname.test:verify
sys.test:verify
pin.test:pin=sha256:$(printf '%064d' 0),sha256:$pin
pinbad.test:pin=sha256:$(printf '%064d' 1)
none.test:none
encrypt.test:encrypt
breakenc.test:encrypt
EOT
# The test CA replaces the system trust store; sys.test proves that
# without it the certificate is not trusted.
echo "$RT/ca/ca.pem" > "$TERN_HOME/control/tlscafile"

for d in may verify wrongname pin pinbad none encrypt inject break breakenc; do
	tern_message "to $d" "secret body for $d" | relay_send sender@tern.test "u@$d.test"
done
relaytls_flush
# One STARTTLS at the injecting peer: no second connection in cleartext.
check [ "$(grep -c '"ev": "starttls"' "$RT/inject.json")" = 1 ]
# sys.test alone, with the system store (the test CA is unknown there).
rm "$TERN_HOME/control/tlscafile"
tern_message "to sys" | relay_send sender@tern.test u@sys.test
relaytls_flush

# Opportunistic: TLS used, certificate not checked.
relaytls_expect u@may.test K 'remote=mx.good.test\[127.0.0.2\] 250*'
relaytls_expect u@verify.test K 'remote=mx.good.test\[127.0.0.2\] 250*'
relaytls_expect u@pin.test K 'remote=mx.good.test\[127.0.0.2\] 250*'
relaytls_expect u@none.test K 'remote=mx.good.test\[127.0.0.2\] 250*'
/usr/bin/python3 - "$RT/good.json" <<'PY' || fail "what the TLS peer saw: $(cat "$RT/good.json")"
import json, sys
msgs = {m["rcpt"][0]: m for m in map(json.loads, open(sys.argv[1])) if m["ev"] == "msg"}
assert set(msgs) == {"u@may.test", "u@verify.test", "u@pin.test", "u@none.test"}, sorted(msgs)
for d in ("may", "verify", "pin"):
    assert msgs["u@%s.test" % d]["tls"] and msgs["u@%s.test" % d]["cipher"].startswith("ECDHE-"), d
assert not msgs["u@none.test"]["tls"], "none used TLS"
PY
# After STARTTLS the client said EHLO again, under TLS.
check grep -q '"ev": "ehlo", "tls": true' "$RT/good.json"
grep 'event=relay ' "$RT/relay.log" > "$RT/relay-lines"
check grep -q 'to=u@may.test .*tls=TLSv1.2/ECDHE-[A-Z0-9-]* verified=no$' "$RT/relay-lines"
check grep -q 'to=u@verify.test .*tls=TLSv1.2/ECDHE-[A-Z0-9-]* verified=yes$' "$RT/relay-lines"
check grep -q 'to=u@pin.test .*tls=TLSv1.2/ECDHE-[A-Z0-9-]* verified=pin$' "$RT/relay-lines"
check grep -q 'to=u@none.test .*tls=none verified=-$' "$RT/relay-lines"

# Verification failures defer and send nothing.
relaytls_expect u@wrongname.test Z '*4.7.5 TLS failed: certificate does not match the host name*'
relaytls_expect u@sys.test Z '*4.7.5 TLS failed: certificate not trusted*'
relaytls_expect u@pinbad.test Z '*4.7.5 TLS failed: certificate key does not match the pin*'
relaytls_expect u@encrypt.test Z 'remote=mx.plain.test\[127.0.0.3\] 4.7.5 TLS required*does not offer STARTTLS'
check [ "$(relay_count "$RT/plain.json")" = 0 ]
check [ "$(relay_connects "$RT/plain.json")" -ge 1 ]

# Response injection: abort after the 220, nothing more sent, no
# cleartext retry even under "may".
relaytls_expect u@inject.test Z '*4.7.5 the server sent data after its reply to STARTTLS*'
check grep -q '"ev": "starttls"' "$RT/inject.json"
! grep -q '"ev": "raw"\|"ev": "msg"' "$RT/inject.json" || fail "client talked after the injection: $(cat "$RT/inject.json")"

# A failed handshake: may retries the same host in cleartext (and logs
# it); encrypt defers and sends nothing.
relaytls_expect u@break.test K 'remote=mx.break.test\[127.0.0.5\] 250*'
# (the log escapes spaces as \x20)
check grep -q 'event=relay-try domain=break.test .*4.7.5\\x20TLS\\x20failed,\\x20retrying\\x20in\\x20cleartext' "$RT/relay.log"
check grep -q 'to=u@break.test .*tls=none verified=-$' "$RT/relay-lines"
relaytls_expect u@breakenc.test Z '*4.7.5 TLS failed: TLS handshake: connection lost*'
/usr/bin/python3 -c 'import json, sys
m = [r["rcpt"] for r in map(json.loads, open(sys.argv[1])) if r["ev"] == "msg"]
assert m == [["u@break.test"]], m' "$RT/break.json" || fail "break peer: $(cat "$RT/break.json")"

# Under TLS: 150 recipients (two pipelined batches) and a 2 MB body
# (many TLS records) arrive intact in one transaction.
: > "$RT/good.json"
rcpts=
for i in $(seq 1 150); do rcpts="$rcpts big$i@may.test"; done
/usr/bin/python3 -c 'import sys
sys.stdout.write("Subject: big\n\n")
for i in range(20000): sys.stdout.write("line %06d %s\n" % (i, "x" * 88))' > "$RT/big.msg"
# shellcheck disable=SC2086
relay_send sender@tern.test $rcpts < "$RT/big.msg"
relaytls_flush
relaytls_expect big150@may.test K 'remote=mx.good.test\[127.0.0.2\] 250*'
/usr/bin/python3 - "$RT/good.json" "$RT/big.msg" <<'PY' || fail "big message over TLS"
import json, sys
m = [r for r in map(json.loads, open(sys.argv[1])) if r["ev"] == "msg"]
assert len(m) == 1 and m[0]["tls"], len(m)
assert m[0]["rcpt"] == ["big%d@may.test" % i for i in range(1, 151)], m[0]["rcpt"][:3]
body = open(sys.argv[2], "rb").read().replace(b"\n", b"\r\n")
got = m[0]["data"].encode("latin-1")
assert got.endswith(body), (len(got), len(body))
PY

# A CA file that cannot be loaded defers verify domains.
echo "$RT/ca/missing.pem" > "$TERN_HOME/control/tlscafile"
tern_message "no CA file" | relay_send sender@tern.test w@verify.test
relaytls_flush
relaytls_expect w@verify.test Z '*4.7.5 TLS failed: cannot load the trust store'

# A malformed policy defers (never a weaker policy).
echo 'may.test:maybe' > "$TERN_HOME/control/tlsdestinations"
tern_message "bad policy" | relay_send sender@tern.test v@may.test
relaytls_flush
relaytls_expect v@may.test Z '4.7.5 malformed entry for this domain in control/tlsdestinations'
echo "all ok"
