#!/usr/bin/python3
"""Stand-in for queue-manager's remote side in the relay tests.

relay_jobs.py HOME SPAWN RELAY REPORTS: reads every queue file under
HOME/queue/mess, groups the recipients that have no final report yet in
REPORTS by domain (one job per domain, all messages in it), pipes the
jobs to SPAWN (remote-spawn) running RELAY (relay-remote) and appends
each report to REPORTS as a JSON line {"msg", "index", "rcpt", "status",
"text"}. Index is the recipient's position in the envelope.
"""
import glob, json, os, subprocess, sys

home, spawn, relay, reports = sys.argv[1:5]
done = set()
if os.path.exists(reports):
    for l in open(reports):
        r = json.loads(l)
        if r["status"] in "KD":
            done.add((r["msg"], r["index"]))

jobs = {}   # domain -> [(msgid, sender, [(envindex, rcpt)])]
for path in sorted(glob.glob(home + "/queue/mess/*/*")):
    b = open(path, "rb").read()
    m = int(b[-32:][7:27])
    env = b[m:-32].split(b"\0")
    sender = env[0][1:].decode("latin-1")
    rcpts = [x[1:].decode("latin-1") for x in env[1:] if x[:1] == b"T"]
    mid = int(os.path.basename(path))
    bydom = {}
    for i, r in enumerate(rcpts):
        if (mid, i) in done:
            continue
        bydom.setdefault(r.rsplit("@", 1)[1].lower(), []).append((i, r))
    for d, rs in bydom.items():
        jobs.setdefault(d, []).append((mid, sender, rs))

data, index_map, jid = b"", {}, 0
for d, msgs in jobs.items():
    jid += 1
    data += b"J%d\0D%s\0" % (jid, d.encode())
    for mid, sender, rs in msgs:
        data += b"M%d\0S%s\0" % (mid, sender.encode("latin-1"))
        for k, (i, r) in enumerate(rs):
            data += b"R%s\0" % r.encode("latin-1")
            index_map[(jid, mid, k)] = (i, r)
    data += b"\0"
out = subprocess.run([spawn, relay], input=data, stdout=subprocess.PIPE, check=True).stdout
f = out.split(b"\0")
pos, ends = 0, 0
with open(reports, "a") as rep:
    while pos < len(f) - 1:
        if f[pos][:1] == b"E":
            ends += 1
            pos += 1
            continue
        rj, mid, k, st = int(f[pos][1:]), int(f[pos + 1]), int(f[pos + 2]), f[pos + 3].decode("latin-1")
        i, r = index_map[(rj, mid, k)]
        rep.write(json.dumps({"msg": mid, "index": i, "rcpt": r, "status": st[0], "text": st[1:]}) + "\n")
        pos += 4
if ends != jid:
    sys.exit("expected %d job ends, got %d" % (jid, ends))
