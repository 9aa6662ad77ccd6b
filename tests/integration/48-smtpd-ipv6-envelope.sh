#!/bin/bash
# An IPv6 client on ::1 (tcpserver's PROTO=TCP6), and the exact envelope
# smtpd-recv hands to queue-inject (captured through the QUEUE_INJECT
# hook with smtpd-recv on stdin/stdout, sendmail -bs style): DSN records
# E, R after F and N, O after each T; RELAYCLIENT's value appended.
. "$TERN_SRC/tests/lib.sh"
. "$TERN_SRC/tests/integration/helpers/smtpd.sh"
tern_need smtpd-recv queue-inject
tern_instance_new
smtpd_user terntestsd
/usr/bin/python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0))' 2>/dev/null ||
	skip "no IPv6 on this host"
SMTPD_IP=::1 SMTPD_RULES=':allow' smtpd_start

swaks --server "::1" --port "$SMTPD_PORT" -6 --from a@example.net --to terntestsd@tern.test \
	--header "Subject: over ipv6" > "$TEST_ROOT/swaks.out" 2>&1 || { cat "$TEST_ROOT/swaks.out"; fail "swaks over IPv6"; }
smtpd_settle
found=
for f in $(smtpd_messages terntestsd); do
	body=$(smtpd_body "$f")
	case $body in *"Subject: over ipv6"*)
		echo "$body" | grep -q '^Received: from .*(\[::1\])$' || { echo "$body"; fail "IPv6 Received line"; }
		found=1 ;;
	esac
done
[ -n "$found" ] || fail "the IPv6 message did not arrive"
tern_log smtpd | grep -q 'event=connect .*ip=::1' || fail "IPv6 connect not logged"

# The envelope, through a capturing QUEUE_INJECT filter.
cap=$TEST_ROOT/capture
mkdir -p "$cap"
cat > "$cap/filter" <<SH
#!/bin/sh
cat > "$cap/message"
cat <&1 > "$cap/envelope"
exit 0
SH
chmod 0755 "$cap/filter"
/usr/bin/python3 - "$TERN_HOME/bin/smtpd-recv" "$cap" <<'PY' || fail "captured session"
import subprocess, sys
prog, cap = sys.argv[1:]
env = {"PATH": "/usr/bin:/bin", "QUEUE_INJECT": cap + "/filter", "RELAYCLIENT": "",
       "TCPREMOTEIP": "192.0.2.7", "TCPREMOTEHOST": "client(evil)\tname"}
inp = (b"EHLO env.example\r\n"
       b"MAIL FROM:<s@example.net> RET=FULL ENVID=id+2B1 SMTPUTF8\r\n"
       b"RCPT TO:<terntestsd@tern.test> NOTIFY=NEVER\r\n"
       b"RCPT TO:<x@far.example> ORCPT=rfc822;x+40far.example NOTIFY=DELAY,FAILURE\r\n"
       b"RCPT TO:<@hop.example:y@far.example>\r\n"
       b"DATA\r\nSubject: env\r\n\r\nline\r\n..dot\r\n.\r\nQUIT\r\n")
