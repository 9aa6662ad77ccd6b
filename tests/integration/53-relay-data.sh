#!/bin/bash
# relay-remote: a body with bare CR and bare LF leaves as valid CR LF lines
# with dots stuffed, nothing smuggled (no early end of data, no extra
# command), the message otherwise unchanged; 8-bit bodies get BODY=8BITMIME.
. "$TERN_SRC/tests/lib.sh"
. "$TERN_SRC/tests/integration/helpers/relay_lib.sh"
relay_init
P=$(tern_port)
relay_dns --mx-host=data.test,mx.data.test,10 --host-record=mx.data.test,127.0.0.2
relay_peer peer 127.0.0.2 "$P"
printf 'data.test::%s\n' "$P" > "$TERN_HOME/control/smtproutes"

# sendmail/inject may themselves normalise line ends, so the raw bytes go
# straight to queue-inject: relay-remote must cope with whatever is queued.
printf 'Subject: smuggle\r\n\r\nline one\nbare lf\rbare cr\r\n.\r\nMAIL FROM:<evil@x>\r\n\n.\n.dot start\r\nend \xc3\xa9' |
	tern_inject sender@tern.test smuggle@data.test || fail "queue-inject failed"
if [ "$RELAY_WHOLE" = 0 ]; then relay_flush; fi
relay_wait_msgs "$RT/peer.json" 1
/usr/bin/python3 - "$RT/peer.json" <<'PY' || fail "the data on the wire is wrong"
import json, sys
msgs = [json.loads(l) for l in open(sys.argv[1]) if '"msg"' in l]
assert len(msgs) == 1, msgs
m = msgs[0]
d = m["data"].encode("latin-1")
# Every CR is followed by LF and every LF preceded by CR.
for i, c in enumerate(d):
    if c == 13: assert d[i + 1:i + 2] == b"\n", ("bare CR", i, d)
    if c == 10: assert i > 0 and d[i - 1] == 13, ("bare LF", i, d)
body = d.split(b"\r\n\r\n", 1)[1]
want = (b"line one\r\nbare lf\r\nbare cr\r\n..\r\nMAIL FROM:<evil@x>\r\n\r\n..\r\n"
        b"..dot start\r\nend \xc3\xa9\r\n")
assert body == want, (body, want)
assert "BODY=8BITMIME" in m["mail"], m["mail"]
assert m["rcpt"] == ["smuggle@data.test"], m
PY
check [ "$(relay_connects "$RT/peer.json")" -eq 1 ]
echo "all ok"
