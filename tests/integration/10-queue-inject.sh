#!/bin/bash
# queue-inject: the commit protocol's result (mess/S/N + todo link, owner,
# mode, trailer, empty pid/), every malformed envelope (91, nothing left
# behind), a too-long address (11), databytes (33, writer not cut off),
# the QUEUE_INJECT/QMAILQUEUE filter hook, 2 fsyncs per message.
. "$TERN_SRC/tests/lib.sh"
tern_need queue-inject inject
tern_instance_new
# The manager must not deliver what we inspect: stop everything; the
# installed queue stays.
tern_stop
Q=$TERN_HOME/queue
QI=$TERN_HOME/bin/queue-inject
T=$TEST_ROOT/t10
rm -rf "$T"; mkdir -p "$T"; chmod 0755 "$T"

. "$TERN_SRC/tests/integration/helpers/queue.sh"

# As an unprivileged user, so the setuid bit does the work.
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

queue_clear() { rm -f "$Q"/mess/*/* "$Q"/todo/*/* "$Q"/pid/*; }
count() { find "$Q/$1" -type f | wc -l; }
nothing_left() {  # $1: what we did
	[ "$(count mess)" = 0 ] && [ "$(count todo)" = 0 ] && [ "$(count pid)" = 0 ] ||
		{ find "$Q/mess" "$Q/todo" "$Q/pid" -type f >&2; fail "$1: left files in the queue"; }
}

# qi ENVELOPE-PRINTF-FORMAT [MESSAGE-FILE]: run queue-inject as nobody; prints the exit code.
qi() {
	printf "$1" > "$T/env"
	as_nobody "$QI" < "${2:-$T/msg}" 1< "$T/env" 2> "$T/err"
	echo $?
}

printf 'Subject: one\n\nhello\n' > "$T/msg"

# --- a good message ---------------------------------------------------------
queue_clear
rc=$(qi 'Fs@x\0Ta@tern.test\0Tb@example.org\0\0')
[ "$rc" = 0 ] || fail "good message: exit $rc ($(cat "$T/err"))"
[ "$(count mess)" = 1 ] || fail "expected one file in mess/"
[ "$(count pid)" = 0 ] || fail "pid/ not empty"
f=$(find "$Q/mess" -type f)
id=${f##*/}
s=${f%/*}; s=${s##*/}
split=$(head -n 1 "$TERN_SRC/conf-split")
[ "$s" = $((id % split)) ] || fail "$f is not in mess/(id % $split)"
[ "$(stat -c %i "$f")" = "$id" ] || fail "the id is not the inode number"
[ "$(stat -c %i "$Q/todo/$s/$id")" = "$id" ] || fail "no todo link for $id"
[ "$(stat -c '%A %U:%G' "$f")" = "-rw-r----- tern-queue:tern" ] || fail "owner/mode: $(stat -c '%A %U:%G' "$f")"
qfile "$f" > "$T/out" || fail "bad queue file"
head -n 2 "$T/out" | grep -q "^Received: (tern [0-9]* invoked by uid $(id -u nobody)); [A-Z][a-z][a-z], [0-9]* [A-Z][a-z][a-z] 20[0-9][0-9] [0-9:]* [-+][0-9]*\$" ||
	fail "Received line: $(head -n 2 "$T/out")"
sed -n '3,5p' "$T/out" | cmp -s - "$T/msg" || fail "message bytes changed"
sed -n '/^--envelope--$/,$p' "$T/out" | tail -n +2 > "$T/recs"
printf 'Fs@x\nTa@tern.test\nTb@example.org\n' | cmp -s - "$T/recs" || fail "envelope: $(cat "$T/recs")"
len=$(sed -n 's/^len=//p' "$T/out")
rlen=$(head -n 2 "$T/out" | tail -n 1 | wc -c)
[ "$len" = $((rlen + $(wc -c < "$T/msg"))) ] || fail "trailer length $len"

# Extended records (DSN), the null sender, an empty message, a message
# without final newline, binary bytes.
queue_clear
[ "$(qi 'F\0Eenv+2Bid\0RHDRS\0Ta@b\0NSUCCESS,DELAY\0Orfc822;a@b\0Tc@d\0\0')" = 0 ] || fail "DSN records refused"
qfile "$(find "$Q/mess" -type f)" | sed -n '/^--envelope--$/,$p' | tail -n +2 > "$T/recs"
printf 'F\nEenv+2Bid\nRHDRS\nTa@b\nNSUCCESS,DELAY\nOrfc822;a@b\nTc@d\n' | cmp -s - "$T/recs" ||
	fail "DSN envelope: $(cat "$T/recs")"
