#!/bin/bash
# Recipient resolution through the running queue: an /etc/aliases-style
# file compiled by newaliases -f (address, program and file targets),
# ~/.forward as the fallback, postmaster/root/mailer-daemon to the
# tern-alias Maildir, virtualdomains, users/assign (= and +) compiled by
# users-compile; newaliases and users-compile refusing bad input.
. "$TERN_SRC/tests/lib.sh"
tern_need queue-inject deliver-local local-spawn newaliases users-compile
tern_instance_new
tern_user_new terntest1
tern_user_new terntest2
U1=$TEST_ROOT/users/terntest1
U2=$TEST_ROOT/users/terntest2
A=$TERN_HOME/alias
for u in 1 2; do
	runuser -u terntest$u -- mkdir -p "$TEST_ROOT/users/terntest$u/Maildir/"{new,cur,tmp}
done
count() { ls "$1" 2>/dev/null | wc -l; }
send() {  # send TO... : one message, fresh Message-ID
	tern_message "to $*" | tern_inject sender@example.org "$@" || fail "inject to $*"
}

# --- aliases ------------------------------------------------------------------
cat > "$TEST_ROOT/aliases" <<EOF
# comment
Postmaster: terntest2
team: terntest1,
  terntest2@tern.test
pipe: "|cat > ./pipe.out"
box: $A/aliasbox
EOF
"$TERN_HOME/bin/newaliases" -f "$TEST_ROOT/aliases" || fail "newaliases failed"
send postmaster@tern.test
tern_wait_count "$U2/Maildir/new/*" 1 30
send team@tern.test
tern_wait_count "$U1/Maildir/new/*" 1 30
tern_wait_count "$U2/Maildir/new/*" 2 30
send pipe@tern.test box@tern.test
tern_wait_for 30 test -s "$A/pipe.out" || { tern_log queue >&2; fail "alias program did not run"; }
tern_wait_for 30 test -s "$A/aliasbox" || fail "alias file target not written"
grep -q '^Delivered-To: pipe@tern.test$' "$A/pipe.out" || fail "alias program input"
[ "$(stat -c %U "$A/aliasbox")" = tern-alias ] || fail "alias file not written as tern-alias"
grep -q '^From sender@example.org ' "$A/aliasbox" || fail "alias mbox From line"

# root and mailer-daemon are not in the aliases: the alias user's files.
n=$(count "$A/Maildir/new")
send root@tern.test MAILER-DAEMON@tern.test
tern_wait_count "$A/Maildir/new/*" $((n + 2)) 30

# --- ~/.forward ---------------------------------------------------------------
n1=$(count "$U1/Maildir/new") n2=$(count "$U2/Maildir/new")
printf '# keep a copy\nterntest2@tern.test, \\terntest1\n' > "$U1/.forward"
chown terntest1: "$U1/.forward"
send terntest1@tern.test
tern_wait_count "$U1/Maildir/new/*" $((n1 + 1)) 30
tern_wait_count "$U2/Maildir/new/*" $((n2 + 1)) 30
tern_queue_empty 30
[ "$(count "$U1/Maildir/new")" = $((n1 + 1)) ] || fail ".forward: more than one copy kept"
rm -f "$U1/.forward"

# --- virtualdomains -----------------------------------------------------------
printf 'virt.test:terntest1\n' > "$TERN_HOME/control/virtualdomains"
runuser -u terntest1 -- mkdir -p "$U1/virt/"{new,cur,tmp}
printf './virt/\n' > "$U1/.qmail-default"; chown terntest1: "$U1/.qmail-default"
for p in $(tern_pids_of "$TERN_HOME/bin/queue-manager"); do kill -HUP "$p"; done  # if it caches control files
send joe@virt.test
tern_wait_count "$U1/virt/new/*" 1 30
grep -q '^Delivered-To: terntest1-joe@virt.test$' "$U1"/virt/new/* || fail "virtual Delivered-To"
rm -f "$U1/.qmail-default"

# --- users/assign -------------------------------------------------------------
uid1=$(id -u terntest1) gid1=$(id -g terntest1) uid2=$(id -u terntest2) gid2=$(id -g terntest2)
cat > "$TERN_HOME/users/assign" <<EOF
=alice:terntest2:$uid2:$gid2:$U2:::
+lst-:terntest1:$uid1:$gid1:$U1:-:list-:
.
EOF
"$TERN_HOME/bin/users-compile" || fail "users-compile failed"
runuser -u terntest1 -- mkdir -p "$U1/lists/"{new,cur,tmp}
printf './lists/\n' > "$U1/.qmail-list-default"; chown terntest1: "$U1/.qmail-list-default"
n2=$(count "$U2/Maildir/new")
send Alice@tern.test lst-dev@tern.test
tern_wait_count "$U2/Maildir/new/*" $((n2 + 1)) 30
tern_wait_count "$U1/lists/new/*" 1 30
tern_queue_empty 30

# --- bad input -----------------------------------------------------------------
cp "$TERN_HOME/users/aliases.cdb" "$TEST_ROOT/aliases.cdb.before"
for bad in 'x: :include:/etc/foo' 'x:' 'a@b: c' 'x: "|unbalanced' '  y: z' 'x: a
X: b'; do
	printf '%s\n' "$bad" > "$TEST_ROOT/aliases.bad"
	"$TERN_HOME/bin/newaliases" -f "$TEST_ROOT/aliases.bad" 2> /dev/null && fail "newaliases accepted: $bad"
done
# The target limit: 1000 is fine, 1001 refused.
/usr/bin/python3 -c 'print("big: " + ",".join("u%d@example.org" % i for i in range(1000)))' > "$TEST_ROOT/aliases.big"
"$TERN_HOME/bin/newaliases" -f "$TEST_ROOT/aliases.big" || fail "1000 targets refused"
cp "$TERN_HOME/users/aliases.cdb" "$TEST_ROOT/aliases.cdb.before"
/usr/bin/python3 -c 'print("big: " + ",".join("u%d@example.org" % i for i in range(1001)))' > "$TEST_ROOT/aliases.big"
"$TERN_HOME/bin/newaliases" -f "$TEST_ROOT/aliases.big" 2> /dev/null && fail "1001 targets accepted"
cmp -s "$TERN_HOME/users/aliases.cdb" "$TEST_ROOT/aliases.cdb.before" || fail "a refused file changed aliases.cdb"
cp "$TERN_HOME/users/cdb" "$TEST_ROOT/users.cdb.before"
long=$(head -c 4100 /dev/zero | tr '\0' a)
for bad in "=x:x:1:1:/$long:::\n." "=x:x:0:0:/:::\n." "=x:x:1:1:/::\n." "=x:x:1:1:/:::" "x:x:1:1:/:::\n." "=x:x:a:1:/:::\n."; do
	printf "$bad\n" > "$TERN_HOME/users/assign"
	"$TERN_HOME/bin/users-compile" 2> /dev/null && fail "users-compile accepted: $bad"
done
cmp -s "$TERN_HOME/users/cdb" "$TEST_ROOT/users.cdb.before" || fail "a refused assign changed users/cdb"
exit 0
