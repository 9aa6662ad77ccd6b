#!/bin/bash
# .qmail files: every line type, -ext and -default matching, the program
# environment and stdin, exit 99/100/111 of programs, forwarding through
# the queue, loop detection, the 100-instruction limit, unsafe modes.
. "$TERN_SRC/tests/lib.sh"
tern_need queue-inject deliver-local local-spawn
tern_instance_new
tern_user_new terntest1
tern_user_new terntest2
U1=$TEST_ROOT/users/terntest1
U2=$TEST_ROOT/users/terntest2
as1() { runuser -u terntest1 -- "$@"; }
as2() { runuser -u terntest2 -- "$@"; }
mk1() { printf "$2" > "$U1/$1"; chown terntest1: "$U1/$1"; }
as1 mkdir -p "$U1/Maildir/new" "$U1/Maildir/cur" "$U1/Maildir/tmp"
for d in Maildir x; do as2 mkdir -p "$U2/$d/new" "$U2/$d/cur" "$U2/$d/tmp"; done
printf './x/\n' > "$U2/.qmail-x"; chown terntest2: "$U2/.qmail-x"

# --- forwarding through the running queue ---------------------------------------
mk1 .qmail-fwd '# forward to both\n&terntest2@tern.test\nterntest2-x@tern.test\n'
tern_message fwd "forward me" | tern_inject orig@example.org terntest1-fwd@tern.test || fail inject
tern_wait_count "$U2/Maildir/new/*" 1 30
tern_wait_count "$U2/x/new/*" 1 30
f=$(ls "$U2"/Maildir/new/*)
[ "$(sed -n 1p "$f")" = "Return-Path: <orig@example.org>" ] || fail "forward changed the sender: $(sed -n 1p "$f")"
[ "$(sed -n 2p "$f")" = "Delivered-To: terntest2@tern.test" ] || fail "second Delivered-To"
grep -q '^Delivered-To: terntest1-fwd@tern.test$' "$f" || fail "first Delivered-To missing"
[ "$(grep -c '^Return-Path:' "$f")" = 1 ] || fail "Return-Path was forwarded"
[ -z "$(ls "$U1/Maildir/new")" ] || fail "the forwarding user kept a copy"
tern_queue_empty 30

# --- by hand, on a stopped queue ----------------------------------------------
tern_stop
newq() {  # newq SENDER < message: inject, print the new queue file
	local before after
	before=$(ls "$TERN_HOME"/queue/mess/*/* 2>/dev/null | sort)
	tern_inject "$1" x@tern.test || fail inject
	after=$(ls "$TERN_HOME"/queue/mess/*/* | sort)
	comm -13 <(echo "$before") <(echo "$after")
}
qlen() { tail -c 32 "$1" | cut -c8-27 | sed 's/^0*//'; }
# dl LOCAL DASH EXT [OPTION] < queue file: deliver-local as terntest1.
dl() {
	(cd "$U1" && setpriv --reuid terntest1 --regid terntest1 --init-groups \
		"$TERN_HOME/bin/deliver-local" $4 -- terntest1 "$U1" "$1" "$2" "$3" tern.test \
		s@example.org "$len" ./Maildir/)
}
qf=$(printf 'Subject: t31\nX-Test: yes\n\nbody line\n' | newq s@example.org)
len=$(qlen "$qf")

# Matching: exact, -default at each level, case, '.' as ':'.
mk1 .qmail-a-b-default './ab/\n'
mk1 .qmail-a-default './a/\n'
mk1 .qmail-default './any/\n'
mk1 .qmail-x:y '|true\n'
[ "$(dl terntest1-a-b-c - a-b-c -n < "$qf")" = "maildir ./ab/" ] || fail "a-b-default"
[ "$(dl terntest1-a-z - A-z -n < "$qf")" = "maildir ./a/" ] || fail "a-default, case"
[ "$(dl terntest1-q - q -n < "$qf")" = "maildir ./any/" ] || fail ".qmail-default"
[ "$(dl terntest1-x.y - x.y -n < "$qf")" = "program true" ] || fail "dot as colon"
ln -s .qmail-a-default "$U1/.qmail-sym"
[ "$(dl terntest1-sym - sym -n < "$qf")" = "maildir ./a/" ] || fail "symlinked .qmail"
rm -f "$U1/.qmail-default"
out=$(dl terntest1-q - q < "$qf"); rc=$?
[ $rc = 100 ] && [ "${out%% *}" = 5.1.1 ] || fail "no matching file: $rc $out"
# No .qmail: the default delivery argument.
[ "$(dl terntest1 '' '' -n < "$qf")" = "maildir ./Maildir/" ] || fail "default delivery"
# An empty .qmail means the default delivery too.
mk1 .qmail ''
[ "$(dl terntest1 '' '' -n < "$qf")" = "maildir ./Maildir/" ] || fail "empty .qmail"

# Every line type, the program's environment and stdin.
mk1 .qmail-p-default '# comment\n./mb\n/tmp/../'"$U1"'/Maildir/\n|env > "$HOME/env.out"; cat > "$HOME/stdin.out"\n'
out=$(dl terntest1-p-q-r - p-q-r < "$qf") || fail "program delivery: $out"
case $out in "2.0.0 delivered: did 2+0+1") ;; *) fail "said: $out" ;; esac
grep -q '^Subject: t31$' "$U1/mb" || fail "mbox line"
[ "$(ls "$U1/Maildir/new" | wc -l)" = 1 ] || fail "absolute Maildir line"
e=$U1/env.out
for kv in SENDER=s@example.org RECIPIENT=terntest1-p-q-r@tern.test LOCAL=terntest1-p-q-r \
    HOST=tern.test HOST2=tern EXT=p-q-r EXT2=q-r EXT3=r DEFAULT=q-r USER=terntest1 HOME="$U1" \
    "RPLINE=Return-Path: <s@example.org>" "DTLINE=Delivered-To: terntest1-p-q-r@tern.test"; do
	grep -qxF "$kv" "$e" || fail "program environment lacks $kv: $(cat "$e")"
