#!/bin/bash
# sendmail and inject: flag combinations real callers use (cron, mutt,
# git send-email, PHP mail()), the envelope they produce (including DSN
# records), header completion, -t extraction with groups, comments and
# folded lines, Bcc removal, limits. The queue is inspected with the
# manager stopped, so nothing is delivered under our feet.
. "$TERN_SRC/tests/lib.sh"
tern_need queue-inject inject sendmail
tern_instance_new
tern_stop
Q=$TERN_HOME/queue
SM=$TERN_HOME/bin/sendmail
T=$TEST_ROOT/t11
rm -rf "$T"; mkdir -p "$T"; chmod 0755 "$T"
tern_user_new terntestsm
echo tern.test > "$TERN_HOME/control/defaulthost"

. "$TERN_SRC/tests/integration/helpers/queue.sh"

queue_clear() { rm -f "$Q"/mess/*/* "$Q"/todo/*/* "$Q"/pid/*; }
count() { find "$Q/$1" -type f | wc -l; }
# As the test user with a clean environment plus the given VAR=VALUE.
as_user() { setpriv --reuid=terntestsm --regid="$(id -g terntestsm)" --clear-groups env -i PATH=/usr/bin:/bin "$@"; }

# send MESSAGE ARGS...: run sendmail as the user with ARGS on MESSAGE
# (a printf format); then split the one queued file into $T/head,
# $T/body and $T/env. Fails unless exactly one message was queued.
send() {
	local msg=$1
	shift
	queue_clear
	printf "$msg" | as_user "$@" > "$T/out" 2> "$T/err" ||
		fail "sendmail $*: exit $? ($(cat "$T/err"))"
	[ "$(count mess)" = 1 ] || fail "sendmail $*: $(count mess) messages queued"
	qfile "$(find "$Q/mess" -type f)" > "$T/q" || fail "sendmail $*: bad queue file"
	sed -n '/^--envelope--$/,$p' "$T/q" | tail -n +2 > "$T/env"
	sed -n '2,/^--envelope--$/p' "$T/q" | sed '$d' > "$T/msg"
	sed -n '/^$/q;p' "$T/msg" | tail -n +2 > "$T/head"
	sed -n '/^$/,$p' "$T/msg" | tail -n +2 > "$T/body"
}
env_is() { printf "$1" | cmp -s - "$T/env" || fail "$2: envelope is [$(tr '\n' '|' < "$T/env")]"; }
has() { grep -q "$1" "$T/head" || fail "$2: no header matching '$1' in [$(cat "$T/head")]"; }
hasnt() { ! grep -qi "$1" "$T/head" || fail "$2: header matching '$1' in [$(cat "$T/head")]"; }
fields() { grep -ci "^$1:" "$T/head"; }

MSG='Subject: test\n\nbody\n'

# -- the envelope -------------------------------------------------------------
send "$MSG" USER=terntestsm "$SM" -oi -f x -- a b@example.org
env_is 'Fx@tern.test\nTa@tern.test\nTb@example.org\n' "-oi -f x -- a b"
has '^From: <x@tern.test>$' "From from -f"
has '^Date: [A-Z][a-z][a-z], [0-9]* [A-Z][a-z][a-z] 20[0-9][0-9] ' "Date added"
has '^Message-ID: <[0-9]*\.[0-9]*\.[0-9]*@tern.test>$' "Message-ID added"
[ "$(cat "$T/body")" = body ] || fail "body changed: $(cat "$T/body")"

send "$MSG" USER=terntestsm "$SM" -FName -fuser a@example.org
env_is 'Fuser@tern.test\nTa@example.org\n' "-FName -fuser"
has '^From: "Name" <user@tern.test>$' "-F full name"

send "$MSG" USER=terntestsm "$SM" -F 'Joe "Q" Public' -f '<joe@example.org>' a@example.org
env_is 'Fjoe@example.org\nTa@example.org\n' "-f <addr>"
has '^From: "Joe \\"Q\\" Public" <joe@example.org>$' "quoted full name"

# No -f: the user's name (MAILUSER, USER, LOGNAME, else passwd) @defaulthost.
send "$MSG" "$SM" a@example.org
env_is 'Fterntestsm@tern.test\nTa@example.org\n' "sender from passwd"
send "$MSG" MAILUSER=alias MAILHOST=host.example "$SM" a@example.org
env_is 'Falias@host.example\nTa@example.org\n' "MAILUSER/MAILHOST"
send "$MSG" NAME='Env Name' "$SM" a@example.org
has '^From: "Env Name" <terntestsm@tern.test>$' "NAME"

# Null sender.
send "$MSG" "$SM" -f '<>' a@example.org
env_is 'F\nTa@example.org\n' "-f <>"
send "$MSG" "$SM" -f '' a@example.org
env_is 'F\nTa@example.org\n' "-f ''"

# DSN: -N, -R, -V become N, R, E records.
send "$MSG" "$SM" -N success,delay -R hdrs -V 'abc+2B' -- a@example.org b@example.org
env_is 'Fterntestsm@tern.test\nEabc+2B\nRHDRS\nTa@example.org\nNSUCCESS,DELAY\nTb@example.org\nNSUCCESS,DELAY\n' "DSN flags"
send "$MSG" "$SM" -Nnever -Rfull -Vid a@example.org
env_is 'Fterntestsm@tern.test\nEid\nRFULL\nTa@example.org\nNNEVER\n' "DSN flags attached"

# cron's call, git send-email's, PHP's, mutt's.
send "$MSG" "$SM" -FCronDaemon -i -B8BITMIME -oem root
env_is 'Fterntestsm@tern.test\nTroot@tern.test\n' "cron"
has '^From: "CronDaemon" <terntestsm@tern.test>$' "cron From"
send 'To: a@example.org, b@example.org\nSubject: [PATCH] x\n\ndiff\n' "$SM" -i a@example.org b@example.org
env_is 'Fterntestsm@tern.test\nTa@example.org\nTb@example.org\n' "git send-email"
send 'To: php@example.org\nSubject: php\n\nhi\n' "$SM" -t -i
env_is 'Fterntestsm@tern.test\nTphp@example.org\n' "PHP -t -i"
send "$MSG" "$SM" -oem -oi -odb -B 8BITMIME -- m@example.org
env_is 'Fterntestsm@tern.test\nTm@example.org\n' "mutt"
send "$MSG" "$SM" -bm -v -odi -U -oep a@example.org
env_is 'Fterntestsm@tern.test\nTa@example.org\n' "-bm and harmless flags"
# Unknown flags warn but never fail.
send "$MSG" "$SM" -Z -oQ/x -Yy a@example.org
grep -q 'warning' "$T/err" || fail "unknown flags: no warning"

# -- -t ---------------------------------------------------------------------------
send 'To: "Doe, John" <jd@example.org>, plain@example.org (Plain),\n  folded@example.org\nCc: team: x@example.org, Y <y@example.org>;, undisclosed-recipients:;\nBcc: Secret <s@example.org>,\n\thidden@example.org\nSubject: t\n\nbody\n' \
	"$SM" -t -i
env_is 'Fterntestsm@tern.test\nTjd@example.org\nTplain@example.org\nTfolded@example.org\nTx@example.org\nTy@example.org\nTs@example.org\nThidden@example.org\n' "-t extraction"
hasnt '^bcc' "Bcc kept"
hasnt 'hidden' "Bcc continuation kept"
has '^To: "Doe, John"' "To kept"
[ "$(fields Cc)" = 1 ] || fail "Cc lost"
# Bare names get @defaulthost; arguments are added to -t's recipients.
send 'To: localuser\n\nx\n' "$SM" -t -i extra@example.org
env_is 'Fterntestsm@tern.test\nTextra@example.org\nTlocaluser@tern.test\n' "-t bare local + argument"
# Resent- fields win over To/Cc when present.
send 'To: old@example.org\nResent-To: new@example.org\nResent-Bcc: rb@example.org\n\nx\n' "$SM" -t -i
env_is 'Fterntestsm@tern.test\nTnew@example.org\nTrb@example.org\n' "Resent-To"
hasnt '^resent-bcc' "Resent-Bcc kept"
# Bcc is deleted also without -t.
send 'Bcc: b@example.org\nSubject: s\n\nx\n' "$SM" a@example.org
hasnt '^bcc' "Bcc kept without -t"
# CRLF input.
send 'To: crlf@example.org\r\nSubject: s\r\n\r\nx\r\n' "$SM" -t -i
env_is 'Fterntestsm@tern.test\nTcrlf@example.org\n' "-t CRLF"

# -- header completion --------------------------------------------------------------
send 'From: me@example.org\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-ID: <x@y>\nSubject: s\n\nx\n' "$SM" a@example.org
[ "$(fields From)$(fields Date)$(fields Message-ID)" = 111 ] || fail "existing fields duplicated: $(cat "$T/head")"
has '^Message-ID: <x@y>$' "Message-ID kept"
# A message that is only a body: the header is added before it.
send 'just a body line\nsecond\n' "$SM" a@example.org
[ "$(head -n 1 "$T/body")" = "just a body line" ] || fail "body-only message: $(cat "$T/msg")"
# A leading mbox "From " line is dropped.
send 'From someone Mon Jan  1 00:00:00 2024\nSubject: s\n\nx\n' "$SM" a@example.org
! grep -q '^From someone' "$T/msg" || fail "mbox From line kept"
# -F cannot add header lines.
send "$MSG" "$SM" -F "$(printf 'Evil\nBcc: x@example.org')" a@example.org
hasnt '^bcc' "newline in -F made a header line"
# control/idhost names the Message-ID host.
echo id.example > "$TERN_HOME/control/idhost"
send "$MSG" "$SM" a@example.org
has '@id.example>$' "idhost"
rm -f "$TERN_HOME/control/idhost"

# -- dots ----------------------------------------------------------------------------
send 'Subject: s\n\nline\n.\nafter\n' "$SM" a@example.org
[ "$(cat "$T/body")" = line ] || fail "a lone dot must end the message without -i: $(cat "$T/body")"
send 'Subject: s\n\nline\n.\nafter\n' "$SM" -i a@example.org
[ "$(tr '\n' '|' < "$T/body")" = 'line|.|after|' ] || fail "-i: dot line lost"
send 'Subject: s\n\nline\n..\n.x\n' "$SM" a@example.org
[ "$(tr '\n' '|' < "$T/body")" = 'line|..|.x|' ] || fail "dots changed: $(cat "$T/body")"

# -- failures: exit codes, nothing queued ----------------------------------------------
fails() {  # want-exit message-format args...
	local want=$1 msg=$2 rc=0
	shift 2
	queue_clear
	printf "$msg" | as_user "$@" > /dev/null 2> "$T/err" || rc=$?
	[ "$rc" = "$want" ] || fail "$*: exit $rc, want $want ($(cat "$T/err"))"
	[ "$(count mess)$(count pid)" = 00 ] || fail "$*: something was queued"
	[ -s "$T/err" ] || fail "$*: no message on stderr"
}
fails 100 "$MSG" "$SM" -i
fails 100 'Subject: s\n\nx\n' "$SM" -t -i
fails 100 "$MSG" "$SM" "$(printf 'a\001b@example.org')"
fails 100 "$MSG" "$SM" -R bogus a@example.org
fails 100 "$MSG" "$SM" -bt
# Headers over 256 KiB.
{ printf 'Subject: big\n'; for i in $(seq 1 3000); do printf 'X-Pad-%d: %0100d\n' "$i" 0; done; printf '\nx\n'; } > "$T/bighead"
rc=0; as_user "$SM" a@example.org < "$T/bighead" 2> "$T/err" || rc=$?
[ "$rc" = 100 ] || fail "big header: exit $rc"
grep -q 'header too large' "$T/err" || fail "big header: $(cat "$T/err")"
[ "$(count mess)$(count pid)" = 00 ] || fail "big header: queued"
# Over databytes: permanent.
echo 2000 > "$TERN_HOME/control/databytes"
{ printf 'Subject: big\n\n'; head -c 5000 /dev/zero | tr '\0' x; echo; } > "$T/bigbody"
rc=0; as_user "$SM" -i a@example.org < "$T/bigbody" 2> "$T/err" || rc=$?
[ "$rc" = 100 ] || fail "over databytes: exit $rc"
grep -q '5\.3\.4' "$T/err" || fail "over databytes: $(cat "$T/err")"
[ "$(count mess)$(count pid)" = 00 ] || fail "over databytes: queued"
rm -f "$TERN_HOME/control/databytes"

# -- modes ------------------------------------------------------------------------------
queue_clear
as_user "$SM" -q 2> /dev/null < /dev/null || fail "-q must exit 0"
as_user "$SM" -q30m 2> /dev/null < /dev/null || fail "-q30m must exit 0"
[ "$(count mess)" = 0 ] || fail "-q queued something"
if [ -x "$TERN_HOME/bin/mailq" ]; then
	as_user "$SM" -bp > /dev/null 2>&1 < /dev/null; rc=$?
	[ "$rc" != 100 ] || fail "-bp did not run mailq"
fi

# -- inject directly: a huge message is streamed, not held in memory --------------------
queue_clear
{ printf 'Subject: big\n\n'; head -c 20000000 /dev/zero | tr '\0' 'y' | fold -w 998; } |
	as_user "$TERN_HOME/bin/inject" a@example.org || fail "20 MB message refused"
[ "$(count mess)" = 1 ] || fail "20 MB message not queued"
queue_clear
exit 0
