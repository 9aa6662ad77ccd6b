# tests/lib.sh — sourced (bash) by every integration test; doc/testing.md.
#
# Environment (set by tests/run; defaults here so a test can be run by
# hand once tests/run has built things): TERN_SRC, TEST_ROOT, TERN_BIN,
# TERN_HOME. TERN_SUPERVISOR=s6 selects s6-svscan instead of svscan.
#
# Besides the functions of doc/testing.md:
#   skip REASON              exit 77 (the test is skipped)
#   tern_need PROGRAM...     skip unless $TERN_BIN/PROGRAM was built
#   tern_wait_for SECS CMD.. run CMD until it succeeds; 1 after SECS
#   tern_running PROGRAM     a process runs $TERN_HOME/bin/PROGRAM
#   tern_pids_of PATH        pids running the executable PATH
#   tern_pids                pids of everything this instance started
#   tern_service_up DIR      the service (or DIR/log) is up
#   tern_log NAME            print the service's current log ($TEST_ROOT/log/NAME)
#   tern_inject FROM TO...   queue-inject stdin with that envelope
#   tern_sendmail ARGS...    the installed sendmail
#   tern_message [SUBJ [BODY]]  a small message on stdout
# tern_instance_new installs an EXIT trap that calls tern_stop (and frees
# the test users); a test that sets its own EXIT trap must call tern_stop.

TERN_SRC=${TERN_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
TEST_ROOT=${TEST_ROOT:-$TERN_SRC/tests/tmp}
TERN_BIN=${TERN_BIN:-$TEST_ROOT/bin}
TERN_HOME=${TERN_HOME:-$TEST_ROOT/home}
TERN_LOGDIR=$TEST_ROOT/log
TERN_RUN=$TEST_ROOT/run          # scanner pid and kind, for tern_stop
export TERN_SRC TEST_ROOT TERN_BIN TERN_HOME
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

check() {
	"$@" || fail "check failed: $*"
}

# Skip the test (exit 77) with a reason.
skip() {
	echo "SKIP: $*" >&2
	exit 77
}

# Skip unless every named program was built.
tern_need() {
	local p
	for p in "$@"; do
		[ -x "$TERN_BIN/$p" ] || skip "$p is not built yet"
	done
}

# --- processes --------------------------------------------------------------

# Whether pid $1 is this shell or one of its ancestors (never kill those).
_tern_is_ancestor() {
	local p=$$ n=0
	[ "$1" = "$BASHPID" ] && return 0
	while [ -n "$p" ] && [ "$p" -gt 1 ] && [ $n -lt 100 ]; do
		[ "$p" = "$1" ] && return 0
		p=$(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null)
		n=$((n + 1))
	done
	return 1
}

# Pids of processes belonging to this test instance: running a program of
# $TERN_HOME/bin or $TERN_BIN, sitting in $TERN_HOME or the test users'
# homes (supervise, loggers, deliveries), or naming $TEST_ROOT/ in argv.
# Two scans of /proc in all, so it is cheap enough to poll.
tern_pids() {
	local path target pid
	{
		find /proc/[0-9]*/exe /proc/[0-9]*/cwd -maxdepth 0 -printf '%p %l\n' 2>/dev/null |
		while read -r path target; do
			case $path:$target/ in
			*/exe:"$TERN_HOME"/bin/*|*/exe:"$TERN_BIN"/*) ;;
			*/cwd:"$TERN_HOME"/*|*/cwd:"$TEST_ROOT"/users/*) ;;
			*) continue ;;
			esac
			pid=${path#/proc/}
			echo "${pid%%/*}"
		done
		# The pattern comes from a file so grep's own argv does not match.
		grep -laF -f <(printf '%s/\n' "$TEST_ROOT") /proc/[0-9]*/cmdline 2>/dev/null |
			cut -d/ -f3
	} | sort -un | while read -r pid; do
		_tern_is_ancestor "$pid" || echo "$pid"
	done
}

# Pids whose executable is $1 (also after it was replaced on disk: the
# kernel then shows "$1 (deleted)").
tern_pids_of() {
	local path target
	find /proc/[0-9]*/exe -maxdepth 0 -printf '%p %l\n' 2>/dev/null |
	while read -r path target; do
		case $target in "$1"|"$1 (deleted)") path=${path#/proc/}; echo "${path%/exe}" ;; esac
	done
	return 0
}

# Whether a process runs the program $TERN_HOME/bin/$1.
tern_running() {
	[ -n "$(tern_pids_of "$TERN_HOME/bin/$1")" ]
}

# --- waiting ----------------------------------------------------------------

# Wait (default 20 s) until the command succeeds; 1 on time-out.
tern_wait_for() {
	local secs=$1 i=0
	shift
	while ! "$@"; do
		i=$((i + 1))
		[ $i -le $((secs * 10)) ] || return 1
		sleep 0.1
	done
	return 0
}

_tern_glob_count() {
	local -a m
	local old
	old=$(shopt -p nullglob)
	shopt -s nullglob
	# shellcheck disable=SC2206 — the pattern is meant to be expanded.
	m=($1)
	eval "$old"
	echo ${#m[@]}
}

tern_wait_count() {
	local glob=$1 n=$2 secs=${3:-20}
	tern_wait_for "$secs" _tern_count_ge "$glob" "$n" ||
		fail "timed out waiting for $n of $glob (have $(_tern_glob_count "$glob"))"
}
_tern_count_ge() { [ "$(_tern_glob_count "$1")" -ge "$2" ]; }

tern_wait_gone() {
	local glob=$1 secs=${2:-20}
	tern_wait_for "$secs" _tern_count_zero "$glob" ||
		fail "timed out waiting until nothing matches $glob"
}
_tern_count_zero() { [ "$(_tern_glob_count "$1")" -eq 0 ]; }

tern_queue_empty() {
	tern_wait_gone "$TERN_HOME/queue/mess/*/*" "${1:-20}"
}

# --- supervision ------------------------------------------------------------

_tern_supervisor() {
	cat "$TERN_RUN/supervisor" 2>/dev/null || echo "${TERN_SUPERVISOR:-daemontools}"
}

# Whether the service directory $1 is up (its process running).
tern_service_up() {
	local out
	if [ "$(_tern_supervisor)" = s6 ]; then
		out=$(s6-svstat "$1" 2>/dev/null) || return 1
		case $out in up*) return 0 ;; esac
	else
		out=$(svstat "$1" 2>/dev/null) || return 1
		case $out in *": up "*) return 0 ;; esac
	fi
	return 1
}

