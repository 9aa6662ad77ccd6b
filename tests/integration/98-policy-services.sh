#!/bin/bash
# The policy services under real supervision, spoken to in the policy
# protocol (doc/policy.md) the way smtpd-recv speaks it: tern-limits
# counts sessions per client address by their connections (50 at once
# against a limit of 10; closing some frees their places) and rates per
# minute; tern-greylist defers a new triplet, passes its retry after the
# delay, keeps what it learnt across a restart, and leaves logged-in
# clients alone; a uid that is not smtpd-recv's is refused.
. "$TERN_SRC/tests/lib.sh"
tern_need tern-limits tern-greylist
tern_instance_new
echo 10 > "$TERN_HOME/control/limitconnections"
echo 3 > "$TERN_HOME/control/limitrecipients"
echo 2 > "$TERN_HOME/control/greylistdelay"
tern_service_start limits
tern_service_start greylist
sock=$TERN_HOME/run/policy
tern_wait_for 20 test -S "$sock/limits" || fail "no limits socket"
tern_wait_for 20 test -S "$sock/greylist" || fail "no greylist socket"

cat > "$TEST_ROOT/policy_client.py" <<'PY'
import socket, sys

def ask(s, **attrs):
    req = "".join("%s=%s\n" % (k, v) for k, v in attrs.items()) + "\n"
    s.sendall(req.encode())
    data = b""
    while not data.endswith(b"\n\n"):
        chunk = s.recv(4096)
        if not chunk:
            raise SystemExit("policy service closed the connection")
        data += chunk
    line = data.decode().split("\n")[0]
    assert line.startswith("action="), line
    return line[7:]

def conn(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    return s

def base(state, **kw):
    a = dict(request="smtpd_access_policy", protocol_state=state, protocol_name="ESMTP",
             client_address="127.0.0.9", client_name="unknown", helo_name="x.example")
    a.update(kw)
    return a

mode, path = sys.argv[1], sys.argv[2]
if mode == "limits":
    socks, answers = [], []
    for i in range(50):
        s = conn(path)
        answers.append(ask(s, **base("CONNECT")))
        socks.append(s)
    ok = [a for a in answers if a == "dunno"]
    refused = [a for a in answers if a.startswith("421 4.7.0 Too many connections")]
    assert len(ok) == 10 and len(refused) == 40, answers
    # Another address is not affected.
    s = conn(path)
    assert ask(s, **base("CONNECT", client_address="127.0.0.10")) == "dunno"
    # Sessions that end free their places (the refused ones held none).
    for s in socks[:5]:
        s.close()
    import time
    for i in range(100):
        s = conn(path)
        a = ask(s, **base("CONNECT"))
        if a == "dunno":
            break
        s.close()
        time.sleep(0.1)
    assert a == "dunno", a
    # Rates: 3 recipients a minute from one address.
    r = conn(path)
    got = [ask(r, **base("RCPT", client_address="127.0.0.11", recipient="u@x", sender="s@y")) for i in range(5)]
    assert got[:3] == ["dunno"] * 3 and all(g.startswith("451 4.7.1 Too many recipients") for g in got[3:]), got
    print("limits ok")
elif mode == "grey1":
    s = conn(path)
    a = ask(s, **base("RCPT", sender="s@example.net", recipient="u@tern.test"))
    assert a.startswith("450 4.7.1 Greylisted"), a
    a = ask(s, **base("RCPT", sender="s@example.net", recipient="u@tern.test"))
    assert a.startswith("450 4.7.1 Greylisted"), a
    # Not at other stages, not for a client that logged in.
    assert ask(s, **base("MAIL", sender="s@example.net")) == "dunno"
    assert ask(s, **base("RCPT", sender="t@example.net", recipient="u@tern.test", sasl_username="joe")) == "dunno"
    print("grey1 ok")
elif mode == "grey2":
    s = conn(path)
    # The same /24: 127.0.0.77 is in 127.0.0.9's network.
    a = ask(s, **base("RCPT", client_address="127.0.0.77", sender="S@example.net", recipient="U@tern.test"))
    assert a == "dunno", a
    a = ask(s, **base("RCPT", sender="other@example.net", recipient="u@tern.test"))
    assert a.startswith("450"), a
    print("grey2 ok")
elif mode == "refused":
    s = conn(path)
    try:
        s.sendall(b"request=smtpd_access_policy\nprotocol_state=RCPT\n\n")
        got = s.recv(100)
    except (BrokenPipeError, ConnectionResetError):
        got = b""
    assert got == b"", "a foreign uid was answered"
    print("refused ok")
PY
chmod 0644 "$TEST_ROOT/policy_client.py"
/usr/bin/python3 "$TEST_ROOT/policy_client.py" limits "$sock/limits" || fail "limits"
/usr/bin/python3 "$TEST_ROOT/policy_client.py" grey1 "$sock/greylist" || fail "greylist, first attempts"
sleep 3
# A restart in between: the state must survive it (saved at TERM).
svc -t "$TERN_HOME/service/greylist" 2>/dev/null || s6-svc -t "$TERN_HOME/service/greylist"
tern_wait_for 20 test -s "$TERN_HOME/greylist/state" || fail "greylist state not saved"
tern_wait_for 20 /usr/bin/python3 "$TEST_ROOT/policy_client.py" grey2 "$sock/greylist" > "$TEST_ROOT/grey2.out" 2>&1 ||
	{ cat "$TEST_ROOT/grey2.out"; fail "greylist, retry after the delay and a restart"; }
su -s /bin/sh nobody -c "/usr/bin/python3 '$TEST_ROOT/policy_client.py' refused '$sock/limits'" || fail "nobody was answered"
[ "$(stat -c %U "$TERN_HOME/greylist/state")" = tern-policy ] || fail "state file owner"
tern_wait_for 10 sh -c "grep -q 'limit=connections key=127.0.0.9' '$TERN_LOGDIR/limits/current'" ||
	{ tern_log limits; fail "no log line for a refusal"; }
grep -q 'greylist=pass triplet=127.0.0/s@example.net/u@tern.test' "$TERN_LOGDIR/greylist/current" ||
	{ tern_log greylist; fail "no log line for a pass"; }
echo "policy services ok"
