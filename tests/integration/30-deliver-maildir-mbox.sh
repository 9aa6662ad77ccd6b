#!/bin/bash
# Local delivery to Maildir and mbox: through the running queue
# (queue-inject -> manager -> local-spawn -> deliver-local) with the right
# Return-Path and Delivered-To; by hand: a Maildir delivery costs exactly
# 2 fsyncs; a missing Maildir is made.
. "$TERN_SRC/tests/lib.sh"
tern_need queue-inject deliver-local local-spawn
tern_instance_new
tern_user_new terntest1
tern_user_new terntest2
U1=$TEST_ROOT/users/terntest1
U2=$TEST_ROOT/users/terntest2
as1() { runuser -u terntest1 -- "$@"; }
as1 mkdir -p "$U1/Maildir/new" "$U1/Maildir/cur" "$U1/Maildir/tmp"
printf './mbox\n' > "$U2/.qmail"
chown terntest2: "$U2/.qmail"

# --- through the queue -------------------------------------------------------
tern_message "maildir one" "line one" | tern_inject sender@example.org terntest1@tern.test ||
	fail "queue-inject failed"
printf 'Subject: mbox\n\nFrom the start\n>From quoted\nlast line without newline' |
	tern_inject '' terntest2@tern.test || fail "queue-inject failed"
