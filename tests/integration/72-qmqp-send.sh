#!/bin/bash
# qmqp-send, queue-inject's protocol in and QMQP out, against the real
# qmqpd and against QMQP servers written here that fail in every way: it
# moves on after a dead server (connection refused), a temporary answer,
# a server that never answers (timeoutremote) and one that closes without
# answering; a permanent answer stops it (exit 31); with no server taking
# the message it exits 71, never 0. The package it sends is checked byte
# by byte on an IPv6 server; limits: databytes (33), envelope errors (91,
# 11), no qmqpservers (55).
. "$TERN_SRC/tests/lib.sh"
. "$TERN_SRC/tests/integration/helpers/smtpd.sh"
. "$TERN_SRC/tests/integration/helpers/qmtp.sh"
tern_need qmqp-send qmqpd queue-inject
tern_instance_new
smtpd_user terntestq4
qport=$(tern_port)
qmtp_service_start qmqpd "$qport" '127.0.0.1:allow,RELAYCLIENT=""'
echo 2 > "$TERN_HOME/control/timeoutremote"
echo 5 > "$TERN_HOME/control/timeoutconnect"

# Fake QMQP servers: each answers as its name says, records what it got.
fake=$TEST_ROOT/fake
rm -rf "$fake"
mkdir -p "$fake"
cat > "$fake/servers.py" <<'PY'
import os, socket, sys, threading, time
d = sys.argv[1]
def serve(name, fam, host):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, 0))
    s.listen(8)
    port = s.getsockname()[1]
    def loop():
        n = 0
        while True:
            c, _ = s.accept()
            c.settimeout(20)
            data = b""
            try:
                while True:
                    # The package is complete when its outer netstring is.
                    if b":" in data:
                        l, rest = data.split(b":", 1)
                        if len(rest) >= int(l) + 1:
                            break
                    b = c.recv(65536)
                    if not b:
                        break
                    data += b
            except Exception:
                pass
            n += 1
            open("%s/%s.%d" % (d, name, n), "wb").write(data)
            if name == "blackhole":
                time.sleep(15)
            elif name == "garble":
                c.sendall(b"xyz")
            elif name != "closer":
                text = {"zed": b"Zhub busy (#4.3.0)", "dee": b"Dgo away (#5.7.1)", "kay": b"Kthanks (#2.0.0)",
                        "kay6": b"Kthanks (#2.0.0)"}[name]
                c.sendall(str(len(text)).encode() + b":" + text + b",")
            c.close()
    threading.Thread(target=loop, daemon=True).start()
    return port
ports = {}
for name in ("zed", "dee", "kay", "blackhole", "garble", "closer"):
    ports[name] = serve(name, socket.AF_INET, "127.0.0.1")
ports["kay6"] = serve("kay6", socket.AF_INET6, "::1")
# A port nobody listens on.
s = socket.socket(); s.bind(("127.0.0.1", 0)); ports["dead"] = s.getsockname()[1]; s.close()
with open(d + "/ports.tmp", "w") as f:
    for k, v in ports.items():
        f.write("%s %d\n" % (k, v))
os.rename(d + "/ports.tmp", d + "/ports")
time.sleep(240)
PY
/usr/bin/python3 "$fake/servers.py" "$fake" > "$fake/servers.log" 2>&1 &
fakepid=$!
trap 'kill $fakepid 2>/dev/null; tern_stop; _tern_user_unlock' EXIT
tern_wait_for 20 test -f "$fake/ports" || fail "fake servers did not start"
p() { awk -v n="$1" '$1 == n { print $2 }' "$fake/ports"; }

servers() { printf '%s\n' "$@" > "$TERN_HOME/control/qmqpservers"; }
# send FROM TO... < message: runs qmqp-send like a queue-inject caller; prints its exit code.
send() {
	local from=$1 rcpt
	shift
	"$TERN_HOME/bin/qmqp-send" 2>> "$fake/stderr" 1< <(
		printf 'F%s\0' "$from"
		for rcpt in "$@"; do printf 'T%s\0' "$rcpt"; done
		printf '\0'
	)
	echo $?
}
msg() { printf 'From: a@example.net\nSubject: %s\n\nbody\n' "$1"; }

