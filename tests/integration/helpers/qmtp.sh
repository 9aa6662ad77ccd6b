# helpers/qmtp.sh — shared by the QMTP/QMQP tests (70-73), sourced after
# tests/lib.sh and tern_instance_new.

# qmtp_service_start NAME PORT RULES [VAR=VALUE...]: the qmtpd or qmqpd
# service on 127.0.0.1 PORT with those tcpserver rules (one per line);
# waits until it accepts connections.
qmtp_service_start() {
	local name=$1 port=$2 rules=$3 avail=$TERN_HOME/service-available/$1 mem=64000000 file
	shift 3
	[ -d "$avail" ] || fail "$name service not installed"
	case $name in qmtpd) file=tcp.qmtp ;; *) file=tcp.qmqp ;; esac
	printf '%s\n' "$rules" > "$avail/$file"
	# ASan reserves terabytes of address space: no softlimit then.
	grep -q __asan_init "$TERN_HOME/bin/$name" && mem=0
	tern_service_start "$name" IP="${QMTP_IP:-127.0.0.1}" PORT="$port" TCPSERVER_FLAGS=-H MEMLIMIT=$mem "$@"
	tern_wait_for 20 _qmtp_listening "${QMTP_IP:-127.0.0.1}" "$port" ||
		{ tern_log "$name" >&2; fail "$name does not listen on port $port"; }
}
_qmtp_listening() {
	/usr/bin/python3 -c 'import socket, sys
socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()' "$1" "$2" 2>/dev/null
}

# qmtp_python SCRIPT ARGS...: runs a Python script with the client
# helpers importable (helpers/qmtp_client.py).
qmtp_python() {
	PYTHONPATH=$TERN_SRC/tests/integration/helpers /usr/bin/python3 "$@"
}

# qmtp_queue_clean: nothing half-queued: no pid/ leftovers, no
# queue-inject still running.
qmtp_queue_clean() {
	[ -z "$(find "$TERN_HOME/queue/pid" -type f 2>/dev/null)" ] || fail "leftover files in queue/pid"
	[ -z "$(tern_pids_of "$TERN_HOME/bin/queue-inject")" ] || fail "a queue-inject is still running"
}
