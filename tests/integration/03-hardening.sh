#!/bin/bash
# Hardening of the installed programs, whatever libc they were built with
# (doc/performance.md, "Hardening"): every program is a PIE (ASLR) with a
# non-executable stack, full RELRO (GNU_RELRO, BIND_NOW), no text
# relocations and stack-protector code; the BearSSL programs make
# bounds-checked copies (__memcpy_chk); and in running processes (the
# queue, an SMTP session behind tls-server, a relay-remote waiting for its
# peer, a deliver-local waiting for a program, a sendmail reading its
# input) the RELRO pages are read-only in /proc/PID/maps. The bounds
# checks themselves are tests/unit/test-fortify.c.
. "$TERN_SRC/tests/lib.sh"
tern_need smtpd-recv tls-server relay-remote deliver-local sendmail queue-manager
command -v readelf > /dev/null && command -v objdump > /dev/null || skip "binutils is not installed"
tern_instance_new
bin=$TERN_HOME/bin

# 1. What the files say.
n=0
for f in "$bin"/*; do
	[ -f "$f" ] && [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
	p=${f##*/} n=$((n + 1))
	h=$(readelf -hlW "$f") d=$(readelf -dW "$f")
	grep -q 'Type: *DYN' <<< "$h" || fail "$p is not position-independent (ELF type not DYN)"
	grep -q 'FLAGS_1.*PIE' <<< "$d" || fail "$p has no DF_1_PIE"
	grep -Eq 'GNU_STACK .* RW  ' <<< "$h" || fail "$p: stack not RW-only: $(grep GNU_STACK <<< "$h")"
	grep -q 'GNU_RELRO' <<< "$h" || fail "$p has no GNU_RELRO segment"
	grep -Eq 'FLAGS\) +BIND_NOW|FLAGS_1.* NOW' <<< "$d" || fail "$p is not linked with -z now"
	grep -q TEXTREL <<< "$d" && fail "$p has text relocations"
	nm "$f" 2> /dev/null | grep -qw __stack_chk_fail || fail "$p has no stack-protector code"
done
[ "$n" -ge 15 ] || fail "only $n programs found in $bin"
for p in relay-remote tls-server; do
	objdump -d "$bin/$p" | grep -Eq 'call.*<__memcpy_chk(@plt)?>' ||
		fail "$p makes no bounds-checked copy (__memcpy_chk)"
done

# 2. Running processes. A certificate puts tls-server in front of
# smtpd-recv; a peer that accepts but never greets holds relay-remote; a
# .qmail program that sleeps holds deliver-local; a sendmail whose input
# stays open holds sendmail.
tern_user_new terntest03
sh "$TERN_SRC/scripts/make-cert" --home "$TERN_HOME" > /dev/null || fail "make-cert failed"
port=$(tern_port) peer=$(tern_port)
printf '%s\n' ':allow,RELAYCLIENT=""' > "$TERN_HOME/service-available/smtpd/tcp.smtp"
tern_service_start smtpd IP=127.0.0.1 PORT="$port" TCPSERVER_FLAGS=-H MEMLIMIT=0 > /dev/null
printf 'hold.test:[127.0.0.1]:%s\n' "$peer" > "$TERN_HOME/control/smtproutes"
printf '|sleep 20\n' > "$TEST_ROOT/users/terntest03/.qmail"
chown terntest03 "$TEST_ROOT/users/terntest03/.qmail"

/usr/bin/python3 - "$TERN_HOME" "$port" "$peer" <<'PY' || fail "RELRO is not read-only at run time"
import os, socket, struct, subprocess, sys, time
home, port, peer = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
binp = home + "/bin/"
PT_GNU_RELRO = 0x6474e552
PAGE = os.sysconf("SC_PAGE_SIZE")

def relro(path):
    """(vaddr, memsz) of PT_GNU_RELRO, from the ELF64 program headers."""
    with open(path, "rb") as f:
        eh = f.read(64)
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        f.seek(phoff)
        for _ in range(phnum):
            ph = f.read(phentsize)
            ptype, = struct.unpack_from("<I", ph, 0)
            if ptype == PT_GNU_RELRO:
                vaddr, = struct.unpack_from("<Q", ph, 16)
                memsz, = struct.unpack_from("<Q", ph, 40)
                return vaddr, memsz
    return None

def pids_of(prog):
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                if os.readlink("/proc/%s/exe" % p) == binp + prog:
                    out.append(p)
            except OSError:
                pass
    return out

def check(prog, problems):
    pids = pids_of(prog)
    if not pids:
        problems.append("%s is not running" % prog)
        return
    vaddr, memsz = relro(binp + prog)
    pid = pids[0]
    maps = []
    with open("/proc/%s/maps" % pid) as f:
        for line in f:
            fields = line.split()
            lo, hi = (int(x, 16) for x in fields[0].split("-"))
            maps.append((lo, hi, fields[1], fields[5] if len(fields) > 5 else ""))
    base = min(lo for lo, hi, perm, name in maps if name == binp + prog)
    start = (base + vaddr) & ~(PAGE - 1)
    end = (base + vaddr + memsz) & ~(PAGE - 1)
    if end <= start:
        problems.append("%s: RELRO smaller than a page" % prog)
    for a in range(start, end, PAGE):
        perm = [p for lo, hi, p, n in maps if lo <= a < hi]
        if perm != ["r--p"]:
            problems.append("%s (pid %s): RELRO page %#x is %s" % (prog, pid, a, perm))
            return
    print("ok %s: RELRO %#x-%#x read-only" % (prog, start, end))

def wait(cond, secs=30):
    t = time.time() + secs
    while time.time() < t:
        if cond():
            return True
        time.sleep(0.2)
    return False

# A peer that accepts relay-remote's connection and never answers.
listener = socket.socket()
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", peer))
listener.listen(5)
# An SMTP session, held after the greeting; through it, one message to
# the peer and one for the local user whose .qmail sleeps.
s = socket.create_connection(("127.0.0.1", port), timeout=30)
f = s.makefile("rb")
def reply():
    while True:
        line = f.readline()
        if not line or line[3:4] != b"-":
            return line
assert reply().startswith(b"220")
for cmd in (b"EHLO client.test", b"MAIL FROM:<a@example.org>", b"RCPT TO:<x@hold.test>",
            b"RCPT TO:<terntest03@tern.test>", b"DATA"):
    s.sendall(cmd + b"\r\n")
    r = reply()
    assert r[:1] in (b"2", b"3"), (cmd, r)
s.sendall(b"Subject: hold\r\n\r\nheld\r\n.\r\n")
assert reply().startswith(b"250")
s.sendall(b"NOOP\r\n")
assert reply().startswith(b"250")
peer_conn = None
listener.settimeout(60)
peer_conn, _ = listener.accept()
sm = subprocess.Popen([binp + "sendmail", "terntest03@tern.test"], stdin=subprocess.PIPE)
progs = ["queue-start", "queue-manager", "queue-clean", "local-spawn", "remote-spawn",
         "smtpd-recv", "tls-server", "relay-remote", "deliver-local", "sendmail"]
wait(lambda: all(pids_of(p) for p in progs))
problems = []
for prog in progs:
    check(prog, problems)
sm.stdin.write(b"Subject: s\n\nx\n")
sm.stdin.close()
sm.wait(timeout=30)
s.sendall(b"QUIT\r\n")
s.close()
peer_conn.close()
for p in problems:
    print("FAIL:", p)
sys.exit(1 if problems else 0)
PY
echo "ok: $n programs are PIE, NX, full RELRO, stack-protected"