# Dead, then the real qmqpd: the message reaches the Maildir.
servers "127.0.0.1:$(p dead)" "127.0.0.1:$qport"
[ "$(msg 'via qmqpd' | send a@example.net terntestq4@tern.test)" = 0 ] || { cat "$fake/stderr"; fail "dead + live"; }
tern_wait_count "$TEST_ROOT/users/terntestq4/Maildir/new/*" 1 30
m=$(ls "$TEST_ROOT"/users/terntestq4/Maildir/new/*)
grep -q 'Subject: via qmqpd' "$m" || fail "wrong message"
grep -q '^Received: (qmqp-send [0-9]* invoked by uid 0); ' "$m" || { cat "$m"; fail "no qmqp-send Received line"; }
grep -q $'^\tby tern.test with QMQP id ' "$m" || fail "no QMQP Received line"
grep -q "event=qmqp .*server=127.0.0.1:$(p dead) result=connect-failed" "$fake/stderr" || fail "dead server not logged"

# Z, then IPv6: the package is exact; the DSN records are dropped.
servers "127.0.0.1:$(p zed)" "[::1]:$(p kay6)"
rc=$(msg 'six' | "$TERN_HOME/bin/qmqp-send" 2>> "$fake/stderr" 1< <(printf 'Fs@example.net\0Eenv1\0Tr1@example.org\0NSUCCESS\0Tr2@example.org\0\0'); echo $?)
[ "$rc" = 0 ] || { cat "$fake/stderr"; fail "zed + IPv6 exited $rc"; }
[ -f "$fake/zed.1" ] || fail "the first server was not tried"
/usr/bin/python3 - "$fake/kay6.1" <<'PY' || fail "package on the wire"
import re, sys
d = open(sys.argv[1], "rb").read()
def ns(b): return str(len(b)).encode() + b":" + b + b","
m = re.match(rb"(\d+):(\d+):(Received: \(qmqp-send \d+ invoked by uid 0\); [^\n]*\n)", d)
assert m, d[:100]
msg = m.group(3) + b"From: a@example.net\nSubject: six\n\nbody\n"
inner = ns(msg) + ns(b"s@example.net") + ns(b"r1@example.org") + ns(b"r2@example.org")
assert d == ns(inner), d
PY

# Nobody takes it: dead, a server that never answers, garbage, a close: 71.
servers "127.0.0.1:$(p dead)" "127.0.0.1:$(p blackhole)" "127.0.0.1:$(p garble)" "127.0.0.1:$(p closer)"
rc=$(msg 'nobody' | send a@example.net x@example.org)
[ "$rc" = 71 ] || fail "no server took it, but exit $rc"
for s in blackhole garble closer; do [ -f "$fake/$s.1" ] || fail "$s was not tried"; done
grep -q "server=127.0.0.1:$(p blackhole) result=no-response" "$fake/stderr" || fail "time-out not logged"

# D stops at once (31): the next server is not asked.
servers "127.0.0.1:$(p dee)" "127.0.0.1:$(p kay)"
rc=$(msg 'refused' | send a@example.net x@example.org)
[ "$rc" = 31 ] || fail "D gave exit $rc"
[ -f "$fake/kay.1" ] && fail "asked the next server after a D"

# Limits and configuration.
servers "127.0.0.1:$(p kay)"
echo 1000 > "$TERN_HOME/control/databytes"
rc=$( (msg big; head -c 3000 /dev/zero | tr '\0' x) | send a@example.net x@example.org)
[ "$rc" = 33 ] || fail "over databytes: exit $rc"
rm -f "$TERN_HOME/control/databytes"
rc=$(msg x | "$TERN_HOME/bin/qmqp-send" 2>/dev/null 1< <(printf 'Fa@b\0Tx@y\0'); echo $?)
[ "$rc" = 91 ] || fail "truncated envelope: exit $rc"
rc=$(msg x | "$TERN_HOME/bin/qmqp-send" 2>/dev/null 1< <(printf 'Fa@b\0\0'); echo $?)
[ "$rc" = 91 ] || fail "no recipient: exit $rc"
rc=$(msg x | send a@example.net "$(head -c 1100 /dev/zero | tr '\0' a)@example.org")
[ "$rc" = 11 ] || fail "address too long: exit $rc"
[ -f "$fake/kay.1" ] && fail "a refused message reached a server"
servers "not-an-address"
rc=$(msg x | send a@example.net x@example.org)
[ "$rc" = 55 ] || fail "no usable server: exit $rc"
rm -f "$TERN_HOME/control/qmqpservers"
rc=$(msg x | send a@example.net x@example.org)
[ "$rc" = 55 ] || fail "no qmqpservers: exit $rc"
echo ok
