#!/bin/bash
# relay-remote: a message larger than the peer's SIZE is a permanent
# failure 5.3.4 and is never sent; the smaller one on the same connection
# is delivered.
. "$TERN_SRC/tests/lib.sh"
. "$TERN_SRC/tests/integration/helpers/relay_lib.sh"
relay_init
P=$(tern_port)
relay_dns --mx-host=small.test,mx.small.test,10 --host-record=mx.small.test,127.0.0.2 \
	--mx-host=home.test,mx.home.test,10 --host-record=mx.home.test,127.0.0.3
relay_peer small 127.0.0.2 "$P" --size 2000
relay_peer home 127.0.0.3 "$P"
printf '.test::%s\n' "$P" > "$TERN_HOME/control/smtproutes"
tern_message "big" "$(head -c 3000 /dev/zero | tr '\0' x)" | relay_send sender@home.test big@small.test
tern_message "small" | relay_send sender@home.test little@small.test
relay_flush
relay_wait_msgs "$RT/small.json" 1
check [ "$(relay_count "$RT/small.json")" -eq 1 ]
check grep -q '"rcpt": \["little@small.test"\]' "$RT/small.json"
check grep -q 'SIZE=' "$RT/small.json"
if [ "$RELAY_WHOLE" = 0 ]; then
	check [ "$(relay_status big@small.test)" = D ]
	check grep -q '5.3.4' "$RT/reports.json"
else
	relay_wait_msgs "$RT/home.json" 1 120
	check grep -q '5.3.4' "$RT/home.json"
fi
echo "all ok"
