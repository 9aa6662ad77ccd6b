#!/bin/bash
# The recipient reads only the message as delivered to it (issue 13,
# finding 1): a |program in a .qmail lists its own fds (0, 1, 2 and
# nothing else) and reads everything it can reach of its parents
# (/proc/PPID/fd/*, environ, cmdline, up the chain); the other recipient
# of the same message (a Bcc) and the DSN fields (ORCPT, ENVID) appear
# nowhere. The in-process delivery child (no .qmail) is not dumpable: the
# recipient's own processes cannot open its /proc files while it waits.
. "$TERN_SRC/tests/lib.sh"
tern_need queue-inject deliver-local local-spawn
tern_instance_new
tern_user_new terntest36a    # runs the spy program
tern_user_new terntest36b    # the Bcc
tern_user_new terntest36c    # an mbox the test keeps locked
A=$TEST_ROOT/users/terntest36a
C=$TEST_ROOT/users/terntest36c
cat > "$A/spy.py" <<'PY'
import os, sys
# Spelled backwards here, so that no argv or file of ours holds them.
secrets = [s[::-1].encode() for s in ('b63tsetnret', 'tcpro-terces', 'divne-terces')]
out = []
def scan(what, data):
    for s in secrets:
        if s in data:
            out.append('LEAK %s holds %s' % (what, s.decode()))
def read(path, limit=1 << 24):
    # non-blocking: a pipe end must not hang the spy
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as e:
        out.append('denied %s (%s)' % (path, e.strerror))
        return b''
    try:
        return os.read(fd, limit)
    except OSError:
        return b''
    finally:
        os.close(fd)
own = []
for fd in os.listdir('/proc/self/fd'):
    try:
        target = os.readlink('/proc/self/fd/' + fd)
    except OSError:
        continue                      # the listing's own descriptor, closed again
    if not target.startswith('/proc/'):
        own.append(int(fd))
out.append('own fds: ' + ' '.join(str(f) for f in sorted(own)))
msg = os.read(0, 1 << 24)
out.append('stdin has the message: %s' % (b'Subject: leak test' in msg))
scan('stdin', msg)
for fd in sorted(own):             # through the descriptor itself, not a reopen
    try:
        scan('own fd %d' % fd, os.pread(fd, 1 << 24, 0))
    except OSError:
        pass
pid, depth = os.getppid(), 0
while pid > 1 and depth < 6:
    out.append('parent %d' % pid)
    for name in ('environ', 'cmdline'):
        scan('/proc/%d/%s' % (pid, name), read('/proc/%d/%s' % (pid, name)))
    try:
        fds = os.listdir('/proc/%d/fd' % pid)
    except OSError as e:
        out.append('denied /proc/%d/fd (%s)' % (pid, e.strerror))
        fds = []
    for fd in fds:
        scan('/proc/%d/fd/%s' % (pid, fd), read('/proc/%d/fd/%s' % (pid, fd)))
    try:
        pid = int(open('/proc/%d/stat' % pid).read().rsplit(')', 1)[1].split()[1])
    except OSError:
        break
    depth += 1
path = os.path.join(os.environ['HOME'], 'spy.out')
open(path + '.tmp', 'w').write('\n'.join(out) + '\n')
os.rename(path + '.tmp', path)
PY
chmod 0644 "$A/spy.py"
printf '|/usr/bin/python3 ./spy.py\n' > "$A/.qmail"
chown terntest36a: "$A/.qmail" "$A/spy.py"

# One message to both, with DSN fields, through the running queue.
tern_message "leak test" "body" | "$TERN_HOME/bin/queue-inject" 1< <(
	printf 'Fsender@example.org\0Esecret-envid\0Tterntest36a@tern.test\0Tterntest36b@tern.test\0Ormfc822;secret-orcpt\0\0') ||
	fail "queue-inject failed"
tern_wait_for 30 test -s "$A/spy.out" || { tern_log queue >&2; fail "the spy program did not run"; }
s=$(cat "$A/spy.out")
grep -qx 'own fds: 0 1 2' <<< "$s" || fail "the program inherited more than fds 0, 1, 2: $s"
grep -qx 'stdin has the message: True' <<< "$s" || fail "the program's stdin lacks the message: $s"
grep -q '^LEAK' <<< "$s" && fail "envelope data reachable by the recipient: $(grep '^LEAK' <<< "$s")"
grep -q '^parent ' <<< "$s" || fail "the spy saw no parent: $s"
# deliver-local is the parent (same uid): its fds were read, not denied.
grep -q "^denied /proc/$(grep -m1 '^parent ' <<< "$s" | cut -d' ' -f2)/fd " <<< "$s" &&
	fail "could not even look at deliver-local's fds: the test proves nothing: $s"
tern_queue_empty 30
[ "$(ls "$TEST_ROOT/users/terntest36b/Maildir/new" | wc -l)" = 1 ] || fail "the Bcc was not delivered"

# The in-process child: waiting for an mbox lock, as terntest36c, not dumpable.
tern_stop
tern_message "locked" "x" | tern_inject s@example.org x@tern.test || fail inject
id=$(basename "$(ls "$TERN_HOME"/queue/mess/*/* | head -n 1)")
echo ./Mailbox > "$TERN_HOME/control/defaultdelivery"
runuser -u terntest36c -- sh -c "umask 077; : > '$C/Mailbox'"
runuser -u terntest36c -- /usr/bin/python3 -c '
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY)
fcntl.lockf(fd, fcntl.LOCK_EX)
open(sys.argv[1] + ".held", "w").close()
while os.path.exists(sys.argv[1] + ".held"):
    time.sleep(0.1)
' "$C/Mailbox" &
locker=$!
tern_wait_for 20 test -e "$C/Mailbox.held" || fail "the locker did not start"
printf 'J1\0Dtern.test\0M%s\0Ss@example.org\0Rterntest36c@tern.test\0\0' "$id" |
	"$TERN_HOME/bin/local-spawn" > "$TEST_ROOT/t36.report" 2> /dev/null &
spawner=$!
uid=$(id -u terntest36c)
child() {  # the local-spawn child running as terntest36c
	local p
	for p in $(tern_pids_of "$TERN_HOME/bin/local-spawn"); do
		awk -v u="$uid" '/^Uid:/ { exit !($2 == u) }' "/proc/$p/status" 2> /dev/null && { echo "$p"; return 0; }
	done
	return 1
}
tern_wait_for 20 child > /dev/null || fail "no delivery child running as terntest36c"
pid=$(child)
for f in environ fd/0 fd/1 mem; do
	runuser -u terntest36c -- cat "/proc/$pid/$f" > /dev/null 2>&1 &&
		fail "the recipient could read /proc/$pid/$f of the in-process delivery"
done
runuser -u terntest36c -- ls "/proc/$pid/fd" > /dev/null 2>&1 && fail "the recipient could list the child's fds"
rm -f "$C/Mailbox.held"
wait "$locker"
tern_wait_for 30 bash -c '! kill -0 $1 2> /dev/null' _ "$spawner" || fail "local-spawn did not finish"
tr '\0' '\n' < "$TEST_ROOT/t36.report" | grep -q '^K2.0.0 ' || fail "not delivered: $(tr '\0' ' ' < "$TEST_ROOT/t36.report")"
grep -q '^Subject: locked$' "$C/Mailbox" || fail "the mbox lacks the message"
exit 0
