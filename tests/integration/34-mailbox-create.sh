#!/bin/bash
# Mailboxes appear (issue 8): a user with no ~/Maildir gets the first
# message in a Maildir that did not exist (tmp, new, cur, 0700, the
# user's); ./a/b/Maildir/ and a missing mbox (0600) are made too. Never
# through a symbolic link, never outside the home, never in a home that
# is not the user's (each a temporary failure with a clear text, nothing
# made). mbox files are opened safely (symlink, other owner, hard link,
# fifo refused). Group-writable homes and .qmail files are refused unless
# control/allowgroupwritable says 1. maildirmake.
. "$TERN_SRC/tests/lib.sh"
tern_need queue-inject deliver-local local-spawn maildirmake users-compile
tern_instance_new
tern_user_new terntest34a
tern_user_new terntest34b
A=$TEST_ROOT/users/terntest34a
B=$TEST_ROOT/users/terntest34b
OUT=$TEST_ROOT/t34.out
rm -rf "$OUT" && mkdir -p "$OUT" && chmod 0755 "$OUT"

# --- the first message, through the running queue ---------------------------
[ ! -e "$A/Maildir" ] || fail "the new user already has a Maildir"
tern_message first "hello new user" | tern_inject s@example.org terntest34a@tern.test || fail inject
tern_wait_count "$A/Maildir/new/*" 1 30
tern_queue_empty 30
grep -q '^hello new user$' "$A"/Maildir/new/* || fail "first message not in the new Maildir"
for d in "$A/Maildir" "$A/Maildir/tmp" "$A/Maildir/new" "$A/Maildir/cur"; do
	[ "$(stat -c '%a %U' "$d")" = "700 terntest34a" ] || fail "$d: $(stat -c '%a %U' "$d")"
done

# --- by hand, on a stopped queue -------------------------------------------------
tern_stop
tern_message byhand "second" | tern_inject s@example.org x@tern.test || fail inject
qf=$(ls "$TERN_HOME"/queue/mess/*/* | head -n 1)
id=$(basename "$qf")
len=$(tail -c 32 "$qf" | cut -c8-27 | sed 's/^0*//')
# spawn RCPT: local-spawn with one job; prints "<status><text>" of its report.
spawn() {
	printf 'J1\0Dtern.test\0M%s\0Ss@example.org\0R%s\0\0' "$id" "$1" |
		"$TERN_HOME/bin/local-spawn" 2> /dev/null | tr '\0' '\n' | sed -n 4p
}
# dl USER EXT [OPTION]: deliver-local by hand as USER for USER-EXT.
dl() {
	local h=$TEST_ROOT/users/$1
	(cd "$h" && setpriv --reuid "$1" --regid "$1" --init-groups \
		"$TERN_HOME/bin/deliver-local" $3 -- "$1" "$h" "$1-$2" - "$2" tern.test s@example.org "$len" < "$qf")
}
qm() { printf "$2" > "$A/.qmail-$1"; chown terntest34a: "$A/.qmail-$1"; }
expect() {  # expect WHAT PATTERN TEXT
	case $3 in $2) ;; *) fail "$1: $3" ;; esac
}

# Deeper paths inside the home: every missing component is made.
qm deep './a/b/Maildir/\n'
out=$(dl terntest34a deep) || fail "./a/b/Maildir/: $out"
[ "$(ls "$A/a/b/Maildir/new" | wc -l)" = 1 ] || fail "./a/b/Maildir/ not delivered"
[ "$(stat -c %a "$A/a" "$A/a/b" "$A/a/b/Maildir" | sort -u)" = 700 ] || fail "modes of ./a/b/Maildir/"
# A missing mbox: the file (0600) and its directory.
qm box './mail/inbox\n'
out=$(dl terntest34a box) || fail "./mail/inbox: $out"
[ "$(stat -c '%a %U' "$A/mail/inbox")" = "600 terntest34a" ] || fail "mbox made: $(stat -c '%a %U' "$A/mail/inbox")"
grep -q '^From s@example.org ' "$A/mail/inbox" || fail "mbox content"
# An absolute path inside the home is made too.
qm abs "$A/absbox/\n"
out=$(dl terntest34a abs) || fail "absolute path in the home: $out"