queue_clear
[ "$(qi 'Fa\0Tb\0\0' /dev/null)" = 0 ] || fail "empty message refused"
printf 'no newline\0\001\377' > "$T/bin"
queue_clear
[ "$(qi 'Fa\0Tb\0\0' "$T/bin")" = 0 ] || fail "binary message refused"
f=$(find "$Q/mess" -type f)
qfile "$f" > /dev/null || fail "binary message: bad queue file"
tail -c +"$(( $(head -n 1 "$f" | wc -c) + 1 ))" "$f" | head -c 13 | cmp -s - "$T/bin" || fail "binary bytes changed"

# --- malformed envelopes: 91, nothing queued --------------------------------
bad_envelopes=(
	'' '\0' 'F\0\0' 'Fa\0Tb\0' 'Fa\0Tb' 'Ta\0Fb\0\0' 'Fa\0Fb\0Tc\0\0' 'Fa\0Tb\0Fc\0\0'
	'Fa\0Tb\0Ex\0\0' 'Fa\0Tb\0RFULL\0\0' 'Fa\0Ex\0Ey\0Tb\0\0' 'Fa\0Nx\0Tb\0\0'
	'Fa\0Tb\0Nx\0Ny\0\0' 'Fa\0Tb\0Ox\0Oy\0\0' 'Fa\0Tb\0Xz\0\0' 'Fa\rb\0Tc\0\0'
	'Fa\0Tb\nc\0\0' 'Fa\0Tb\177\0\0' 'Fa\0E\001\0Tb\0\0' 'fa\0Tb\0\0' 'xyz'
)
queue_clear
for e in "${bad_envelopes[@]}"; do
	rc=$(qi "$e")
	[ "$rc" = 91 ] || fail "envelope '$e': exit $rc, want 91"
	nothing_left "envelope '$e'"
done

# A 1000-byte address is fine; 1001 is exit 11 (sender and recipient).
a1000=$(head -c 1000 /dev/zero | tr '\0' a)
[ "$(qi "F${a1000}\\0Tb\\0\\0")" = 0 ] || fail "1000-byte sender refused"
queue_clear
[ "$(qi "F${a1000}a\\0Tb\\0\\0")" = 11 ] || fail "1001-byte sender: want 11"
nothing_left "long sender"
[ "$(qi "Fa\\0Tb\\0T${a1000}a\\0\\0")" = 11 ] || fail "1001-byte recipient: want 11"
nothing_left "long recipient"
# A DSN parameter too long is a format error.
[ "$(qi "Fa\\0E${a1000}e\\0Tb\\0\\0")" = 91 ] || fail "long ENVID: want 91"
nothing_left "long ENVID"

# 100000 recipients are fine, 100001 are a format error; an envelope over
# 64 MiB (70000 recipients of 999 bytes) is refused without holding it.
queue_clear
/usr/bin/python3 -c 'import sys; sys.stdout.buffer.write(b"Fa\0" + b"Tr\0" * 100000 + b"\0")' > "$T/env"
as_nobody "$QI" < "$T/msg" 1< "$T/env" || fail "100000 recipients refused"
queue_clear
/usr/bin/python3 -c 'import sys; sys.stdout.buffer.write(b"Fa\0" + b"Tr\0" * 100001 + b"\0")' > "$T/env"
rc=0; as_nobody "$QI" < "$T/msg" 1< "$T/env" || rc=$?
[ "$rc" = 91 ] || fail "100001 recipients: exit $rc, want 91"
nothing_left "100001 recipients"
/usr/bin/python3 -c 'import sys; sys.stdout.buffer.write(b"Fa\0" + (b"T" + b"r" * 999 + b"\0") * 70000 + b"\0")' > "$T/env"
rc=0; as_nobody "$QI" < "$T/msg" 1< "$T/env" || rc=$?
[ "$rc" = 91 ] || fail "70 MB envelope: exit $rc, want 91"
nothing_left "70 MB envelope"
rm -f "$T/env"

# An envelope whose writer keeps the pipe open: queue-inject stops at the
# final NUL as qmail-queue does (bounded by timeout, not timed).
queue_clear
mkfifo "$T/efifo"
{ printf 'Fa\0Tb\0\0'; exec sleep 60; } > "$T/efifo" &
wpid=$!
rc=0; timeout 20 setpriv --reuid=nobody --regid=nogroup --clear-groups "$QI" < "$T/msg" 1< "$T/efifo" || rc=$?
kill "$wpid" 2> /dev/null; wait "$wpid" 2> /dev/null
rm -f "$T/efifo"
[ "$rc" = 0 ] || fail "envelope with the pipe left open: exit $rc"
[ "$(count mess)" = 1 ] || fail "envelope with the pipe left open: not queued"

