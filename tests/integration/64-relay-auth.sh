#!/bin/bash
# relay-remote's SMTP AUTH to smarthosts (aiosmtpd as the real peer):
# PLAIN and LOGIN over STARTTLS with credentials from control/relayauth
# (0640 root:tern, read by relay-remote as tern-relay); wrong password →
# permanent failure with the server's text; no AUTH in cleartext unless
# the domain's policy says cleartext-auth; the password never reaches
# the log or the reports; verify against the smarthost's name.
. "$TERN_SRC/tests/lib.sh"
. "$TERN_SRC/tests/integration/helpers/relay_lib.sh"
. "$TERN_SRC/tests/integration/helpers/relaytls_lib.sh"
export RELAY_BY_HAND=1
relay_init
relaytls_ca
for h in smart.test login.test wrong.test temp.test; do relaytls_leaf "$h"; done
P=$(tern_port)
relay_dns --host-record=smart.test,127.0.0.6 --host-record=login.test,127.0.0.7 \
	--host-record=wrong.test,127.0.0.8 --host-record=clear.test,127.0.0.9 \
	--host-record=temp.test,127.0.0.10
tls() { echo --cert "$RT/ca/$1.pem" --key "$RT/ca/$1.key"; }
# tls prints options (word splitting wanted).
# shellcheck disable=SC2046
relaytls_peer smart 127.0.0.6 "$P" $(tls smart.test) --user 'alice:s3cr:et pw'
# shellcheck disable=SC2046
relaytls_peer login 127.0.0.7 "$P" $(tls login.test) --user bob:Login-pw2 --only-login
# shellcheck disable=SC2046
relaytls_peer wrong 127.0.0.8 "$P" $(tls wrong.test) --user alice:right-pw
# shellcheck disable=SC2046
relaytls_peer temp 127.0.0.10 "$P" $(tls temp.test) --user dave:right --auth-reply '454 4.7.0 try again later'
relaytls_peer clear 127.0.0.9 "$P" --user carol:Clear-pw3 --auth-clear
cat > "$TERN_HOME/control/smtproutes" <<EOT
plainauth.test:smart.test:$P
loginauth.test:login.test:$P
wrongauth.test:wrong.test:$P
clearauth.test:clear.test:$P
clearok.test:clear.test:$P
tempauth.test:temp.test:$P
EOT
# The password is everything after the second colon.
cat > "$TERN_HOME/control/relayauth" <<'EOT'
# host:user:password
smart.test:alice:s3cr:et pw
login.test:bob:Login-pw2
wrong.test:alice:Wrong-pw
clear.test:carol:Clear-pw3
temp.test:dave:Temp-pw4
EOT
chown root:tern "$TERN_HOME/control/relayauth"
chmod 0640 "$TERN_HOME/control/relayauth"
cat > "$TERN_HOME/control/tlsdestinations" <<'EOT'
plainauth.test:verify
clearok.test:may cleartext-auth
EOT
echo "$RT/ca/ca.pem" > "$TERN_HOME/control/tlscafile"

for d in plainauth loginauth wrongauth clearauth clearok tempauth; do
	tern_message "to $d" | relay_send sender@tern.test "u@$d.test"
done
tern_message "second" | relay_send sender@tern.test w@wrongauth.test x@wrongauth.test
relaytls_flush

# PLAIN (offered first) over TLS, certificate verified against the
# smarthost's name; LOGIN when only LOGIN is offered.
relaytls_expect u@plainauth.test K 'remote=smart.test\[127.0.0.6\] 250*'
relaytls_expect u@loginauth.test K 'remote=login.test\[127.0.0.7\] 250*'
check [ "$(relaytls_field "$RT/smart.json" auth mech)" = PLAIN ]
check [ "$(relaytls_field "$RT/smart.json" msg auth)" = alice ]
check [ "$(relaytls_field "$RT/smart.json" msg tls)" = True ]
check [ "$(relaytls_field "$RT/login.json" auth mech)" = LOGIN ]
check [ "$(relaytls_field "$RT/login.json" msg auth)" = bob ]
check grep -q 'to=u@plainauth.test .*verified=yes$' "$RT/relay.log"

# A refused password: permanent, with the server's text, for every
# message of the job; nothing sent.
relaytls_expect u@wrongauth.test D 'remote=wrong.test\[127.0.0.8\] 535 5.7.8 *\(AUTH refused\)'
relaytls_expect w@wrongauth.test D 'remote=wrong.test\[127.0.0.8\] 535 5.7.8 *\(AUTH refused\)'
relaytls_expect x@wrongauth.test D '*535*'
check [ "$(relaytls_field "$RT/wrong.json" auth ok)" = False ]
check [ "$(relay_count "$RT/wrong.json")" = 0 ]

# A 4xx to AUTH: temporary.
relaytls_expect u@tempauth.test Z 'remote=temp.test\[127.0.0.10\] 454 4.7.0 try again later'
check [ "$(relay_count "$RT/temp.json")" = 0 ]

# No TLS at the relay: no AUTH, deferred (the peer offers AUTH in the
# clear; it saw no attempt from clearauth.test) ...
relaytls_expect u@clearauth.test Z '*4.7.0 no TLS with the relay host: not sending the AUTH password in cleartext'
# ... unless the domain's policy allows it.
relaytls_expect u@clearok.test K 'remote=clear.test\[127.0.0.9\] 250*'
/usr/bin/python3 - "$RT/clear.json" <<'PY' || fail "clear peer: $(cat "$RT/clear.json")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
auths = [e for e in ev if e["ev"] == "auth"]
msgs = [e for e in ev if e["ev"] == "msg"]
assert len(auths) == 1 and auths[0]["ok"] and not auths[0]["tls"], auths
assert [m["rcpt"] for m in msgs] == [["u@clearok.test"]] and msgs[0]["auth"] == "carol", msgs
PY

# No password in the log or the reports.
for pw in 's3cr:et' Login-pw2 Wrong-pw Clear-pw3 Temp-pw4; do
	! grep -qF "$pw" "$RT/relay.log" "$RT/reports.json" || fail "password $pw was logged"
done

# A malformed credentials line defers.
echo 'smart.test:nopassword' > "$TERN_HOME/control/relayauth"
tern_message "bad auth line" | relay_send sender@tern.test v@plainauth.test
relaytls_flush
relaytls_expect v@plainauth.test Z '4.7.0 malformed entry for the relay host in control/relayauth'

# Unreadable for tern-relay: a temporary failure of the whole job.
echo 'smart.test:alice:s3cr:et pw' > "$TERN_HOME/control/relayauth"
chmod 0600 "$TERN_HOME/control/relayauth"
tern_message "unreadable" | relay_send sender@tern.test y@plainauth.test
relaytls_flush
check [ "$(relay_status y@plainauth.test)" = Z ]
check grep -q 'cannot read control/relayauth' "$RT/relay.log"
echo "all ok"