# Symbolic links: the Maildir itself (dangling, or to a directory without
# tmp/new/cur), a component on the way; "..": temporary 4.7.0, nothing made.
ln -s "$OUT/elsewhere" "$A/dangling"
qm dang './dangling/\n'
out=$(dl terntest34a dang); rc=$?
[ $rc = 111 ] || fail "dangling link: exit $rc"
expect "dangling link" "4.7.0 not creating ./dangling/: a part of it is a symbolic link*" "$out"
[ ! -e "$OUT/elsewhere" ] || fail "made the target of a dangling link"
mkdir "$OUT/empty" && chown terntest34a: "$OUT/empty"
ln -s "$OUT/empty" "$A/linked"
qm lnk './linked/\n'
out=$(dl terntest34a lnk); rc=$?
[ $rc = 111 ] || fail "linked Maildir: exit $rc"
expect "linked Maildir" "4.7.0 not creating *symbolic link*" "$out"
[ -z "$(ls "$OUT/empty")" ] || fail "made tmp/new/cur through a link"
ln -s "$OUT/empty" "$A/comp"
qm comp './comp/Maildir/\n'
out=$(dl terntest34a comp); rc=$?
[ $rc = 111 ] || fail "linked component: exit $rc"
expect "linked component" "4.7.0 *symbolic link*" "$out"
[ -z "$(ls "$OUT/empty")" ] || fail "made a Maildir through a linked component"
qm up './../terntest34b/Maildir/\n'
out=$(dl terntest34a up); rc=$?
expect "..: exit $rc" "4.7.0 not creating ./../terntest34b/Maildir/: it leads out of the home directory" "$out"
[ ! -e "$B/Maildir" ] || fail "made a Maildir in another home"
# Outside the home: never made.
qm out "$OUT/outside/\n"
out=$(dl terntest34a out); rc=$?
[ $rc = 111 ] || fail "outside: exit $rc"
expect "outside the home" "4.2.0 $OUT/outside/ does not exist (tern creates mailboxes only inside the home directory)" "$out"
[ ! -e "$OUT/outside" ] || fail "made a Maildir outside the home"
# A link to a complete Maildir is delivered to, as qmail does.
mkdir "$OUT/fullparent" && chown terntest34a: "$OUT/fullparent"
runuser -u terntest34a -- "$TERN_HOME/bin/maildirmake" "$OUT/fullparent/full" || fail "maildirmake"
ln -s "$OUT/fullparent/full" "$A/tofull"
qm full './tofull/\n'
dl terntest34a full > /dev/null || fail "a link to an existing Maildir"
[ "$(ls "$OUT/fullparent/full/new" | wc -l)" = 1 ] || fail "not delivered through the link to a complete Maildir"

# mbox files opened safely: a symbolic link, someone else's file, a second
# hard link, a fifo (without hanging): temporary, nothing written.
runuser -u terntest34a -- sh -c "printf 'old\n' > '$A/real.mbox'"
ln -s "$A/real.mbox" "$A/sym.mbox"
qm msym './sym.mbox\n'
out=$(dl terntest34a msym); rc=$?
[ $rc = 111 ] || fail "mbox link: exit $rc"
expect "mbox link" "4.7.0 ./sym.mbox is a symbolic link: not delivering" "$out"
printf 'root\n' > "$A/root.mbox"; chmod 0666 "$A/root.mbox"
qm mroot './root.mbox\n'
out=$(dl terntest34a mroot)
expect "someone else's mbox" "4.7.0 ./root.mbox is not owned by terntest34a" "$out"
[ "$(cat "$A/root.mbox")" = root ] || fail "wrote into someone else's mbox"
ln "$A/real.mbox" "$A/hard.mbox"
qm mhard './hard.mbox\n'
out=$(dl terntest34a mhard)
expect "hard link" "4.7.0 ./hard.mbox has more than one hard link" "$out"
[ "$(cat "$A/real.mbox")" = old ] || fail "wrote through a hard link"
runuser -u terntest34a -- mkfifo "$A/fifo.mbox"
qm mfifo './fifo.mbox\n'
out=$(timeout 30 bash -c "$(declare -f dl); TEST_ROOT='$TEST_ROOT' TERN_HOME='$TERN_HOME' qf='$qf' len='$len' dl terntest34a mfifo"); rc=$?
[ $rc = 111 ] || fail "fifo mbox: exit $rc ($out)"
expect "fifo mbox" "4.2.0 ./fifo.mbox is not a regular file" "$out"

