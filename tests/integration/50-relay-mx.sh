#!/bin/bash
# relay-remote: MX preference order, moving on after a refused connection
# and after a 421 greeting; smtproutes with a host and port, and with an
# [ip] literal.
. "$TERN_SRC/tests/lib.sh"
. "$TERN_SRC/tests/integration/helpers/relay_lib.sh"
relay_init
P=$(tern_port)
relay_dns --mx-host=pref.test,mx1.pref.test,10 --mx-host=pref.test,mx2.pref.test,20 \
	--mx-host=pref.test,mx3.pref.test,30 \
	--host-record=mx1.pref.test,127.0.0.2 --host-record=mx2.pref.test,127.0.0.3 \
	--host-record=mx3.pref.test,127.0.0.4 --host-record=smart.test,127.0.0.5
# Nothing listens on 127.0.0.2; 127.0.0.3 greets with 421.
relay_peer busy 127.0.0.3 "$P" --greet "421 4.3.2 too busy"
relay_peer good 127.0.0.4 "$P"
P2=$(tern_port)
relay_peer smart 127.0.0.5 "$P2"
relay_peer literal 127.0.0.6 "$P2"
relay_peer domlit 127.0.0.7 "$P2"
# Every .test domain uses its MX records on port P, except the routed ones.
# A domain literal has no MX; "[ip]::port" only sets its port.
printf 'routed.test:smart.test:%s\nlit.test:[127.0.0.6]:%s\n.test::%s\npref.test::%s\n[127.0.0.7]::%s\n' \
	"$P2" "$P2" "$P" "$P" "$P2" > "$TERN_HOME/control/smtproutes"

tern_message "mx order" | relay_send sender@tern.test someone@pref.test
tern_message "routed" | relay_send sender@tern.test a@routed.test
tern_message "literal" | relay_send sender@tern.test b@lit.test
tern_message "domain literal" | relay_send sender@tern.test 'c@[127.0.0.7]'
relay_flush
relay_wait_msgs "$RT/domlit.json" 1
check grep -q '"rcpt": \["c@\[127.0.0.7\]"\]' "$RT/domlit.json"
relay_wait_msgs "$RT/good.json" 1
relay_wait_msgs "$RT/smart.json" 1
relay_wait_msgs "$RT/literal.json" 1
check [ "$(relay_connects "$RT/busy.json")" -ge 1 ]
check grep -q '"rcpt": \["someone@pref.test"\]' "$RT/good.json"
check grep -q '"rcpt": \["a@routed.test"\]' "$RT/smart.json"
check grep -q '"rcpt": \["b@lit.test"\]' "$RT/literal.json"
if [ "$RELAY_WHOLE" = 0 ]; then
	check [ "$(relay_status someone@pref.test)" = K ]
	check grep -q 'remote=mx3.pref.test\[127.0.0.4\] 250' "$RT/reports.json"
fi
echo "all ok"
