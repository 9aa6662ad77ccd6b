#!/bin/bash
# Retries: a program that exits 111 once, then 0, is retried and the
# message delivered (control/retrymin makes the back-off seconds); a
# recipient that always fails temporarily is bounced with 4.4.7 and the
# last error once control/queuelifetime has passed; ALRM retries at once.
. "$TERN_SRC/tests/lib.sh"
tern_need queue-start queue-manager queue-clean queue-inject local-spawn deliver-local
tern_instance_new
maildir() {
	local h=$TEST_ROOT/users/$1
	mkdir -p "$h/Maildir/new" "$h/Maildir/cur" "$h/Maildir/tmp"
	chown -R "$1:" "$h/Maildir"
}
qmail() {
	local h=$TEST_ROOT/users/$1
	shift
	printf '%s\n' "$@" > "$h/.qmail"
	chown "${h##*/}:" "$h/.qmail"
	chmod 0644 "$h/.qmail"
}
svctl() { svc "$@" 2>/dev/null || s6-svc "$@"; }
queue_restart() {
	svctl -d "$TERN_HOME/service/queue"
	tern_wait_for 20 bash -c '! pgrep -f "$0/bin/queue-manager" > /dev/null' "$TERN_HOME" ||
		fail "the queue did not stop"
	svctl -u "$TERN_HOME/service/queue"
	tern_wait_for 20 tern_running queue-manager || fail "the queue did not start"
}
echo 1 > "$TERN_HOME/control/retrymin"
queue_restart

tern_user_new terntest22s; maildir terntest22s
tern_user_new terntest22r; maildir terntest22r
H=$TEST_ROOT/users/terntest22r
qmail terntest22r '|if [ -e tried ]; then exit 0; fi; touch tried; echo busy; exit 111' './Maildir/'

# 1. Temporary failure, then success.
tern_message "retry me" "x" | tern_inject terntest22s@tern.test terntest22r@tern.test ||
	fail "queue-inject failed"
tern_wait_count "$H/Maildir/new/*" 1 60
tern_queue_empty 30
[ -e "$H/tried" ] || fail "the first attempt did not run"
tern_log queue | grep -q 'event=delivery .*rcpt=terntest22r@tern.test status=deferred' ||
	fail "no deferral logged"
tern_log queue | grep -q 'event=delivery .*rcpt=terntest22r@tern.test status=delivered' ||
	fail "no delivery logged"
[ -z "$(find "$TERN_HOME/queue/info" -type f)" ] || fail "info file left behind"

# 2. Always temporary: bounced with 4.4.7 after the queue lifetime.
tern_user_new terntest22t
qmail terntest22t '|echo still busy; exit 111'
echo 4 > "$TERN_HOME/control/queuelifetime"
queue_restart
S=$TEST_ROOT/users/terntest22s/Maildir/new
tern_message "never" "y" | tern_inject terntest22s@tern.test terntest22t@tern.test ||
	fail "queue-inject failed"
tern_wait_count "$S/*" 1 60
tern_queue_empty 30
/usr/bin/python3 - "$S"/* <<'PY' || fail "the expiry bounce is wrong"
import sys, email
msg = email.message_from_binary_file(open(sys.argv[1], 'rb'))
st = msg.get_payload()[1].get_payload()[1]
ok = st['Status'] == '4.4.7' and 'expired' in st['Diagnostic-Code'] and 'still busy' in st['Diagnostic-Code']
if not ok:
    sys.stderr.write('status %r diag %r\n' % (st['Status'], st['Diagnostic-Code'])); sys.exit(1)
PY
n=$(tern_log queue | grep -c 'event=delivery .*rcpt=terntest22t@tern.test status=deferred')
[ "$n" -ge 2 ] || fail "expected at least two attempts before expiry, saw $n"

# 3. ALRM: with a long back-off, a retry happens only when asked.
echo 3600 > "$TERN_HOME/control/retrymin"
echo 604800 > "$TERN_HOME/control/queuelifetime"
rm -f "$H/tried"
queue_restart
tern_message "alarm" "z" | tern_inject terntest22s@tern.test terntest22r@tern.test ||
	fail "queue-inject failed"
tern_wait_for 30 test -e "$H/tried" || fail "first attempt did not happen"
tern_wait_for 20 bash -c '[ -n "$(find "$0" -type f)" ]' "$TERN_HOME/queue/info" ||
	fail "no info file for the deferred message"
sleep 2
[ "$(ls "$H/Maildir/new" | wc -l)" = 1 ] || fail "retried before ALRM"
out=$("$TERN_HOME/bin/mailq") || fail "mailq failed"
echo "$out" | grep -q 'last error: .*busy' || fail "mailq does not show the last error: $out"
svctl -a "$TERN_HOME/service/queue"
tern_wait_count "$H/Maildir/new/*" 2 30
tern_queue_empty 30
exit 0