# The in-process path (local-spawn, no .qmail) checks the same: a dangling
# ~/Maildir link is refused, nothing made; then a home that is not the
# user's (users/assign points terntest34b at a root-owned directory).
ln -s "$OUT/nowhere" "$B/Maildir"
out=$(spawn terntest34b@tern.test)
expect "spawn, dangling Maildir" "Z4.7.0 not creating ./Maildir/: a part of it is a symbolic link*" "$out"
[ ! -e "$OUT/nowhere" ] || fail "local-spawn made the target of a dangling link"
rm -f "$B/Maildir"
mkdir -p "$OUT/shared" && chmod 0755 "$OUT/shared"
printf '=t34shared:terntest34b:%s:%s:%s:::\n.\n' "$(id -u terntest34b)" "$(id -g terntest34b)" "$OUT/shared" \
	> "$TERN_HOME/users/assign"
(cd "$TERN_HOME" && "$TERN_HOME/bin/users-compile") || fail users-compile
out=$(spawn t34shared@tern.test)
expect "home not the user's" "Z4.2.0 ./Maildir/ does not exist and the home directory is not owned by terntest34b: not creating it" "$out"
[ ! -e "$OUT/shared/Maildir" ] || fail "made a Maildir in a home that is not the user's"
rm -f "$TERN_HOME/users/assign" "$TERN_HOME/users/cdb"

# Group-writable home and .qmail: refused until control/allowgroupwritable is 1;
# world-writable always.
chmod 0775 "$B"
out=$(spawn terntest34b@tern.test)
expect "group-writable home" "Z4.7.0 home directory is group-writable (control/allowgroupwritable allows it)" "$out"
[ ! -e "$B/Maildir" ] || fail "delivered into a group-writable home"
echo 1 > "$TERN_HOME/control/allowgroupwritable"
out=$(spawn terntest34b@tern.test)
expect "allowed group-writable home" "K2.0.0 delivered: did 1+0+0" "$out"
chmod 0777 "$B"
out=$(spawn terntest34b@tern.test)
expect "world-writable home" "Z4.7.0 home directory is world-writable" "$out"
chmod 0755 "$B"
rm -f "$TERN_HOME/control/allowgroupwritable"
qm gw './Maildir/\n'; chmod 0664 "$A/.qmail-gw"
out=$(dl terntest34a gw)
expect "group-writable .qmail" "4.7.0 ./.qmail-gw is group-writable (control/allowgroupwritable allows it)" "$out"
dl terntest34a gw -g > /dev/null || fail "deliver-local -g refused a group-writable .qmail"
echo 1 > "$TERN_HOME/control/allowgroupwritable"
out=$(spawn terntest34a-gw@tern.test)
expect "local-spawn passes -g" "K2.0.0 *" "$out"
rm -f "$TERN_HOME/control/allowgroupwritable"

# maildirmake: qmail's usage, an existing directory refused, -f folders.
runuser -u terntest34a -- "$TERN_HOME/bin/maildirmake" "$A/M2" || fail maildirmake
[ "$(stat -c '%a %U' "$A/M2" "$A/M2/tmp" "$A/M2/new" "$A/M2/cur" | sort -u)" = "700 terntest34a" ] ||
	fail "maildirmake modes"
out=$(runuser -u terntest34a -- "$TERN_HOME/bin/maildirmake" "$A/M2" 2>&1); rc=$?
[ $rc = 111 ] || fail "maildirmake on an existing directory: exit $rc"
expect "maildirmake existing" "maildirmake: fatal: cannot mkdir $A/M2: File exists" "$out"
runuser -u terntest34a -- "$TERN_HOME/bin/maildirmake" -f Sent "$A/M2" || fail "maildirmake -f"
[ -f "$A/M2/.Sent/maildirfolder" ] && [ -d "$A/M2/.Sent/new" ] || fail "maildirmake -f made no folder"
runuser -u terntest34a -- "$TERN_HOME/bin/maildirmake" -f ../x "$A/M2" 2> /dev/null; [ $? = 100 ] || fail "maildirmake -f ../x"
"$TERN_HOME/bin/maildirmake" 2> /dev/null; [ $? = 100 ] || fail "maildirmake without a directory"
exit 0