done
cmp "$U1/stdin.out" <(printf 'Return-Path: <s@example.org>\nDelivered-To: terntest1-p-q-r@tern.test\n'; head -c "$len" "$qf") ||
	fail "program stdin differs"

# Exit codes: 99 stops (later lines not done), 100 permanent, 111 and
# others temporary, 64 permanent (qmail-command(8)).
rm -f "$U1/after"
mk1 .qmail-s '|exit 99\n./after\n'
out=$(dl terntest1-s - s < "$qf") || fail "exit 99: $out"
[ ! -e "$U1/after" ] || fail "line after exit 99 was delivered"
mk1 .qmail-s '|echo no such thing; exit 100\n'
out=$(dl terntest1-s - s < "$qf"); rc=$?
[ $rc = 100 ] || fail "exit 100 gave $rc"
case $out in 5.*"no such thing"*) ;; *) fail "exit 100 text: $out" ;; esac
mk1 .qmail-s '|exit 111\n'
dl terntest1-s - s < "$qf" > /dev/null; [ $? = 111 ] || fail "exit 111"
mk1 .qmail-s '|exit 3\n'
dl terntest1-s - s < "$qf" > /dev/null; [ $? = 111 ] || fail "exit 3"
mk1 .qmail-s '|exit 64\n'
dl terntest1-s - s < "$qf" > /dev/null; [ $? = 100 ] || fail "exit 64"
mk1 .qmail-s '|kill -9 $$\n'
dl terntest1-s - s < "$qf" > /dev/null; [ $? = 111 ] || fail "killed program"

