# Sourced by tests/integration/5x-relay-*.sh after tests/lib.sh: a DNS
# server (dnsmasq) and scriptable SMTP peers (relay_peer.py) on loopback.
#
# Two modes. When queue-manager runs in the instance, mail goes the whole
# way: sendmail -> queue -> manager -> remote-spawn -> relay-remote -> peer
# (RELAY_WHOLE=1). Otherwise messages are queued with queue-inject and
# relay_flush plays the manager's part: it hands every queued message to
# remote-spawn/relay-remote (relay_jobs.py) and records the reports in
# $RT/reports.json.

RELAY_HELPERS=$TERN_SRC/tests/integration/helpers

relay_cleanup() {
	local p
	[ -f "$RT/pids" ] || return 0
	while read -r p; do kill "$p" 2>/dev/null; done < "$RT/pids"
	rm -f "$RT/pids"
}

relay_init() {
	tern_need relay-remote remote-spawn queue-inject
	command -v dnsmasq > /dev/null || skip "dnsmasq is not installed"
	/usr/bin/python3 -c 'import socketserver' 2>/dev/null || skip "no /usr/bin/python3"
	RT=$TEST_ROOT/relay
	rm -rf "$RT"
	mkdir -p "$RT"
	chmod 0777 "$RT"
	tern_instance_new
	trap 'relay_cleanup; tern_stop' EXIT
	# relay-remote remembers hosts that timed out here (doc/relay-remote.md).
	mkdir -p "$TERN_HOME/relay"
	chown tern-relay:tern "$TERN_HOME/relay" 2>/dev/null
	chmod 0750 "$TERN_HOME/relay"
	RELAY_WHOLE=0
	if [ -x "$TERN_HOME/bin/queue-manager" ] && [ -x "$TERN_HOME/bin/sendmail" ] &&
	    tern_running queue-manager; then
		RELAY_WHOLE=1
	fi
	# RELAY_BY_HAND=1 exercises the stand-in path even when the manager
	# exists: the queue service is stopped first.
	if [ -n "${RELAY_BY_HAND:-}" ] && [ "$RELAY_WHOLE" = 1 ]; then
		svc -d "$TERN_HOME/service/queue" 2>/dev/null || s6-svc -d "$TERN_HOME/service/queue" 2>/dev/null
		tern_wait_for 20 _relay_no_manager || fail "queue-manager did not stop"
		RELAY_WHOLE=0
	fi
	echo "relay tests: whole path = $RELAY_WHOLE"
}

_relay_no_manager() { ! tern_running queue-manager; }

_relay_udp_listening() { ss -Hlun "sport = :$1" 2>/dev/null | grep -q .; }

# relay_dns DNSMASQ-OPTIONS...: start dnsmasq authoritative for .test and
# point control/dnsservers at it.
relay_dns() {
	DNS_PORT=$(tern_port)
	dnsmasq --no-daemon --port="$DNS_PORT" --listen-address=127.0.0.1 --bind-interfaces \
		--no-resolv --no-hosts --conf-file=/dev/null --local=/test/ --log-facility=- \
		"$@" > "$RT/dnsmasq.log" 2>&1 &
	echo $! >> "$RT/pids"
	tern_wait_for 10 _relay_udp_listening "$DNS_PORT" || fail "dnsmasq did not start: $(cat "$RT/dnsmasq.log")"
	echo "127.0.0.1:$DNS_PORT" > "$TERN_HOME/control/dnsservers"
}

# relay_peer NAME HOST PORT [relay_peer.py options]: an SMTP peer that
# records to $RT/NAME.json.
relay_peer() { relay_peer_script relay_peer.py 10 "$@"; }

# relay_peer_script SCRIPT SECONDS NAME HOST PORT [options]: start one of
# the peer scripts in helpers/ and wait up to SECONDS for its pid file.
relay_peer_script() {
	local script=$1 wait=$2 name=$3 host=$4 port=$5
	shift 5
	rm -f "$RT/$name.pid"
	: > "$RT/$name.json"
	chmod 0666 "$RT/$name.json"
	/usr/bin/python3 "$RELAY_HELPERS/$script" "$host" "$port" --record "$RT/$name.json" \
		--pidfile "$RT/$name.pid" "$@" > "$RT/$name.log" 2>&1 &
	echo $! >> "$RT/pids"
	tern_wait_for "$wait" test -s "$RT/$name.pid" || fail "peer $name did not start: $(cat "$RT/$name.log")"
}

# relay_send FROM TO... < message
relay_send() {
	local from=$1
	shift
	if [ "$RELAY_WHOLE" = 1 ]; then
		"$TERN_HOME/bin/sendmail" -f "$from" "$@" || fail "sendmail failed"
	else
		tern_inject "$from" "$@" || fail "queue-inject failed"
	fi
}

# relay_flush: deliver what is queued (by hand, or wait for the manager
# to have tried; the caller then waits for the peers' records).
relay_flush() {
	if [ "$RELAY_WHOLE" = 1 ]; then
		return 0
	fi
	(cd "$TERN_HOME" && /usr/bin/python3 "$RELAY_HELPERS/relay_jobs.py" "$TERN_HOME" \
		"$TERN_HOME/bin/remote-spawn" "$TERN_HOME/bin/relay-remote" "$RT/reports.json") \
		2>> "$RT/relay.log" || fail "relay run failed: $(cat "$RT/relay.log")"
	! grep -q 'Sanitizer\|runtime error' "$RT/relay.log" || fail "sanitizer report: $(cat "$RT/relay.log")"
}

# relay_count FILE: messages a peer recorded; relay_connects FILE: connections.
relay_count() { grep -c '"ev": "msg"' "$1"; }
relay_connects() { grep -c '"ev": "connect"' "$1"; }
_relay_connects_ge() { [ "$(relay_connects "$1")" -ge "$2" ]; }
_relay_count_ge() { [ "$(relay_count "$1")" -ge "$2" ]; }

# relay_wait_msgs FILE N: wait (bounded) until the peer has N messages.
relay_wait_msgs() {
	tern_wait_for "${3:-60}" _relay_count_ge "$1" "$2" ||
		fail "peer $1 has $(relay_count "$1") messages, want $2; log: $(tail -n 20 "$RT/relay.log" 2>/dev/null; tern_log queue 2>/dev/null | tail -n 20)"
}

# relay_status RCPT: the last reported status letter for a recipient
# (by-hand mode only).
relay_status() {
	/usr/bin/python3 -c 'import json,sys
st = ""
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["rcpt"] == sys.argv[2]: st = r["status"]
print(st)' "$RT/reports.json" "$1"
}

# relay_retry_now: in whole mode ask the manager to retry deferred mail.
relay_retry_now() {
	local p
	if [ "$RELAY_WHOLE" = 1 ]; then
		for p in $(tern_pids_of "$TERN_HOME/bin/queue-manager"); do kill -ALRM "$p"; done
	else
		relay_flush
	fi
}