# Ask the scanner to look at the scan directory now (svscan looks every 5 s).
_tern_rescan() {
	if [ "$(_tern_supervisor)" = s6 ]; then
		s6-svscanctl -a "$TERN_HOME/service" 2>/dev/null
	fi
	return 0
}

# tern_service_start NAME [VAR=VALUE...]: write env/ files, enable, wait up.
tern_service_start() {
	local name=$1 avail=$TERN_HOME/service-available/$1 kv
	shift
	[ -d "$avail" ] || fail "no service $name installed"
	for kv in "$@"; do
		mkdir -p "$avail/env"
		printf '%s\n' "${kv#*=}" > "$avail/env/${kv%%=*}"
	done
	ln -sfn "$avail" "$TERN_HOME/service/$name"
	_tern_rescan
	tern_wait_for 20 tern_service_up "$TERN_HOME/service/$name" ||
		fail "service $name did not come up"
	if [ -d "$avail/log" ]; then
		tern_wait_for 20 tern_service_up "$TERN_HOME/service/$name/log" ||
			fail "the log of service $name did not come up"
	fi
}

# Print the current log of a service.
tern_log() {
	cat "$TERN_LOGDIR/$1/current" 2>/dev/null || true
}

# Bring all services and the scanner down, kill leftovers. Bounded (~10 s).
tern_stop() {
	local kind pid s pids alive start
	kind=$(_tern_supervisor)
	pid=$(cat "$TERN_RUN/scanner.pid" 2>/dev/null)
	[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && pid=
	# The scanner first, so it does not restart what we stop.
	if [ -n "$pid" ]; then
		if [ "$kind" = s6 ]; then
			s6-svscanctl -t "$TERN_HOME/service" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
		else
			kill -TERM "$pid" 2>/dev/null
		fi
	fi
	for s in "$TERN_HOME"/service/*/ "$TERN_HOME"/service/*/log/; do
		[ -d "$s" ] || continue
		if [ "$kind" = s6 ]; then
			s6-svc -dx "$s" 2>/dev/null
		else
			svc -dx "$s" 2>/dev/null
		fi
	done
	start=$SECONDS
	while :; do
		alive=
		[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && alive=$pid
		pids=$(tern_pids)
		[ -z "$alive$pids" ] && break
		if [ $((SECONDS - start)) -ge 8 ]; then
			# shellcheck disable=SC2086
			kill -KILL $pids $alive 2>/dev/null
			break
		elif [ $((SECONDS - start)) -ge 4 ]; then
			# shellcheck disable=SC2086
			kill -TERM $pids $alive 2>/dev/null
		fi
		sleep 0.2
	done
	# Reap the scanner if it is our child.
	[ -n "$pid" ] && wait "$pid" 2>/dev/null
	rm -f "$TERN_RUN/scanner.pid" "$TERN_RUN/supervisor"
	return 0
}

# Make the path components of $1 that exist traversable by every uid
# (the tern programs run under their own uids inside $TEST_ROOT).
_tern_mkdir() {
	mkdir -p "$1" && chmod 0755 "$1"
}

# --- instances --------------------------------------------------------------

tern_instance_new() {
	local kind=${TERN_SUPERVISOR:-daemontools} scan
	trap _tern_exit EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT
	tern_stop
	rm -rf "$TERN_HOME" "$TERN_LOGDIR"
	_tern_mkdir "$TEST_ROOT"
	_tern_mkdir "$TERN_RUN"
	_tern_mkdir "$TEST_ROOT/logs"
	sh "$TERN_SRC/scripts/install-tern" --home "$TERN_HOME" --bin "$TERN_BIN" \
		--logdir "$TERN_LOGDIR" > "$TERN_RUN/install.log" 2>&1 ||
		{ cat "$TERN_RUN/install.log" >&2; fail "install-tern failed"; }
	printf 'tern.test\n' > "$TERN_HOME/control/me"
	printf 'tern.test\nlocalhost\n' > "$TERN_HOME/control/locals"
	printf 'tern.test\nlocalhost\n' > "$TERN_HOME/control/rcpthosts"
	scan=$TERN_HOME/service
	mkdir -p "$scan"
	ln -sfn "$TERN_HOME/service-available/queue" "$scan/queue"
	echo "$kind" > "$TERN_RUN/supervisor"
	if [ "$kind" = s6 ]; then
		s6-svscan "$scan" < /dev/null >> "$TEST_ROOT/logs/scanner.log" 2>&1 &
	else
		svscan "$scan" < /dev/null >> "$TEST_ROOT/logs/scanner.log" 2>&1 &
	fi
	echo $! > "$TERN_RUN/scanner.pid"
	if [ ! -x "$TERN_HOME/bin/queue-start" ]; then
		echo "note: queue-start is not built; not waiting for the queue" >&2
		return 0
	fi
	tern_wait_for 20 tern_service_up "$scan/queue" || fail "the queue service did not come up"
	if [ -x "$TERN_HOME/bin/queue-manager" ]; then
		tern_wait_for 20 tern_running queue-manager ||
			{ tern_log queue >&2; fail "queue-manager is not running"; }
	fi
	return 0
}

# --- users and ports --------------------------------------------------------

# Test users are shared by every test run on the machine, and their home
# is the running test's: two runs using the same user at once would
# deliver into each other's directories. So a test holds a lock on each
# user it creates until it exits (a directory naming its pid; a lock whose
# test is gone is stale). The wait is bounded.
TERN_USER_LOCKS=
_tern_user_lock() {
	local d=/run/lock/tern-test-user.$1 owner start=$SECONDS empty=0
	[ -d /run/lock ] || d=/tmp/tern-test-user.$1
	while ! mkdir "$d" 2> /dev/null; do
		owner=$(cat "$d/pid" 2> /dev/null)
		[ "$owner" = $$ ] && return 0
		if [ -z "$owner" ]; then
			empty=$((empty + 1))
			[ $empty -lt 20 ] || { rm -rf "$d"; empty=0; }
		elif ! kill -0 "$owner" 2> /dev/null; then
			rm -rf "$d"
		fi
		if [ $((SECONDS - start)) -ge 240 ]; then
			echo "warning: test user $1 is still in use by pid $owner; going ahead" >&2
			return 0
		fi
		sleep 0.5
	done
	echo $$ > "$d/pid"
	TERN_USER_LOCKS="$TERN_USER_LOCKS $d"
}
_tern_user_unlock() {
	local d
	for d in $TERN_USER_LOCKS; do
		[ "$(cat "$d/pid" 2> /dev/null)" = $$ ] && rm -rf "$d"
	done
	TERN_USER_LOCKS=
	return 0
}
_tern_exit() {
	tern_stop
	_tern_user_unlock
}

# tern_user_new NAME: a system user NAME (terntest*) with a fresh, empty home
# $TEST_ROOT/users/NAME. Users stay on the machine between runs.
tern_user_new() {
	local name=$1 h=$TEST_ROOT/users/$1 i=0
	_tern_user_lock "$name"
	_tern_mkdir "$TEST_ROOT/users"
	until getent passwd "$name" > /dev/null ||
		useradd --no-create-home --home-dir "$h" --shell /bin/sh "$name" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 30 ] || fail "cannot create user $name"
		sleep 1
	done
	if [ "$(getent passwd "$name" | cut -d: -f6)" != "$h" ]; then
		i=0
		until usermod -d "$h" "$name" 2>/dev/null; do
			i=$((i + 1))
			[ $i -lt 30 ] || fail "cannot set the home of $name"
			sleep 1
		done
	fi
	rm -rf "$h"
	mkdir -p "$h"
	chown "$name:" "$h"
	chmod 0755 "$h"
}

# A free TCP port on 127.0.0.1 (the kernel's choice, so two test runs at
# once do not collide).
tern_port() {
	/usr/bin/python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- sending ----------------------------------------------------------------

# tern_inject FROM TO... < message: queue-inject with a built envelope.
# Returns queue-inject's exit code.
tern_inject() {
	local from=$1 rcpt
	shift
	"$TERN_HOME/bin/queue-inject" 1< <(
		printf 'F%s\0' "$from"
		for rcpt in "$@"; do printf 'T%s\0' "$rcpt"; done
		printf '\0'
	)
}

# tern_sendmail ARGS... < message: the installed sendmail.
tern_sendmail() {
	"$TERN_HOME/bin/sendmail" "$@"
}

# A minimal message on stdout: tern_message [SUBJECT [BODY]].
tern_message() {
	printf 'From: tester@tern.test\nTo: someone@tern.test\nSubject: %s\nMessage-ID: <%s.%s@tern.test>\n\n%s\n' \
		"${1:-test}" "$$" "$RANDOM" "${2:-hello}"
}