# --- size ceiling: control/databytes -----------------------------------------
queue_clear
echo 1000 > "$TERN_HOME/control/databytes"
head -c 1000 /dev/zero | tr '\0' x > "$T/m1000"
head -c 1001 /dev/zero | tr '\0' x > "$T/m1001"
[ "$(qi 'Fa\0Tb\0\0' "$T/m1000")" = 0 ] || fail "message of exactly databytes refused"
queue_clear
[ "$(qi 'Fa\0Tb\0\0' "$T/m1001")" = 33 ] || fail "message over databytes: want 33"
nothing_left "message over databytes"
# The writer of a big message is never cut off (no SIGPIPE): queue-inject reads to the end.
printf 'Fa\0Tb\0\0' > "$T/env"
head -c 5000000 /dev/zero | as_nobody "$QI" 1< "$T/env"
st=("${PIPESTATUS[@]}")
[ "${st[0]}" = 0 ] || fail "the writer of a big message got status ${st[0]}"
[ "${st[1]}" = 33 ] || fail "big message: exit ${st[1]}, want 33"
nothing_left "5 MB over databytes"
echo 0 > "$TERN_HOME/control/databytes"
[ "$(qi 'Fa\0Tb\0\0' "$T/m1001")" = 0 ] || fail "databytes 0 means no configured limit (the 1 GiB ceiling)"
queue_clear
echo junk > "$TERN_HOME/control/databytes"
[ "$(qi 'Fa\0Tb\0\0')" = 55 ] || fail "unreadable databytes: want 55"
nothing_left "bad databytes"
rm -f "$TERN_HOME/control/databytes"

# --- a hostile caller ---------------------------------------------------------
# stderr closed: nothing of ours may land in the queue file.
queue_clear
printf 'Fa\0Tb\0\0' > "$T/env"
as_nobody "$QI" < "$T/msg" 1< "$T/env" 2>&- || fail "stderr closed: refused"
qfile "$(find "$Q/mess" -type f)" > /dev/null || fail "stderr closed: bad file"
# QUEUE_INJECT in queue-inject's own environment is ignored (setuid).
queue_clear
QUEUE_INJECT=/bin/false as_nobody env QUEUE_INJECT=/bin/false "$QI" < "$T/msg" 1< "$T/env" ||
	fail "queue-inject obeyed QUEUE_INJECT"
[ "$(count mess)" = 1 ] || fail "QUEUE_INJECT to queue-inject: not queued"
# Envelope on a descriptor that is not readable: a read error, nothing left.
queue_clear
rc=0; as_nobody "$QI" < "$T/msg" > "$T/wo" 2> /dev/null || rc=$?
[ "$rc" = 54 ] || fail "unreadable envelope fd: exit $rc, want 54"
nothing_left "unreadable envelope"
# Killed by a signal while reading the message: nothing left behind.
queue_clear
mkfifo "$T/fifo"
setpriv --reuid=nobody --regid=nogroup --clear-groups "$QI" < "$T/fifo" 1< "$T/env" &
qpid=$!
exec 7> "$T/fifo"
printf 'partial' >&7
pid_present() { [ -n "$(ls "$Q/pid")" ]; }
tern_wait_for 10 pid_present || fail "no pid file while writing"
kill -TERM "$qpid"
rc=0; wait "$qpid" || rc=$?
exec 7>&-
[ "$rc" = 143 ] || fail "SIGTERM: status $rc"
nothing_left "SIGTERM while reading"
rm -f "$T/fifo"

# --- the filter hook -----------------------------------------------------------
cat > "$T/filter" <<EOS
#!/bin/sh
{ echo "X-Filtered: yes"; cat; } | exec "$QI"
EOS
chmod 0755 "$T/filter"
for var in QUEUE_INJECT QMAILQUEUE; do
	queue_clear
	printf 'Subject: f\n\nbody\n' | env "$var=$T/filter" "$TERN_HOME/bin/inject" a@b ||
		fail "$var filter: inject failed"
	qfile "$(find "$Q/mess" -type f)" | grep -q '^X-Filtered: yes$' || fail "$var filter not used"
done
# A filter that refuses permanently: inject exits 100, nothing queued.
queue_clear
printf '#!/bin/sh\ncat > /dev/null; exit 31\n' > "$T/refuse"; chmod 0755 "$T/refuse"
rc=0; printf 'Subject: f\n\nbody\n' | QUEUE_INJECT=$T/refuse "$TERN_HOME/bin/inject" a@b 2> "$T/err" || rc=$?
[ "$rc" = 100 ] || fail "filter exit 31: inject exit $rc, want 100"
grep -q '5\.3\.0' "$T/err" || fail "filter exit 31: message $(cat "$T/err")"
nothing_left "refusing filter"

# --- two fsyncs per message ----------------------------------------------------------
queue_clear
n=$(strace -f -c -e trace=fsync,fdatasync -o "$T/strace" "$QI" < "$T/msg" 1< "$T/env" && awk '$NF=="fsync"{print $4}' "$T/strace")
[ "$n" = 2 ] || { cat "$T/strace" >&2; fail "fsyncs per message: $n, want 2"; }
queue_clear
exit 0
