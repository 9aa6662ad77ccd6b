#!/bin/bash
# install-tern: users, the queue's owners and modes (doc/queue.md), the
# setuid queue-inject, default control files, services; idempotent, and
# a second run does not disturb the running queue.
. "$TERN_SRC/tests/lib.sh"
tern_instance_new

# stat_is PATH "perms owner:group"
stat_is() {
	local got
	got=$(stat -c '%A %U:%G' "$1") || fail "missing $1"
	[ "$got" = "$2" ] || fail "$1 is '$got', want '$2'"
}

check_instance() {
	local q=$TERN_HOME/queue u s
	for u in tern-recv tern-queue tern-send tern-relay tern-tls tern-log tern-alias; do
		getent passwd "$u" > /dev/null || fail "no user $u"
	done
	for u in tern-queue tern-send tern-relay; do
		[ "$(id -gn "$u")" = tern ] || fail "$u is not in group tern"
	done
	for u in tern-recv tern-tls tern-log tern-alias; do
		[ "$(id -gn "$u")" != tern ] || fail "$u must not have group tern"
	done
	stat_is "$q" "drwxr-x--- tern-queue:tern"
	stat_is "$q/pid" "drwx--S--- tern-queue:tern"
	stat_is "$TERN_HOME/relay" "drwxr-x--- tern-relay:tern"
	stat_is "$q/lock" "drwxr-x--- tern-queue:tern"
	stat_is "$q/lock/trigger" "prw-r----- tern-queue:tern"
	stat_is "$q/lock/sendmutex" "-rw------- tern-send:tern"
	stat_is "$q/mess" "drwxr-x--- tern-queue:tern"
	stat_is "$q/todo" "drwxr-x--- tern-queue:tern"
	stat_is "$q/info" "drwx------ tern-send:tern"
	split=$(head -n 1 "$TERN_SRC/conf-split")
	for s in 0 $((split - 1)); do
		stat_is "$q/mess/$s" "drwxr-x--- tern-queue:tern"
		stat_is "$q/todo/$s" "drwxr-x--- tern-queue:tern"
		stat_is "$q/info/$s" "drwx------ tern-send:tern"
	done
	[ ! -e "$q/mess/$split" ] || fail "one mess subdirectory too many"
	[ "$(ls "$q/mess" | wc -l)" -eq "$split" ] || fail "mess/ does not have $split subdirectories"
	stat_is "$TERN_HOME/control" "drwxr-xr-x root:root"
	stat_is "$TERN_HOME/bin" "drwxr-xr-x root:root"
	stat_is "$TERN_HOME/users" "drwxr-xr-x root:root"
	check grep -qx . "$TERN_HOME/users/assign"
	stat_is "$TERN_HOME/alias" "drwxr-xr-x tern-alias:$(id -gn tern-alias)"
	for s in Maildir Maildir/new Maildir/cur Maildir/tmp; do
		stat_is "$TERN_HOME/alias/$s" "drwx------ tern-alias:$(id -gn tern-alias)"
	done
	for s in postmaster root mailer-daemon; do
		[ "$(cat "$TERN_HOME/alias/.qmail-$s")" = ./Maildir/ ] || fail "bad .qmail-$s"
	done
	if [ -x "$TERN_BIN/queue-inject" ]; then
		stat_is "$TERN_HOME/bin/queue-inject" "-rws--x--x tern-queue:tern"
	fi
	for s in "$TERN_BIN"/*; do
		[ -x "$s" ] || continue
		[ -x "$TERN_HOME/bin/${s##*/}" ] || fail "${s##*/} not installed"
		cmp -s "$s" "$TERN_HOME/bin/${s##*/}" || fail "${s##*/} differs from the build"
	done
	check test -x "$TERN_HOME/service-available/queue/run"
	check test -x "$TERN_HOME/service-available/queue/log/run"
	grep -q @HOME@ "$TERN_HOME/service-available/queue/run" && fail "@HOME@ not replaced"
	grep -q "$TERN_HOME/bin/queue-start" "$TERN_HOME/service-available/queue/run" ||
		fail "the queue run script does not name $TERN_HOME/bin/queue-start"
	grep -q "$TEST_ROOT/log/queue" "$TERN_HOME/service-available/queue/log/run" ||
		fail "the queue log script does not name $TEST_ROOT/log/queue"
	stat_is "$TEST_ROOT/log/queue" "$(stat -c %A "$TEST_ROOT/log/queue") tern-log:$(stat -c %G "$TEST_ROOT/log/queue")"
	for s in "$TERN_SRC"/services/*/; do
		s=$(basename "$s")
		check test -x "$TERN_HOME/service-available/$s/run"
		check test -d "$TEST_ROOT/log/$s"
		[ "$(stat -c %U "$TEST_ROOT/log/$s")" = tern-log ] || fail "log dir of $s not owned by tern-log"
	done
	# No world-writable file anywhere in the home.
	[ -z "$(find "$TERN_HOME" -perm -o+w ! -type l)" ] || fail "world-writable files in the home"
}

check_instance
# tern_instance_new wrote the test's control files; install defaults:
check grep -qx tern.test "$TERN_HOME/control/me"
check grep -qx ./Maildir/ "$TERN_HOME/control/defaultdelivery"
check test "$(stat -c %a "$TERN_HOME/control/defaultdelivery")" = 644

# A second install over the running instance: nothing changes, the admin's
# control and env files are kept, running programs are not restarted.
manager_before=$(tern_pids_of "$TERN_HOME/bin/queue-manager")
echo "# admin was here" >> "$TERN_HOME/control/locals"
mkdir -p "$TERN_HOME/service-available/queue/env"
echo keep > "$TERN_HOME/service-available/queue/env/TERN_TEST"
rm -f "$TERN_HOME/control/defaultdelivery"
echo "# stale" >> "$TERN_HOME/service-available/queue/run"
# Service data files (like smtpd's tcp.smtp) are the admin's once installed.
data=$(cd "$TERN_SRC/services" && find . -type f ! -perm -u+x | head -n 1)
[ -z "$data" ] || echo "# admin rule" >> "$TERN_HOME/service-available/$data"
check sh "$TERN_SRC/scripts/install-tern" --home "$TERN_HOME" --bin "$TERN_BIN" \
	--logdir "$TEST_ROOT/log" > /dev/null
check sh "$TERN_SRC/scripts/install-tern" --home "$TERN_HOME" --bin "$TERN_BIN" \
	--logdir "$TEST_ROOT/log" > /dev/null
check_instance
check grep -qx "# admin was here" "$TERN_HOME/control/locals"
check grep -qx tern.test "$TERN_HOME/control/me"
check grep -qx keep "$TERN_HOME/service-available/queue/env/TERN_TEST"
check grep -qx ./Maildir/ "$TERN_HOME/control/defaultdelivery"
grep -q stale "$TERN_HOME/service-available/queue/run" && fail "the run script was not updated"
[ -z "$data" ] || check grep -qx "# admin rule" "$TERN_HOME/service-available/$data"
[ -z "$(find "$TERN_HOME" -name '.*.new' -o -name '*.tmp')" ] || fail "temporary files left"
if [ -n "$manager_before" ]; then
	sleep 1
	[ "$(tern_pids_of "$TERN_HOME/bin/queue-manager")" = "$manager_before" ] ||
		fail "reinstalling restarted queue-manager"
fi

# Bad usage is refused without touching anything.
sh "$TERN_SRC/scripts/install-tern" --home relative --bin "$TERN_BIN" 2> /dev/null &&
	fail "a relative --home was accepted"
sh "$TERN_SRC/scripts/install-tern" --bin "$TERN_BIN" 2> /dev/null &&
	fail "a missing --home was accepted"
exit 0
