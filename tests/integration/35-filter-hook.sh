#!/bin/bash
# The filter hook covers every injection (issue 8): QUEUE_INJECT set in
# the queue service's env/ names a filter (here a shell script that adds
# "X-Filtered: yes" and runs queue-inject); a forwarded copy (deliver-local
# via local-spawn) and a bounce (queue-manager) both carry its header.
# QMAILQUEUE, qmail's name, works the same way.
. "$TERN_SRC/tests/lib.sh"
tern_need queue-start queue-manager local-spawn deliver-local queue-inject
tern_instance_new
tern_user_new terntest35s    # sender: gets the bounce
tern_user_new terntest35f    # forwards to terntest35t
tern_user_new terntest35t    # gets the forwarded copy
tern_user_new terntest35x    # a program that fails permanently: a bounce
S=$TEST_ROOT/users/terntest35s/Maildir/new
T=$TEST_ROOT/users/terntest35t/Maildir/new
dotqmail() { printf '%s\n' "$2" > "$TEST_ROOT/users/$1/.qmail"; chown "$1:" "$TEST_ROOT/users/$1/.qmail"; }
dotqmail terntest35f '&terntest35t@tern.test'
dotqmail terntest35x '|exit 100'
F=$TEST_ROOT/t35-filter
cat > "$F" <<EOF
#!/bin/sh
# fd 0 the message, fd 1 the envelope: both go on to queue-inject.
{ printf 'X-Filtered: %s\n' "\$1"; cat; } | $TERN_HOME/bin/queue-inject
EOF
chmod 0755 "$F"
printf '#!/bin/sh\nexec %s yes\n' "$F" > "$F.yes"
printf '#!/bin/sh\nexec %s qmail\n' "$F" > "$F.qmail"
chmod 0755 "$F.yes" "$F.qmail"

# restart_queue VAR VALUE: the queue service with env/VAR = VALUE, restarted.
restart_queue() {
	local env=$TERN_HOME/service-available/queue/env old
	rm -rf "$env"; mkdir -p "$env"
	printf '%s\n' "$2" > "$env/$1"
	old=$(tern_pids_of "$TERN_HOME/bin/queue-manager" | head -n 1)
	svc -t "$TERN_HOME/service/queue" 2> /dev/null || s6-svc -t "$TERN_HOME/service/queue"
	tern_wait_for 30 new_manager "$old" || { tern_log queue >&2; fail "the queue did not restart"; }
}
new_manager() {
	local now
	now=$(tern_pids_of "$TERN_HOME/bin/queue-manager")
	[ -n "$now" ] && ! printf '%s\n' "$now" | grep -qxF "$1"
}
# The environment the manager and local-spawn were given.
env_of() { tr '\0' '\n' < "/proc/$(tern_pids_of "$TERN_HOME/bin/$1" | head -n 1)/environ"; }

restart_queue QUEUE_INJECT "$F.yes"
env_of queue-manager | grep -qx "QUEUE_INJECT=$F.yes" || fail "queue-manager lacks QUEUE_INJECT: $(env_of queue-manager)"
env_of local-spawn | grep -qx "QUEUE_INJECT=$F.yes" || fail "local-spawn lacks QUEUE_INJECT"
env_of remote-spawn | grep -q QUEUE_INJECT && fail "remote-spawn got the filter hook (it never injects)"

# A forward and a bounce, injected without the filter (queue-inject directly).
tern_message "forward me" "f" | tern_inject terntest35s@tern.test terntest35f@tern.test || fail inject
tern_message "bounce me" "b" | tern_inject terntest35s@tern.test terntest35x@tern.test || fail inject
tern_wait_count "$T/*" 1 30
tern_wait_count "$S/*" 1 30
tern_queue_empty 30
f=$(ls "$T"/*) b=$(ls "$S"/*)
grep -q '^Subject: forward me$' "$f" || fail "the forwarded copy is not the message"
grep -q '^X-Filtered: yes$' "$f" || fail "the forwarded copy did not pass the filter"
grep -qi '^Content-Type: multipart/report' "$b" || fail "no bounce"
grep -q '^X-Filtered: yes$' "$b" || fail "the bounce did not pass the filter"
[ "$(grep -c '^X-Filtered:' "$f")" = 1 ] || fail "the forward was filtered twice"

# QMAILQUEUE (qmail's name) reaches them too.
restart_queue QMAILQUEUE "$F.qmail"
tern_message "forward again" "f" | tern_inject terntest35s@tern.test terntest35f@tern.test || fail inject
tern_wait_count "$T/*" 2 30
tern_queue_empty 30
grep -l '^Subject: forward again$' "$T"/* | xargs grep -q '^X-Filtered: qmail$' ||
	fail "QMAILQUEUE did not apply to a forward"
exit 0
