#!/bin/bash
# relay-remote: a 550 for one of three recipients bounces only that one and
# delivers the rest in the same transaction; a 451 is retried and
# delivered later.
. "$TERN_SRC/tests/lib.sh"
. "$TERN_SRC/tests/integration/helpers/relay_lib.sh"
relay_init
P=$(tern_port)
relay_dns --mx-host=fail.test,mx.fail.test,10 --host-record=mx.fail.test,127.0.0.2 \
	--mx-host=home.test,mx.home.test,10 --host-record=mx.home.test,127.0.0.3
relay_peer peer 127.0.0.2 "$P" --rcpt bad@fail.test=550 --rcpt later@fail.test=451once
relay_peer home 127.0.0.3 "$P"
printf '.test::%s\n' "$P" > "$TERN_HOME/control/smtproutes"

tern_message "three" | relay_send sender@home.test ok1@fail.test bad@fail.test ok2@fail.test
tern_message "retry" | relay_send sender@home.test later@fail.test
relay_flush
relay_wait_msgs "$RT/peer.json" 1
check grep -q '"rcpt": \["ok1@fail.test", "ok2@fail.test"\]' "$RT/peer.json"
check [ "$(relay_count "$RT/peer.json")" -eq 1 ]
if [ "$RELAY_WHOLE" = 0 ]; then
	check [ "$(relay_status bad@fail.test)" = D ]
	check [ "$(relay_status ok1@fail.test)" = K ]
	check [ "$(relay_status later@fail.test)" = Z ]
	check grep -q '"text": "remote=mx.fail.test\[127.0.0.2\] 550 5.0.0 refused bad@fail.test"' "$RT/reports.json"
else
	# The bounce for bad@ goes back to the sender's domain; only bad@ is in it.
	relay_wait_msgs "$RT/home.json" 1 120
	check grep -q 'bad@fail.test' "$RT/home.json"
	! grep -q 'Final-Recipient: rfc822; *ok1@fail.test' "$RT/home.json" || fail "bounce names a delivered recipient"
fi
# The second try of later@ is accepted.
for i in $(seq 1 30); do
	[ "$(relay_count "$RT/peer.json")" -ge 2 ] && break
	relay_retry_now
	sleep 2
done
relay_wait_msgs "$RT/peer.json" 2 10
check grep -q '"rcpt": \["later@fail.test"\]' "$RT/peer.json"
[ "$RELAY_WHOLE" = 1 ] || check [ "$(relay_status later@fail.test)" = K ]
echo "all ok"
