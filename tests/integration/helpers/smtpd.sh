# helpers/smtpd.sh — shared by the smtpd-recv tests (40-49-*.sh), sourced
# after tests/lib.sh and tern_instance_new.

# smtpd_start [VAR=VALUE...]: the smtpd service on $SMTPD_IP (default
# 127.0.0.1) port $SMTPD_PORT (default: a free one) with the tcpserver
# rules in $SMTPD_RULES (default ":allow": nobody may relay); waits until
# it accepts connections.
smtpd_start() {
	SMTPD_PORT=${SMTPD_PORT:-$(tern_port)}
	SMTPD_IP=${SMTPD_IP:-127.0.0.1}
	local mem=64000000 avail=$TERN_HOME/service-available/smtpd
	[ -d "$avail" ] || fail "smtpd service not installed"
	printf '%s\n' "${SMTPD_RULES-:allow}" > "$avail/tcp.smtp"
	# ASan reserves terabytes of address space: no softlimit then.
	grep -q __asan_init "$TERN_HOME/bin/smtpd-recv" && mem=0
	tern_service_start smtpd IP="$SMTPD_IP" PORT="$SMTPD_PORT" TCPSERVER_FLAGS=-H \
		MEMLIMIT=$mem "$@"
	tern_wait_for 20 _smtpd_listening || { tern_log smtpd >&2; fail "smtpd does not listen on $SMTPD_IP:$SMTPD_PORT"; }
	export SMTPD_PORT SMTPD_IP
}
_smtpd_listening() {
	/usr/bin/python3 - "$SMTPD_IP" "$SMTPD_PORT" <<'PY' 2>/dev/null
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
s.settimeout(5)
ok = s.recv(100).startswith(b"220")
s.sendall(b"QUIT\r\n")
sys.exit(0 if ok else 1)
PY
}

# Whether messages go all the way to a Maildir in this build.
smtpd_delivers() {
	[ -x "$TERN_HOME/bin/queue-manager" ] && [ -x "$TERN_HOME/bin/deliver-local" ] &&
		tern_running queue-manager
}

# smtpd_messages USER: the paths of the messages that arrived for USER:
# its Maildir when the queue delivers, else the queue files.
smtpd_messages() {
	if smtpd_delivers; then
		find "$TEST_ROOT/users/$1/Maildir/new" -type f 2>/dev/null | sort
	else
		find "$TERN_HOME/queue/mess" -type f 2>/dev/null | sort
	fi
}

# smtpd_settle: wait until the queue has done what it will do.
smtpd_settle() {
	if smtpd_delivers; then tern_queue_empty 30; else sleep 0.5; fi
}

# smtpd_body FILE: the message bytes of a Maildir file or a queue file.
smtpd_body() {
	/usr/bin/python3 - "$1" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
t = d[-32:]
if t.startswith(b"TERNQ1 ") and t.endswith(b" END\n"):
    d = d[:int(t[7:27])]
sys.stdout.buffer.write(d)
PY
}

# smtpd_envelope FILE: a queue file's envelope records, one per line.
smtpd_envelope() {
	/usr/bin/python3 - "$1" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
m = int(d[-32:][7:27])
for r in d[m:-32].split(b"\0"):
    if r: print(r.decode("utf-8", "replace"))
PY
}

# smtpd_session SCRIPT: runs helpers/smtp_raw.py against the server; the
# script (Python) uses the functions documented there. Prints what it
# prints; its exit code is the test's verdict for that step.
smtpd_session() {
	/usr/bin/python3 "$TERN_SRC/tests/integration/helpers/smtp_raw.py" \
		"$SMTPD_IP" "$SMTPD_PORT" "$1"
}

# smtpd_user NAME: a test user with an empty Maildir.
smtpd_user() {
	tern_user_new "$1"
	mkdir -p "$TEST_ROOT/users/$1/Maildir/new" "$TEST_ROOT/users/$1/Maildir/cur" \
		"$TEST_ROOT/users/$1/Maildir/tmp"
	chown -R "$1:" "$TEST_ROOT/users/$1/Maildir"
	chmod -R 0700 "$TEST_ROOT/users/$1/Maildir"
}
