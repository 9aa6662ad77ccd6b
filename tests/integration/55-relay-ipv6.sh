#!/bin/bash
# relay-remote: delivery over IPv6 to ::1 (an MX host with only AAAA).
. "$TERN_SRC/tests/lib.sh"
. "$TERN_SRC/tests/integration/helpers/relay_lib.sh"
/usr/bin/python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null ||
	skip "no IPv6 on loopback"
relay_init
P=$(tern_port)
relay_dns --mx-host=six.test,mx.six.test,10 --host-record=mx.six.test,::1
relay_peer six ::1 "$P"
printf 'six.test::%s\n' "$P" > "$TERN_HOME/control/smtproutes"
tern_message "over ipv6" | relay_send sender@tern.test v6@six.test
relay_flush
relay_wait_msgs "$RT/six.json" 1
check grep -q '"rcpt": \["v6@six.test"\]' "$RT/six.json"
if [ "$RELAY_WHOLE" = 0 ]; then
	check grep -q 'remote=mx.six.test\[::1\] 250' "$RT/reports.json"
else
	tern_log queue | grep -q 'event=relay .*ip=::1 status=K' || fail "no IPv6 delivery logged"
fi
echo "all ok"
