#!/bin/bash
# Bounces (DESIGN.md §9, RFC 3464): a program exiting 100 → one bounce in
# the sender's Maildir, checked with Python's email package (content type,
# report fields, the original attached); a .qmail forwarding to itself →
# Delivered-To loop → bounce, not a loop; NOTIFY=NEVER → no bounce; a
# failing bounce (null sender) → double bounce to postmaster; a failing
# double bounce → dropped.
. "$TERN_SRC/tests/lib.sh"
tern_need queue-start queue-manager queue-clean queue-inject local-spawn deliver-local
tern_instance_new
Q=$TERN_HOME/queue
maildir() {
	local h=$TEST_ROOT/users/$1
	mkdir -p "$h/Maildir/new" "$h/Maildir/cur" "$h/Maildir/tmp"
	chown -R "$1:" "$h/Maildir"
}
qmail() {  # user, then the lines of ~/.qmail
	local h=$TEST_ROOT/users/$1
	shift
	printf '%s\n' "$@" > "$h/.qmail"
	chown "${h##*/}:" "$h/.qmail"
	chmod 0644 "$h/.qmail"
}
tern_user_new terntest21s; maildir terntest21s     # the sender
tern_user_new terntest21f; qmail terntest21f '|exit 100'
tern_user_new terntest21l; qmail terntest21l '&terntest21l@tern.test'
tern_user_new terntest21o; maildir terntest21o     # delivers fine
S=$TEST_ROOT/users/terntest21s/Maildir/new
PM=$TERN_HOME/alias/Maildir/new
pm_before=$(ls "$PM" 2>/dev/null | wc -l)

# inject_env FORMAT: queue-inject with a printf-built envelope, message from stdin.
inject_env() { "$TERN_HOME/bin/queue-inject" 1< <(printf "$1"); }

# 1. Two failures and one success in one message → one bounce naming both.
tern_message "doomed" "body text" | inject_env \
	'Fterntest21s@tern.test\0Tterntest21f@tern.test\0Tterntest21o@tern.test\0Tterntest21f-x@tern.test\0Ocustom;orig\0\0' ||
	fail "queue-inject failed"
tern_wait_count "$S/*" 1 30
tern_queue_empty 30
sleep 1
[ "$(ls "$S" | wc -l)" = 1 ] || fail "expected exactly one bounce, got $(ls "$S" | wc -l)"
/usr/bin/python3 - "$S"/* <<'PY' || fail "the bounce is not a valid RFC 3464 report"
import sys, email
from email import policy
msg = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=policy.compat32)
def need(c, what):
    if not c:
        sys.stderr.write('bounce check failed: %s\n' % what); sys.exit(1)
need(msg.get_content_type() == 'multipart/report', 'content type %s' % msg.get_content_type())
need(msg.get_param('report-type') == 'delivery-status', 'report-type')
need(msg['Return-Path'] in (None, '<>'), 'return path %r' % msg['Return-Path'])
need('MAILER-DAEMON@tern.test' in msg['From'], 'From %r' % msg['From'])
need(msg['To'].strip() == 'terntest21s@tern.test', 'To %r' % msg['To'])
parts = msg.get_payload()
need(len(parts) == 3, '%d parts' % len(parts))
need(parts[0].get_content_type() == 'text/plain', 'human part')
need(parts[1].get_content_type() == 'message/delivery-status', 'status part')
blocks = parts[1].get_payload()
need(blocks[0]['Reporting-MTA'] == 'dns; tern.test', 'Reporting-MTA %r' % blocks[0]['Reporting-MTA'])
need(blocks[0]['Arrival-Date'], 'Arrival-Date')
rcpts = blocks[1:]
need(len(rcpts) == 2, '%d recipient blocks' % len(rcpts))
final = sorted(r['Final-Recipient'] for r in rcpts)
need(final == ['rfc822; terntest21f-x@tern.test', 'rfc822; terntest21f@tern.test'], 'recipients %r' % final)
for r in rcpts:
    need(r['Action'] == 'failed', 'Action')
    need(r['Status'].startswith('5.'), 'Status %r' % r['Status'])
    need(r['Diagnostic-Code'], 'Diagnostic-Code')
orig = [r['Original-Recipient'] for r in rcpts if r['Original-Recipient']]
need(orig == ['custom;orig'], 'Original-Recipient %r' % orig)
need(parts[2].get_content_type() == 'message/rfc822', 'original part %s' % parts[2].get_content_type())
inner = parts[2].get_payload()[0]
need(inner['Subject'] == 'doomed', 'original subject')
need('body text' in inner.get_payload(), 'original body')
PY
tern_log queue | grep -q 'event=bounce id=' || fail "no bounce log line"

# 2. A .qmail forwarding to itself: the loop is caught and bounced.
tern_message "loop" "round" | tern_inject terntest21s@tern.test terntest21l@tern.test ||
	fail "queue-inject failed"
tern_wait_count "$S/*" 2 60
tern_queue_empty 30
grep -l 'Subject: loop' "$S"/* > /dev/null || fail "the loop bounce does not carry the original"

# 3. NOTIFY=NEVER: no bounce at all.
tern_message "quiet" "shh" | inject_env 'Fterntest21s@tern.test\0Tterntest21f@tern.test\0NNEVER\0\0' ||
	fail "queue-inject failed"
tern_queue_empty 30
sleep 2
tern_queue_empty 5
[ "$(ls "$S" | wc -l)" = 2 ] || fail "NOTIFY=NEVER still bounced"

# 4. A bounce that fails (null sender) goes to the postmaster.
tern_message "nullsender" "x" | inject_env 'F\0Tterntest21f@tern.test\0\0' || fail "queue-inject failed"
tern_wait_count "$PM/*" $((pm_before + 1)) 30
tern_queue_empty 30
grep -l 'Subject: nullsender' "$PM"/* > /dev/null || fail "the double bounce lacks the original"

# 5. A failing double bounce is dropped, not bounced again.
tern_message "doubledrop" "x" | inject_env 'F#@[]\0Tterntest21f@tern.test\0\0' || fail "queue-inject failed"
tern_queue_empty 30
tern_wait_for 10 grep -q 'event=bounce .*dropped' "$TERN_LOGDIR/queue/current" ||
	fail "no log line for the dropped double bounce"
[ "$(ls "$PM" | wc -l)" = $((pm_before + 1)) ] || fail "a double bounce was bounced"
exit 0
