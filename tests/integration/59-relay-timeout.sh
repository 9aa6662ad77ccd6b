#!/bin/bash
# relay-remote: a host that never greets times out after timeoutremote,
# the next MX gets the mail, and the host is remembered in relay/timeouts
# and skipped on the next delivery (it is not the last choice).
. "$TERN_SRC/tests/lib.sh"
. "$TERN_SRC/tests/integration/helpers/relay_lib.sh"
relay_init
P=$(tern_port)
relay_dns --mx-host=slow.test,mx1.slow.test,10 --mx-host=slow.test,mx2.slow.test,20 \
	--host-record=mx1.slow.test,127.0.0.2 --host-record=mx2.slow.test,127.0.0.3
relay_peer silent 127.0.0.2 "$P" --silent
relay_peer good 127.0.0.3 "$P"
printf 'slow.test::%s\n' "$P" > "$TERN_HOME/control/smtproutes"
echo 2 > "$TERN_HOME/control/timeoutremote"
tern_message "first" | relay_send sender@tern.test a@slow.test
relay_flush
relay_wait_msgs "$RT/good.json" 1 60
check [ "$(relay_connects "$RT/silent.json")" -eq 1 ]
tern_wait_for 10 grep -q '^127.0.0.2 ' "$TERN_HOME/relay/timeouts" || fail "the time-out was not remembered"
tern_message "second" | relay_send sender@tern.test b@slow.test
relay_flush
relay_wait_msgs "$RT/good.json" 2 60
check [ "$(relay_connects "$RT/silent.json")" -eq 1 ]
echo "all ok"
