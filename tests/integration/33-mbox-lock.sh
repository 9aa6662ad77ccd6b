#!/bin/bash
# mbox locking and safety: a concurrent locker holding the fcntl lock and
# the .lock dotlock makes the delivery wait, then it appends after the
# locker's text; a fresh dotlock alone also makes it wait; a stale one is
# removed; mboxrd quoting; a write that fails (file size limit) truncates
# the mbox back to its old size.
. "$TERN_SRC/tests/lib.sh"
tern_need queue-inject deliver-local
tern_instance_new
tern_stop   # the queue file stays for deliver-local run by hand
tern_user_new terntest1
U1=$TEST_ROOT/users/terntest1
M=$U1/mbox
body='Subject: lock test

From the first line
>From quoted once
>>From quoted twice
From
 From not at the start
Fro
From the last line'
printf '%s\n' "$body" | tern_inject s@example.org terntest1@tern.test || fail inject
qf=$(ls "$TERN_HOME"/queue/mess/*/* | head -n 1)
len=$(tail -c 32 "$qf" | cut -c8-27 | sed 's/^0*//')
dl() {
	(cd "$U1" && setpriv --reuid terntest1 --regid terntest1 --init-groups \
		"$TERN_HOME/bin/deliver-local" -- terntest1 "$U1" terntest1 '' '' tern.test \
		s@example.org "$len" ./mbox < "$qf")
}
# locker MODE SECONDS: hold the locks (MODE both|dot) as terntest1, write a
# marker line while holding them; prints "locked" once it holds them.
locker() {
	runuser -u terntest1 -- /usr/bin/python3 - "$M" "$1" "$2" <<'PY'
import fcntl, os, sys, time
path, mode, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
if mode == 'both':
    fcntl.lockf(fd, fcntl.LOCK_EX)
lk = os.open(path + '.lock', os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
print('locked', flush=True)
time.sleep(secs)
os.write(fd, b'From locker Thu Jan  1 00:00:00 1970\n\nlocker text\n\n')
os.close(lk)
os.unlink(path + '.lock')
os.close(fd)
PY
}
wait_locked() { tern_wait_for 20 grep -q locked "$TEST_ROOT/t33.locker" || fail "locker did not start"; }

# 1. fcntl lock and dotlock held: the delivery waits, then appends.
rm -f "$M" "$M.lock" "$TEST_ROOT/t33.locker"
locker both 3 > "$TEST_ROOT/t33.locker" &
lp=$!
wait_locked
dl > "$TEST_ROOT/t33.out" &
dp=$!
wait $lp || fail "locker failed"
wait $dp || fail "delivery failed: $(cat "$TEST_ROOT/t33.out")"
[ ! -e "$M.lock" ] || fail "dotlock left behind"
/usr/bin/python3 - "$M" <<'PY' || fail "mbox content wrong"
import sys
t = open(sys.argv[1], 'rb').read()
parts = t.split(b'\n\nFrom ')
assert t.startswith(b'From locker '), t[:60]          # the locker's text came first
assert len(parts) == 2, parts
d = b'From ' + parts[1]
lines = d.split(b'\n')
assert lines[0].startswith(b'From s@example.org '), lines[0]
assert lines[1] == b'Return-Path: <s@example.org>'
assert lines[2] == b'Delivered-To: terntest1@tern.test'
want = [b'Subject: lock test', b'', b'>From the first line', b'>>From quoted once',
        b'>>>From quoted twice', b'From', b' From not at the start', b'Fro',
        b'>From the last line', b'', b'']
assert lines[3].startswith(b'Received: '), lines[3]   # queue-inject's
assert lines[4:] == want, lines[4:]
PY

# 2. A fresh dotlock alone (a dotlock-only MUA): the delivery waits too.
rm -f "$M" "$TEST_ROOT/t33.locker"
locker dot 3 > "$TEST_ROOT/t33.locker" &
lp=$!
wait_locked
dl > "$TEST_ROOT/t33.out" || fail "delivery failed: $(cat "$TEST_ROOT/t33.out")"
wait $lp || fail "locker failed"
head -n 1 "$M" | grep -q '^From locker ' || fail "delivery did not wait for the dotlock"
[ "$(grep -c '^From ' "$M")" = 2 ] || fail "two messages expected"

# 3. A stale dotlock (older than 5 minutes) is removed.
runuser -u terntest1 -- touch -d '10 minutes ago' "$M.lock"
dl > /dev/null || fail "stale dotlock blocked the delivery"
[ ! -e "$M.lock" ] || fail "stale dotlock not removed"
[ "$(grep -c '^From ' "$M")" = 3 ] || fail "three messages expected"

# 4. A write error truncates the mbox back: a file size limit smaller
# than mbox + message.
size=$(stat -c %s "$M")
big=$(/usr/bin/python3 -c 'print("Subject: big\n\n" + "x" * 80 * 200)')
printf '%s\n' "$big" | tern_inject s@example.org terntest1@tern.test || fail inject
qf=$(ls -t "$TERN_HOME"/queue/mess/*/* | head -n 1)
len=$(tail -c 32 "$qf" | cut -c8-27 | sed 's/^0*//')
limit=$(( (size + 2047) / 1024 ))   # KiB: room for the old mbox, not the new message
out=$(cd "$U1" && bash -c "ulimit -f $limit; exec setpriv --reuid terntest1 --regid terntest1 --init-groups \
	'$TERN_HOME/bin/deliver-local' -- terntest1 '$U1' terntest1 '' '' tern.test s@example.org $len ./mbox" < "$qf")
rc=$?
[ $rc = 111 ] || fail "write error: exit $rc ($out)"
[ "$(stat -c %s "$M")" = "$size" ] || fail "mbox not truncated back: $(stat -c %s "$M") != $size"
[ ! -e "$M.lock" ] || fail "dotlock left after a failure"
exit 0
