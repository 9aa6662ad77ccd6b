#!/bin/bash
# Crash test of the manager's commit points (DESIGN.md §3): the manager is
# killed with SIGKILL at a chosen system call (strace fault injection: the
# Nth write, fsync, rename or unlink), queue-start takes the set down, the
# supervisor restarts it, and every message that queue-inject acknowledged
# is delivered at least once (duplicates allowed, loss is not); the queue
# ends empty with no info file left behind.
. "$TERN_SRC/tests/lib.sh"
tern_need queue-start queue-manager queue-clean queue-inject local-spawn deliver-local
command -v strace > /dev/null || skip "strace is not installed"
tern_instance_new
svctl() { svc "$@" 2>/dev/null || s6-svc "$@"; }
manager_gone() { ! pgrep -f "$TEST_ROOT/.*queue-manager" > /dev/null; }
maildir() {
	local h=$TEST_ROOT/users/$1
	mkdir -p "$h/Maildir/new" "$h/Maildir/cur" "$h/Maildir/tmp"
	chown -R "$1:" "$h/Maildir"
}
tern_user_new terntest23a; maildir terntest23a
tern_user_new terntest23c; maildir terntest23c
A=$TEST_ROOT/users/terntest23a/Maildir/new
C=$TEST_ROOT/users/terntest23c/Maildir/new
# terntest23c defers each message once (so the manager writes, renames
# and unlinks info files), then delivers.
printf '%s\n' '|f=$HOME/seen-$(sed -n "s/^Subject: //p" | head -n 1); test -e "$f" && exit 0; : > "$f"; exit 111' \
	'./Maildir/' > "$TEST_ROOT/users/terntest23c/.qmail"
chmod 0644 "$TEST_ROOT/users/terntest23c/.qmail"
echo 1 > "$TERN_HOME/control/retrymin"

# The real manager moves aside; a wrapper runs it under strace once per round.
BIN=$TERN_HOME/bin
F=$TEST_ROOT/t23
rm -rf "$F"; mkdir -p "$F"; chmod 0777 "$F"
cp "$BIN/queue-manager" "$F/queue-manager.real"
chmod 0755 "$F/queue-manager.real"
cat > "$BIN/queue-manager.new" <<SH
#!/bin/sh
if [ -e $F/armed ]; then
	rm -f $F/armed
	exec strace -qq -o /dev/null -e trace=\$(cat $F/syscall) -e inject=\$(cat $F/syscall):signal=KILL:when=\$(cat $F/when) $F/queue-manager.real
fi
exec $F/queue-manager.real
SH
chmod 0755 "$BIN/queue-manager.new"
mv -f "$BIN/queue-manager.new" "$BIN/queue-manager"   # the running one keeps its inode

logs() { cat "$TERN_LOGDIR"/queue/@* "$TERN_LOGDIR/queue/current" 2>/dev/null; }
kills() { logs | grep -c 'event=exit program=queue-manager signal=9'; }

round=0
for point in write:2 write:5 write:9 write:14 write:22 fsync:1 fsync:2 rename:1 rename:2 unlink:1 unlink:2; do
	round=$((round + 1))
	svctl -d "$TERN_HOME/service/queue"
	tern_wait_for 20 manager_gone || fail "the queue did not stop"
	for k in 1 2 3; do
		tern_message "r$round-m$k" "crash $point" |
			tern_inject crash@tern.test terntest23a@tern.test terntest23c@tern.test ||
			fail "queue-inject failed"
	done
	before=$(kills)
	echo "${point%:*}" > "$F/syscall"; echo "${point#*:}" > "$F/when"; : > "$F/armed"
	chmod 0666 "$F/syscall" "$F/when" "$F/armed"
	svctl -u "$TERN_HOME/service/queue"
	tern_wait_for 60 bash -c '[ "$(find "$0" -type f | wc -l)" = 0 ]' "$TERN_HOME/queue/mess" ||
		{ logs | tail -n 30 >&2; "$TERN_HOME/bin/mailq" >&2; date >&2
		  ps -eo pid,user,stat,wchan:20,etime,args | grep -E 'queue-|local-spawn|deliver|strace' >&2
		  fail "round $round ($point): the queue did not drain"; }
	for k in 1 2 3; do
		grep -l "^Subject: r$round-m$k\$" "$A"/* > /dev/null 2>&1 ||
			{ logs | tail -n 80 >&2; fail "round $round ($point): message $k lost for terntest23a"; }
		grep -l "^Subject: r$round-m$k\$" "$C"/* > /dev/null 2>&1 ||
			{ logs | tail -n 80 >&2; ls -l "$C" "$TERN_HOME/alias/Maildir/new" >&2
			  fail "round $round ($point): message $k lost for terntest23c"; }
	done
	# The log line of the kill may come a moment after the queue drained.
	if tern_wait_for 5 bash -c '[ "$(cat "$0"/queue/@* "$0"/queue/current 2>/dev/null |
		grep -c "event=exit program=queue-manager signal=9")" -gt "$1" ]' "$TERN_LOGDIR" "$before"; then
		echo "round $round: killed at $point; nothing lost"
	else
		echo "round $round: $point was not reached; nothing lost"
	fi
done
[ -z "$(find "$TERN_HOME/queue/info" -type f)" ] || fail "info files left: $(find "$TERN_HOME/queue/info" -type f)"
[ "$(logs | grep -c 'event=exit program=queue-manager signal=9')" -ge 5 ] ||
	fail "too few injected crashes took effect"
exit 0
