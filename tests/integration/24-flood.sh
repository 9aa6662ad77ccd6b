#!/bin/bash
# A flood must not starve deliveries (DESIGN.md §3): 2000 messages wait in
# todo/ when the manager starts; it ingests them in bounded batches
# between dispatches, so the first deliveries are reported before the
# last message is ingested. Judged by the order of the log lines (counts),
# not by time. Nothing is lost: 2000 messages in the Maildir, queue empty.
. "$TERN_SRC/tests/lib.sh"
tern_need queue-start queue-manager queue-clean queue-inject local-spawn deliver-local
N=${TERN_FLOOD:-2000}
tern_instance_new
svctl() { svc "$@" 2>/dev/null || s6-svc "$@"; }
tern_user_new terntest24
H=$TEST_ROOT/users/terntest24
mkdir -p "$H/Maildir/new" "$H/Maildir/cur" "$H/Maildir/tmp"
chown -R terntest24: "$H/Maildir"

svctl -d "$TERN_HOME/service/queue"
tern_wait_for 20 bash -c '! pgrep -f "$0/bin/queue-manager" > /dev/null' "$TERN_HOME" ||
	fail "the queue did not stop"
T=$TEST_ROOT/t24
rm -rf "$T"; mkdir -p "$T"
tern_message "flood" "water" > "$T/msg"
printf 'Fflood@tern.test\0Tterntest24@tern.test\0\0' > "$T/env"
i=0
while [ $i -lt "$N" ]; do
	"$TERN_HOME/bin/queue-inject" < "$T/msg" 1< "$T/env" || fail "queue-inject failed at $i"
	i=$((i + 1))
done
[ "$(find "$TERN_HOME/queue/todo" -type f | wc -l)" = "$N" ] || fail "not $N messages in todo"

svctl -u "$TERN_HOME/service/queue"
tern_wait_count "$H/Maildir/new/*" "$N" 280
tern_queue_empty 60
tern_wait_gone "$TERN_HOME/queue/todo/*/*" 20
[ "$(ls "$H/Maildir/new" | wc -l)" = "$N" ] || fail "expected $N deliveries, got $(ls "$H/Maildir/new" | wc -l)"

# The log, oldest first (multilog archives, then current).
logs() { cat "$TERN_LOGDIR"/queue/@* "$TERN_LOGDIR/queue/current" 2>/dev/null; }
logs | awk -v n="$N" '
	/ event=new / { news++; if (news == n) last_new = NR }
	/ event=delivery .*status=delivered/ { if (!first) { first = NR; before = news } }
	END {
		if (news < n) { print "only " news " event=new lines"; exit 1 }
		if (!first || first > last_new) { print "no delivery before the last ingestion"; exit 1 }
		print "first delivery after " before " of " n " ingested"
	}' || fail "deliveries were starved by ingestion"
exit 0