tern_wait_count "$U1/Maildir/new/*" 1 30
tern_wait_for 30 test -s "$U2/mbox" || { tern_log queue >&2; fail "no mbox delivery"; }
tern_queue_empty 30
f=$(ls "$U1"/Maildir/new/*)
[ "$(sed -n 1p "$f")" = "Return-Path: <sender@example.org>" ] || fail "Return-Path: $(sed -n 1p "$f")"
[ "$(sed -n 2p "$f")" = "Delivered-To: terntest1@tern.test" ] || fail "Delivered-To: $(sed -n 2p "$f")"
grep -q '^Subject: maildir one$' "$f" || fail "message body missing"
grep -q '^line one$' "$f" || fail "message body missing"
[ "$(stat -c %U "$f")" = terntest1 ] || fail "Maildir file not owned by the user"
[ -z "$(ls "$U1/Maildir/tmp")" ] || fail "tmp/ not empty"

/usr/bin/python3 - "$U2/mbox" <<'PY' || fail "mbox content wrong"
import sys, re
lines = open(sys.argv[1], 'rb').read().split(b'\n')
assert re.match(rb'^From MAILER-DAEMON [A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d \d{4}$', lines[0]), lines[0]
assert lines[1] == b'Return-Path: <>', lines[1]
assert lines[2] == b'Delivered-To: terntest2@tern.test', lines[2]
body = lines[lines.index(b'', 3) + 1:]
assert body[0] == b'>From the start', body
assert body[1] == b'>>From quoted', body
assert body[2] == b'last line without newline', body
assert body[3:] == [b'', b''], body          # newline added, then the blank line
PY
log=$(tern_log queue)

# --- by hand -------------------------------------------------------------------
# Stop the queue so the injected message stays for deliver-local run by hand.
tern_stop
tern_message "by hand" "fsync count" | tern_inject s@example.org terntest1@tern.test || fail "inject"
qf=$(ls "$TERN_HOME"/queue/mess/*/* | head -n 1)
[ -n "$qf" ] || fail "no queue file"
len=$(tail -c 32 "$qf" | cut -c8-27 | sed 's/^0*//')
rm -f "$U1"/Maildir/new/*
cd "$U1" || fail "cd"
out=$(strace -f -c -e trace=fsync,fdatasync -o "$TEST_ROOT/t30.strace" \
	setpriv --reuid terntest1 --regid terntest1 --init-groups \
	"$TERN_HOME/bin/deliver-local" -- terntest1 "$U1" terntest1 '' '' tern.test s@example.org "$len" ./Maildir/ < "$qf")
rc=$?
[ $rc = 0 ] || fail "deliver-local exit $rc: $out"
case $out in "2.0.0 "*) ;; *) fail "deliver-local said: $out" ;; esac
n=$(awk '$NF == "fsync" {print $4}' "$TEST_ROOT/t30.strace")
[ "$n" = 2 ] || { cat "$TEST_ROOT/t30.strace" >&2; fail "Maildir delivery made ${n:-no} fsyncs, want 2"; }
f=$(ls "$U1"/Maildir/new/*)
cmp <(tail -n +3 "$f") <(head -c "$len" "$qf") || fail "message bytes differ"
grep -q '^Return-Path: <s@example.org>$' "$f" || fail "Return-Path"
tail -c 40 "$f" | grep -q "TERNQ1" && fail "the envelope leaked into the mailbox"

# A Maildir that does not exist is made (tmp, new, cur; 0700; the user's).
out=$(setpriv --reuid terntest1 --regid terntest1 --init-groups \
	"$TERN_HOME/bin/deliver-local" -- terntest1 "$U1" terntest1 '' '' tern.test s@example.org "$len" ./NoMaildir/ < "$qf")
rc=$?
[ $rc = 0 ] || fail "missing Maildir: exit $rc ($out)"
[ "$(ls "$U1/NoMaildir/new" | wc -l)" = 1 ] || fail "missing Maildir: not delivered into the new one"
[ "$(stat -c '%a %U' "$U1/NoMaildir" "$U1/NoMaildir/tmp" "$U1/NoMaildir/cur" | sort -u)" = "700 terntest1" ] ||
	fail "made Maildir: $(stat -c '%n %a %U' "$U1/NoMaildir" "$U1"/NoMaildir/*)"

# local-spawn by hand: one job in, one report and the job's end out.
id=$(basename "$qf")
rm -f "$U1"/Maildir/new/*
printf 'J7\0Dtern.test\0M%s\0Ss@example.org\0Rterntest1@tern.test\0\0' "$id" |
	"$TERN_HOME/bin/local-spawn" > "$TEST_ROOT/t30.report" 2> "$TEST_ROOT/t30.log" ||
	fail "local-spawn failed: $(cat "$TEST_ROOT/t30.log")"
/usr/bin/python3 - "$TEST_ROOT/t30.report" "$id" <<'PY' || fail "local-spawn report wrong"
import sys
r = open(sys.argv[1], 'rb').read().split(b'\0')
assert r[0] == b'R7' and r[1] == sys.argv[2].encode() and r[2] == b'0', r
assert r[3].startswith(b'K2.0.0 '), r
assert r[4] == b'E7' and r[5:] == [b''], r
PY
[ "$(ls "$U1"/Maildir/new | wc -l)" = 1 ] || fail "local-spawn did not deliver"
grep -q 'event=local' "$TEST_ROOT/t30.log" || fail "local-spawn logged nothing"
# An unknown user with no catch-all file: a permanent failure.
printf 'J8\0Dtern.test\0M%s\0Ss@example.org\0Rno-such-user-x@tern.test\0\0' "$id" |
	"$TERN_HOME/bin/local-spawn" > "$TEST_ROOT/t30.report" 2>/dev/null
tr '\0' '\n' < "$TEST_ROOT/t30.report" | grep -q '^D5\.1\.1 ' || fail "unknown user not D5.1.1: $(tr '\0' ' ' < "$TEST_ROOT/t30.report")"

# concurrencylocal: with 2, never more than 2 deliveries at once; all 5 done.
echo 2 > "$TERN_HOME/control/concurrencylocal"
printf '%s\n' '|mkdir "run.$$"; ls -d run.* | wc -l >> counts; sleep 1; rmdir "run.$$"' > "$U1/.qmail-c"
chown terntest1: "$U1/.qmail-c"
rm -f "$U1/counts"
for j in 1 2 3 4 5; do
	printf 'J%s\0Dtern.test\0M%s\0Ss@example.org\0Rterntest1-c@tern.test\0\0' "$j" "$id"
done | "$TERN_HOME/bin/local-spawn" > "$TEST_ROOT/t30.report" 2>/dev/null || fail "local-spawn (cap)"
[ "$(tr '\0' '\n' < "$TEST_ROOT/t30.report" | grep -c '^K')" = 5 ] || fail "not all 5 delivered"
[ "$(tr '\0' '\n' < "$TEST_ROOT/t30.report" | grep -c '^E')" = 5 ] || fail "not 5 job ends"
[ "$(wc -l < "$U1/counts")" = 5 ] || fail "program ran $(wc -l < "$U1/counts") times"
[ "$(sort -n "$U1/counts" | tail -n 1)" -le 2 ] || fail "more than 2 deliveries at once: $(cat "$U1/counts")"
# Broken job input: what was read whole is still delivered, then exit 111.
printf 'J9\0Dtern.test\0M%s\0Ss@example.org\0Rterntest1@tern.test\0\0Jx\0' "$id" |
	"$TERN_HOME/bin/local-spawn" > "$TEST_ROOT/t30.report" 2>/dev/null
[ $? = 111 ] || fail "broken input: local-spawn did not exit 111"
tr '\0' '\n' < "$TEST_ROOT/t30.report" | grep -q '^E9$' || fail "job before the broken input not finished"
exit 0
