#!/bin/bash
# The same instance under s6-svscan: the queue service and its log come up,
# the run scripts work with s6-supervise and s6-log, and tern_stop brings
# everything down.
. "$TERN_SRC/tests/lib.sh"
tern_need queue-start
command -v s6-svscan > /dev/null || skip "s6 is not installed"
TERN_SUPERVISOR=s6 tern_instance_new

check tern_service_up "$TERN_HOME/service/queue"
tern_wait_for 20 tern_service_up "$TERN_HOME/service/queue/log" || fail "the queue log is not up"
tern_wait_for 20 test -f "$TEST_ROOT/log/queue/current" || fail "no log file"
[ "$(stat -c %U "$TEST_ROOT/log/queue/current")" = tern-log ] || fail "the log is not written by tern-log"
if [ -x "$TERN_BIN/queue-manager" ]; then
	check tern_running queue-manager
	# queue-start runs its children under their own uids.
	pid=$(tern_pids_of "$TERN_HOME/bin/queue-manager" | head -n 1)
	[ "$(stat -c %U "/proc/$pid")" = tern-send ] || fail "queue-manager does not run as tern-send"
fi

# The supervisor restarts the queue when it dies.
pid=$(s6-svstat -p "$TERN_HOME/service/queue") || fail "s6-svstat failed"
[ "$pid" -gt 0 ] || fail "no pid for the queue service"
kill -KILL "$pid"
tern_wait_for 20 sh -c 'p=$(s6-svstat -p "$1") && [ "$p" -gt 0 ] && [ "$p" != "$2" ]' sh \
	"$TERN_HOME/service/queue" "$pid" || fail "the queue service was not restarted"
if [ -x "$TERN_BIN/queue-manager" ]; then
	tern_wait_for 20 tern_running queue-manager || fail "queue-manager did not come back"
fi

tern_stop
left=$(tern_pids)
[ -z "$left" ] || fail "processes left after tern_stop: $(ps -o pid,user,args -p $(echo $left | tr ' ' ,))"
exit 0