# One command at a time: with TCPREMOTEIP set the desync checks apply.
p = subprocess.Popen([prog], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
def reply():
    while True:
        l = p.stdout.readline()
        if not l or l[3:4] == b" ":
            return l
out = [reply()]
for cmd in inp.split(b"\r\n")[:-1]:
    if out[-1].startswith(b"354"):
        data, _, rest = inp.partition(b"DATA\r\n")[2].partition(b"\r\n.\r\n")
        p.stdin.write(data + b"\r\n.\r\n"); p.stdin.flush()
        out.append(reply())
        p.stdin.write(b"QUIT\r\n"); p.stdin.flush()
        out.append(reply())
        break
    p.stdin.write(cmd + b"\r\n"); p.stdin.flush()
    out.append(reply())
p.stdin.close(); p.wait(timeout=60)
if not any(l.startswith(b"250 2.0.0 ok") for l in out):
    print(out); sys.exit(1)
e = open(cap + "/envelope", "rb").read()
want = (b"Fs@example.net\0Eid+2B1\0RFULL\0Tterntestsd@tern.test\0NNEVER\0"
        b"Tx@far.example\0NDELAY,FAILURE\0Orfc822;x+40far.example\0Ty@far.example\0\0")
if e != want:
    print(repr(e)); sys.exit(1)
m = open(cap + "/message", "rb").read()
if b"\r" in m or not m.endswith(b"\nline\n.dot\n"):
    print(repr(m)); sys.exit(1)
first = m.split(b"\n")[0]
if first != b"Received: from env.example (client_evil__name [192.0.2.7])":
    print(repr(first)); sys.exit(1)
if b"with UTF8SMTP id" not in m:
    print(repr(m)); sys.exit(1)
PY
# RELAYCLIENT's value is appended to every recipient (qmail semantics).
/usr/bin/python3 - "$TERN_HOME/bin/smtpd-recv" "$cap" <<'PY' || fail "RELAYCLIENT suffix"
import subprocess, sys
prog, cap = sys.argv[1:]
env = {"PATH": "/usr/bin:/bin", "QUEUE_INJECT": cap + "/filter", "RELAYCLIENT": ".fwd.example"}
inp = b"HELO x\r\nMAIL FROM:<>\r\nRCPT TO:<u@far.example>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n"
p = subprocess.run([prog], input=inp, env=env, capture_output=True, timeout=60)
e = open(cap + "/envelope", "rb").read()
if e != b"F\0Tu@far.example.fwd.example\0\0":
    print(repr(e), p.stdout); sys.exit(1)
PY
# queue-inject's exit codes become replies: 33 (too big) is 552 5.3.4,
# 71 a temporary refusal.
for code in 33:552 71:451 31:554; do
	printf '#!/bin/sh\ncat > /dev/null\nexit %s\n' "${code%%:*}" > "$cap/filter"
	out=$(printf 'HELO x\r\nMAIL FROM:<>\r\nRCPT TO:<terntestsd@tern.test>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n' |
		env - PATH=/usr/bin:/bin QUEUE_INJECT="$cap/filter" "$TERN_HOME/bin/smtpd-recv" 2>/dev/null)
	echo "$out" | grep -q "^${code#*:} " || { echo "$out"; fail "queue-inject exit ${code%%:*}"; }
done
echo "$out" | grep -q '^552 5.3.4' && fail "wrong mapping"
printf '#!/bin/sh\ncat > /dev/null\nexit 33\n' > "$cap/filter"
printf 'HELO x\r\nMAIL FROM:<>\r\nRCPT TO:<terntestsd@tern.test>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n' |
	env - PATH=/usr/bin:/bin QUEUE_INJECT="$cap/filter" "$TERN_HOME/bin/smtpd-recv" 2>/dev/null |
	grep -q '^552 5.3.4' || fail "exit 33 is not 552 5.3.4"
# A looping message (100 Received/Delivered-To fields) is refused.
printf '#!/bin/sh\ncat > /dev/null\nexit 0\n' > "$cap/filter"
out=$(/usr/bin/python3 -c '
import sys
sys.stdout.buffer.write(b"HELO x\r\nMAIL FROM:<>\r\nRCPT TO:<terntestsd@tern.test>\r\nDATA\r\n" +
    b"Received: x\r\n" * 99 + b"Delivered-To: y\r\n\r\nbody\r\n.\r\nQUIT\r\n")' |
	env - PATH=/usr/bin:/bin QUEUE_INJECT="$cap/filter" "$TERN_HOME/bin/smtpd-recv" 2>/dev/null)
echo "$out" | grep -q '^554 5.4.6' || { echo "$out"; fail "looping message accepted"; }
exit 0