# Forward by hand: one injection with both addresses, no Return-Path.
mk1 .qmail-f '&a@example.net\nb\n'
out=$(dl terntest1-f - f < "$qf") || fail "forward: $out"
fq=$(ls -t "$TERN_HOME"/queue/mess/*/* | head -n 1)
[ "$fq" != "$qf" ] || fail "no forwarded message queued"
tr '\0' '\n' < <(tail -c +"$(( $(qlen "$fq") + 1 ))" "$fq") | grep -q '^Ta@example.net$' || fail "forward recipient a"
tr '\0' '\n' < <(tail -c +"$(( $(qlen "$fq") + 1 ))" "$fq") | grep -q '^Tb@tern.test$' || fail "bare name not completed with envnoathost/me"
tr '\0' '\n' < <(tail -c +"$(( $(qlen "$fq") + 1 ))" "$fq") | grep -q '^Fs@example.org$' || fail "forward sender"
grep -q '^Delivered-To: terntest1-f@tern.test$' "$fq" || fail "forward Delivered-To"
grep -q '^Return-Path:' "$fq" && fail "Return-Path forwarded"

# Loop: the message already carries our Delivered-To.
lq=$(printf 'Delivered-To: Terntest1-S@tern.test\nSubject: loop\n\nbody\n' | newq s@example.org)
len=$(qlen "$lq")
mk1 .qmail-s './Maildir/\n'
out=$(dl terntest1-s - s < "$lq"); rc=$?
[ $rc = 100 ] && [ "${out%% *}" = 5.4.6 ] || fail "loop not detected: $rc $out"
# The same text in the body is not a loop.
lq=$(printf 'Subject: no loop\n\nDelivered-To: terntest1-s@tern.test\n' | newq s@example.org)
len=$(qlen "$lq")
dl terntest1-s - s < "$lq" > /dev/null || fail "body Delivered-To taken as a loop"
len=$(qlen "$qf")

# The limit: 100 instructions deliver, 101 deliver nothing.
rm -rf "$U1/lim"; as1 mkdir -p "$U1/lim/new" "$U1/lim/cur" "$U1/lim/tmp"
mk1 .qmail-l "$(for i in $(seq 100); do printf './lim/\\n'; done)"
dl terntest1-l - l < "$qf" > /dev/null || fail "100 instructions refused"
[ "$(ls "$U1/lim/new" | wc -l)" = 100 ] || fail "100 instructions: $(ls "$U1/lim/new" | wc -l) delivered"
rm -f "$U1"/lim/new/*
mk1 .qmail-l "$(for i in $(seq 101); do printf './lim/\\n'; done)"
out=$(dl terntest1-l - l < "$qf"); rc=$?
[ $rc = 100 ] || fail "101 instructions: exit $rc ($out)"
[ -z "$(ls "$U1/lim/new")" ] || fail "101 instructions: something was delivered"

# A .qmail over 64 KiB: permanent, nothing delivered.
/usr/bin/python3 -c 'print("./lim/"); print("#" * 70000)' > "$U1/.qmail-l"
out=$(dl terntest1-l - l < "$qf"); rc=$?
[ $rc = 100 ] || fail "huge .qmail: exit $rc ($out)"
[ -z "$(ls "$U1/lim/new")" ] || fail "huge .qmail: something was delivered"
# A forwarding address queue-inject would refuse for ever: permanent.
mk1 .qmail-l '&a b@example.org\n'
dl terntest1-l - l < "$qf" > /dev/null; [ $? = 100 ] || fail "bad forwarding address"
mk1 .qmail-l "&$(head -c 1001 /dev/zero | tr '\0' a)@example.org\\n"
dl terntest1-l - l < "$qf" > /dev/null; [ $? = 100 ] || fail "too long forwarding address"

# Unsafe: a world-writable .qmail, a sticky home: temporary failures.
chmod 0666 "$U1/.qmail-s"
dl terntest1-s - s < "$qf" > /dev/null; [ $? = 111 ] || fail "world-writable .qmail accepted"
chmod 0644 "$U1/.qmail-s"
chmod +t "$U1"
out=$(dl terntest1-s - s < "$qf"); rc=$?
chmod -t "$U1"
[ $rc = 111 ] && [ "${out%% *}" = 4.2.1 ] || fail "sticky home: $rc $out"
exit 0
