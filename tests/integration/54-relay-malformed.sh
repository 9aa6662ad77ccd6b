#!/bin/bash
# relay-remote: a peer that sends malformed multi-line replies is a
# protocol error, not a crash: the next MX gets the mail. A peer that hangs
# up after the data, before its reply, leaves the message deferred (Z) and
# a later try delivers it.
. "$TERN_SRC/tests/lib.sh"
. "$TERN_SRC/tests/integration/helpers/relay_lib.sh"
relay_init
P=$(tern_port)
relay_dns --mx-host=bad.test,mx1.bad.test,10 --mx-host=bad.test,mx2.bad.test,20 \
	--host-record=mx1.bad.test,127.0.0.2 --host-record=mx2.bad.test,127.0.0.3 \
	--mx-host=drop.test,mx.drop.test,10 --host-record=mx.drop.test,127.0.0.4
relay_peer broken 127.0.0.2 "$P" --malformed
relay_peer good 127.0.0.3 "$P"
relay_peer dropper 127.0.0.4 "$P" --drop-once
printf '.test::%s\n' "$P" > "$TERN_HOME/control/smtproutes"
tern_message "malformed" | relay_send sender@tern.test x@bad.test
relay_flush
relay_wait_msgs "$RT/good.json" 1
check [ "$(relay_connects "$RT/broken.json")" -ge 1 ]
check [ "$(relay_count "$RT/broken.json")" -eq 0 ]
if [ "$RELAY_WHOLE" = 0 ]; then
	check [ "$(relay_status x@bad.test)" = K ]
else
	tern_log queue | grep -q 'event=relay-try.*127.0.0.2' || fail "no log of the failed attempt"
	! tern_log queue | grep -q 'crashed' || fail "relay-remote crashed"
fi

tern_message "dropped" | relay_send sender@tern.test y@drop.test
relay_flush
tern_wait_for 30 _relay_connects_ge "$RT/dropper.json" 1 || fail "no connection to the dropping peer"
[ "$RELAY_WHOLE" = 1 ] || check [ "$(relay_status y@drop.test)" = Z ]
for i in $(seq 1 30); do
	[ "$(relay_count "$RT/dropper.json")" -ge 1 ] && break
	relay_retry_now
	sleep 2
done
relay_wait_msgs "$RT/dropper.json" 1 10
check [ "$(relay_count "$RT/dropper.json")" -eq 1 ]
[ "$RELAY_WHOLE" = 1 ] || check [ "$(relay_status y@drop.test)" = K ]
echo "all ok"
