#!/bin/bash
# Crash test of the injection commit protocol (doc/queue.md): queue-inject
# (and inject above it) are killed with SIGKILL at every system call of
# the kinds that matter, by strace's fault injection, and made to fail
# with an error at each. Invariants:
#   exit 0        => the message is in mess/S/N, complete, with its todo link;
#   killed        => every file in mess/ is a complete queue file and every
#                    todo link names one (a pid/ leftover is allowed: it
#                    never reached mess/ and queue-clean removes it);
#   failed (exit) => nothing at all is left in pid/, mess/ or todo/.
. "$TERN_SRC/tests/lib.sh"
tern_need queue-inject inject
command -v strace > /dev/null || skip "strace is not installed"
tern_instance_new
tern_stop
Q=$TERN_HOME/queue
QI=$TERN_HOME/bin/queue-inject
T=$TEST_ROOT/t12
# LeakSanitizer cannot run under ptrace (make test SANITIZE=1).
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
rm -rf "$T"; mkdir -p "$T"; chmod 0755 "$T"

. "$TERN_SRC/tests/integration/helpers/queue.sh"

queue_clear() { rm -f "$Q"/mess/*/* "$Q"/todo/*/* "$Q"/pid/*; }
count() { find "$Q/$1" -type f | wc -l; }

# The invariant for a run that did not succeed: complete files only.
queue_consistent() {  # $1: what happened
	local f t
	for f in "$Q"/mess/*/*; do
		[ -e "$f" ] || continue
		qfile "$f" > /dev/null || fail "$1: incomplete file $f in mess/"
	done
	for t in "$Q"/todo/*/*; do
		[ -e "$t" ] || continue
		f=$Q/mess/${t#"$Q"/todo/}
		[ -e "$f" ] || fail "$1: todo link $t without a mess file"
		[ "$(stat -c %i "$t")" = "$(stat -c %i "$f")" ] || fail "$1: todo $t is not a link of $f"
	done
}

queued_ok() {  # $1: what happened
	local f
	[ "$(count mess)" = 1 ] || fail "$1: exit 0 but $(count mess) files in mess/"
	f=$(find "$Q/mess" -type f)
	[ -e "$Q/todo/${f#"$Q"/mess/}" ] || fail "$1: exit 0 but no todo link"
	qfile "$f" | sed -n '3,5p' | cmp -s - "$T/msg" || fail "$1: exit 0 but the message differs"
	[ "$(count pid)" = 0 ] || fail "$1: exit 0 but pid/ not empty"
}

printf 'Subject: crash\n\nbody\n' > "$T/msg"
printf 'Fa@x\0Tb@tern.test\0\0' > "$T/env"
kills=0 oks=0

# --- SIGKILL at the N-th call of each system call ------------------------------
for sys in open openat read write fsync link unlink close fstat newfstatat; do
	n=1
	while [ $n -le 40 ]; do
		queue_clear
		rc=0
		# In a subshell, so bash's "Killed" notice goes to /dev/null too.
		( strace -o /dev/null -e trace="$sys" -e inject="$sys:signal=SIGKILL:when=$n" \
			"$QI" < "$T/msg" 1< "$T/env" ) 2> /dev/null || rc=$?
		what="SIGKILL at $sys #$n"
		if [ "$rc" = 0 ]; then
			queued_ok "$what"
			oks=$((oks + 1))
			break          # fewer than n such calls: every one was hit
		fi
		[ "$rc" = 137 ] || fail "$what: exit $rc, want 0 or killed (137)"
		kills=$((kills + 1))
		queue_consistent "$what"
		n=$((n + 1))
	done
	[ $n -le 40 ] || fail "$sys: more than 40 calls?"
done
echo "queue-inject killed $kills times, $oks clean runs"
[ $kills -ge 15 ] || fail "only $kills kills: strace injection did not work?"

# --- errors at each step: the right exit code and nothing left behind -----------
# syscall:errno:when expected-exit
cases=(
	"write:ENOSPC:1 53" "write:EIO:1 53" "fsync:EIO:1 53" "fsync:EIO:2 66"
	"link:EEXIST:1 64" "link:ENOSPC:2 65" "unlink:EIO:1 63"
)
# (close is not aimed at: the loader and the sanitizers' runtime close
# files too, so "the N-th close" is not a stable target.)
for c in "${cases[@]}"; do
	spec=${c% *} want=${c#* }
	IFS=: read -r sys err when <<< "$spec"
	queue_clear
	rc=0
	strace -o /dev/null -e trace="$sys" -e inject="$sys:error=$err:when=$when" \
		"$QI" < "$T/msg" 1< "$T/env" 2> /dev/null || rc=$?
	if [ "$rc" = 0 ]; then
		# The call was not the one we aimed at (e.g. a loader close): still consistent.
		queued_ok "$spec"
		continue
	fi
	[ "$rc" = "$want" ] || fail "$spec: exit $rc, want $want"
	[ "$(count mess)$(count todo)$(count pid)" = 000 ] ||
		{ find "$Q" -type f -path '*/[mtp][eoi]*' >&2; fail "$spec: files left behind after exit $rc"; }
done

# --- inject killed at each of its own calls ------------------------------------------
# queue-inject (not traced) sees a truncated message or envelope and must
# queue nothing, or the whole message if the envelope was complete.
inject_done() { [ -z "$(tern_pids_of "$QI")" ]; }
for sys in write close wait4; do
	n=1
	while [ $n -le 10 ]; do
		queue_clear
		rc=0
		( strace -o /dev/null -e trace="$sys" -e inject="$sys:signal=SIGKILL:when=$n" \
			"$TERN_HOME/bin/inject" -f a@x b@tern.test < "$T/msg" ) 2> /dev/null || rc=$?
		tern_wait_for 20 inject_done || fail "queue-inject did not finish after inject died"
		what="inject SIGKILL at $sys #$n"
		if [ "$rc" = 0 ]; then
			[ "$(count mess)" = 1 ] || fail "$what: exit 0, nothing queued"
			break
		fi
		[ "$rc" = 137 ] || fail "$what: exit $rc"
		queue_consistent "$what"
		[ "$(count pid)" = 0 ] || fail "$what: queue-inject left a pid file"
		n=$((n + 1))
	done
done
queue_clear
exit 0
