#!/bin/bash
# relay-remote's DNS: a null MX (RFC 7505) and a domain that does not
# exist are permanent failures (5.1.10, 5.1.2) and nothing is sent; an
# answer too big for UDP (TC bit) is asked again over TCP.
. "$TERN_SRC/tests/lib.sh"
. "$TERN_SRC/tests/integration/helpers/relay_lib.sh"
relay_init
P=$(tern_port)
# 40 A records (> 512 bytes over UDP) for the MX host of big.test; only
# the last address has a peer, the others refuse at once.
many=
for i in $(seq 1 39); do many="$many --host-record=mx.big.test,127.0.1.$i"; done
# shellcheck disable=SC2086
relay_dns --mx-host=nullmx.test,.,0 --mx-host=home.test,mx.home.test,10 --host-record=mx.home.test,127.0.0.3 \
	--mx-host=big.test,mx.big.test,10 $many --host-record=mx.big.test,127.0.0.4
relay_peer home 127.0.0.3 "$P"
relay_peer big 127.0.0.4 "$P"
printf '.test::%s\n' "$P" > "$TERN_HOME/control/smtproutes"
tern_message "null mx" | relay_send sender@home.test a@nullmx.test
tern_message "nx" | relay_send sender@home.test b@nosuch.test
tern_message "tc" | relay_send sender@home.test c@big.test
relay_flush
relay_wait_msgs "$RT/big.json" 1
check grep -q '"rcpt": \["c@big.test"\]' "$RT/big.json"
if [ "$RELAY_WHOLE" = 0 ]; then
	check [ "$(relay_status a@nullmx.test)" = D ]
	check [ "$(relay_status b@nosuch.test)" = D ]
	check grep -q '"text": "5.1.10 ' "$RT/reports.json"
	check grep -q '"text": "5.1.2 ' "$RT/reports.json"
else
	# Both bounce to the sender's domain.
	relay_wait_msgs "$RT/home.json" 2 120
	check grep -q '5.1.10' "$RT/home.json"
	check grep -q '5.1.2' "$RT/home.json"
fi
echo "all ok"
