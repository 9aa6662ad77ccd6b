#!/bin/bash
# relay-remote: ten recipients at one domain travel in one transaction;
# fifty messages to one domain use far fewer connections than messages.
. "$TERN_SRC/tests/lib.sh"
. "$TERN_SRC/tests/integration/helpers/relay_lib.sh"
relay_init
P=$(tern_port)
relay_dns --mx-host=batch.test,mx.batch.test,10 --host-record=mx.batch.test,127.0.0.2
relay_peer peer 127.0.0.2 "$P"
printf 'batch.test::%s\n' "$P" > "$TERN_HOME/control/smtproutes"

rcpts=
for i in 0 1 2 3 4 5 6 7 8 9; do rcpts="$rcpts user$i@batch.test"; done
# shellcheck disable=SC2086
tern_message "ten" | relay_send sender@tern.test $rcpts
relay_flush
relay_wait_msgs "$RT/peer.json" 1
check grep -q '"rcpt": \["user0@batch.test", "user1@batch.test", "user2@batch.test", "user3@batch.test", "user4@batch.test", "user5@batch.test", "user6@batch.test", "user7@batch.test", "user8@batch.test", "user9@batch.test"\]' "$RT/peer.json"

: > "$RT/peer.json"
# The manager starts a job as soon as mail for a domain is there, so with
# many free slots each early message gets its own job. With two slots,
# what arrives while they are busy waits and leaves together.
if [ "$RELAY_WHOLE" = 1 ]; then
	echo 2 > "$TERN_HOME/control/concurrencyremote"
	for p in $(tern_pids_of "$TERN_HOME/bin/queue-manager"); do kill -HUP "$p"; done
	sleep 1
fi
for i in $(seq 1 50); do tern_message "msg $i" | relay_send sender@tern.test "r$i@batch.test"; done
relay_flush
relay_wait_msgs "$RT/peer.json" 50 120
n=$(relay_connects "$RT/peer.json")
echo "50 messages over $n connections"
check [ "$n" -le 25 ]
if [ "$RELAY_WHOLE" = 0 ]; then
	check [ "$n" -eq 1 ]
	check [ "$(grep -c '"status": "K"' "$RT/reports.json")" -eq 60 ]
fi

# More recipients than one pipelined batch (100): still one transaction.
: > "$RT/peer.json"
rcpts=
for i in $(seq 1 150); do rcpts="$rcpts many$i@batch.test"; done
# shellcheck disable=SC2086
tern_message "many" | relay_send sender@tern.test $rcpts
relay_flush
relay_wait_msgs "$RT/peer.json" 1
/usr/bin/python3 -c 'import json, sys
m = [json.loads(l) for l in open(sys.argv[1]) if "\"msg\"" in l]
assert len(m) == 1 and m[0]["rcpt"] == ["many%d@batch.test" % i for i in range(1, 151)], m' "$RT/peer.json" ||
	fail "150 recipients did not arrive in one transaction"
echo "all ok"
