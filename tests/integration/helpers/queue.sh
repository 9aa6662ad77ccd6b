# helpers/queue.sh — sourced by the injection tests (10-12): reading queue files.

# qfile FILE: check one queue file (doc/queue.md) and print
# "len=M", the message, then one line per envelope record ("F…", "T…").
# Fails (exit 1, reason on stderr) if it is not a complete queue file.
qfile() {
	/usr/bin/python3 - "$1" <<'PY'
import sys, re
data = open(sys.argv[1], 'rb').read()
def bad(why):
    sys.stderr.write('bad queue file %s: %s\n' % (sys.argv[1], why)); sys.exit(1)
if len(data) < 35: bad('short')
t = data[-32:]
m = re.fullmatch(rb'TERNQ1 ([0-9]{20}) END\n', t)
if not m: bad('trailer')
mlen = int(m.group(1))
if mlen > len(data) - 32: bad('length')
env = data[mlen:-32]
if not env.endswith(b'\0\0') or not env.startswith(b'F'): bad('envelope ends')
recs = env[:-1].split(b'\0')[:-1]
if recs[0][:1] != b'F' or not any(r[:1] == b'T' for r in recs): bad('records')
for r in recs:
    if r[:1] not in b'FTERNO' or any(c < 32 or c == 127 for c in r[1:]): bad('record %r' % r)
out = sys.stdout.buffer
out.write(b'len=%d\n' % mlen)
out.write(data[:mlen])
out.write(b'--envelope--\n')
for r in recs: out.write(r + b'\n')
PY
}
