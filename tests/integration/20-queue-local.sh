#!/bin/bash
# The queue's heart with local delivery: queue-inject → queue-manager →
# local-spawn → deliver-local → Maildir, then queue-clean removes the
# message. Several recipients (two users, one of them twice), the log
# lines, an empty queue afterwards (mess, todo, info), and mailq's
# listing of a message held while the queue is down.
. "$TERN_SRC/tests/lib.sh"
tern_need queue-start queue-manager queue-clean queue-inject local-spawn deliver-local mailq
tern_instance_new
Q=$TERN_HOME/queue
maildir() {  # user: make ~/Maildir
	local h=$TEST_ROOT/users/$1
	mkdir -p "$h/Maildir/new" "$h/Maildir/cur" "$h/Maildir/tmp"
	chown -R "$1:" "$h/Maildir"
}
tern_user_new terntest20a; maildir terntest20a
tern_user_new terntest20b; maildir terntest20b
A=$TEST_ROOT/users/terntest20a/Maildir/new
B=$TEST_ROOT/users/terntest20b/Maildir/new

# 1. One message, one recipient.
tern_message "first" "one" | tern_inject tester@tern.test terntest20a@tern.test ||
	fail "queue-inject failed"
tern_wait_count "$A/*" 1 30
grep -q '^Subject: first$' "$A"/* || fail "the delivered message lacks its subject"
tern_queue_empty 30
tern_wait_gone "$Q/todo/*/*" 10

# 2. Three recipients in one message: two users, the first one twice
# (an extension address), all delivered, then removed.
tern_message "second" "two" | tern_inject tester@tern.test terntest20a@tern.test \
	terntest20b@tern.test TernTest20B@Tern.Test || fail "queue-inject failed"
tern_wait_count "$A/*" 2 30
tern_wait_count "$B/*" 2 30
tern_queue_empty 30
[ -z "$(find "$Q/info" -type f)" ] || fail "info files left: $(find "$Q/info" -type f)"

# 3. The log: one line per event, key=value.
tern_wait_for 10 grep -q 'event=new .*nrcpt=3' "$TERN_LOGDIR/queue/current" ||
	{ tern_log queue >&2; fail "no event=new line for the second message"; }
tern_log queue | grep -q 'event=delivery .*rcpt=terntest20b@tern.test status=delivered' ||
	{ tern_log queue >&2; fail "no delivery line"; }
tern_log queue | grep -q 'event=remove ' || fail "no remove line"

# 4. mailq lists a message while the queue is down.
svc -d "$TERN_HOME/service/queue" 2>/dev/null || s6-svc -d "$TERN_HOME/service/queue"
tern_wait_for 20 bash -c '! pgrep -f "$0/bin/queue-manager" >/dev/null' "$TERN_HOME" ||
	fail "the queue did not stop"
tern_message "third" "three" | tern_inject sender3@example.org terntest20a@tern.test ||
	fail "queue-inject failed"
out=$("$TERN_HOME/bin/mailq") || fail "mailq failed: $out"
echo "$out" | grep -q 'sender3@example.org' || fail "mailq does not show the sender: $out"
echo "$out" | grep -q 'terntest20a@tern.test' || fail "mailq does not show the recipient: $out"
echo "$out" | grep -q '1 message' || fail "mailq does not count: $out"
# 5. queue-clean, by hand while the queue is down: malformed ids are
# refused (never turned into paths), X removes exactly mess and todo of
# the named message, C removes only pid/ files older than 36 hours.
id=$(find "$Q/mess" -type f -printf '%f\n' | head -n 1)
touch -d '-40 hours' "$Q/pid/old.1"; touch "$Q/pid/new.1"
clean_out=$(printf 'Tabc\0T../../control/me\0X\0T99999999999999999999999\0X424242\0C\0' |
	setpriv --reuid=tern-queue --regid=tern --init-groups "$TERN_HOME/bin/queue-clean" | tr '\0' '|')
[ "$clean_out" = "Z|Z|Z|Z|K424242|K|" ] || fail "queue-clean answered $clean_out"
[ -e "$Q/pid/new.1" ] && [ ! -e "$Q/pid/old.1" ] || fail "C did not remove exactly the old pid file"
[ -s "$TERN_HOME/control/me" ] || fail "queue-clean touched control/me"
[ -n "$(find "$Q/mess" -name "$id")" ] || fail "the queued message vanished"
rm -f "$Q/pid/new.1"
# ... and the restarted manager finds and delivers it.
svc -u "$TERN_HOME/service/queue" 2>/dev/null || s6-svc -u "$TERN_HOME/service/queue"
tern_wait_count "$A/*" 3 30
tern_queue_empty 30
out=$("$TERN_HOME/bin/mailq")
echo "$out" | grep -q 'queue is empty' || fail "mailq on an empty queue: $out"

# 6. An idle manager sleeps: far less than a second of CPU in 3 seconds
# (a fifo at EOF or a zero poll timeout would spin).
pid=$(tern_pids_of "$TERN_HOME/bin/queue-manager" | head -n 1)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
c1=$(cpu); sleep 3; c2=$(cpu)
[ $((c2 - c1)) -lt 100 ] || fail "the idle manager used $((c2 - c1)) ticks in 3 s"
exit 0
