#!/bin/bash
# AUTH building blocks: tern-passwd + checkpassword-cdb (virtual users),
# checkpassword-system (/etc/shadow, installed set-group-id shadow), then
# AUTH through smtpd-recv on the submission (587-style, STARTTLS) and
# smtps (465-style) services with msmtp, when smtpd-recv is built.
. "$TERN_SRC/tests/lib.sh"
tern_need tern-passwd checkpassword-cdb checkpassword-system
tern_instance_new
B=$TERN_HOME/bin
cdb=$TERN_HOME/users/virtual.cdb
d=$TEST_ROOT/authtest
rm -rf "$d"
mkdir -p "$d"
chmod 0755 "$d"

as_recv() { setpriv --reuid tern-recv --regid "$(id -g tern-recv)" --clear-groups "$@"; }
# cp USER PASSWORD PROGRAM [as_recv]: runs a checkpassword program with
# "user\0password\0" on fd 3; prints what the program after it prints.
cp_run() {
	local u=$1 p=$2 prog=$3
	shift 3
	printf '%s\0%s\0%s\0' "$u" "$p" "1700000000" > "$d/in"
	"$@" "$prog" sh -c 'echo "ok user=$USER"' 3< "$d/in"
}

# --- tern-passwd and checkpassword-cdb ---------------------------------------
echo 'Secret one' | "$B/tern-passwd" add Alice@Tern.Test || fail "add alice"
echo 'pw two' | "$B/tern-passwd" -m sha512 add bob || fail "add bob"
printf 'pw three\r\n' | "$B/tern-passwd" add carol || fail "add carol (CRLF)"
[ "$(stat -c '%U %G %a' "$cdb")" = "root $(id -gn tern-recv) 640" ] || fail "cdb mode: $(stat -c '%U %G %a' "$cdb")"
[ "$("$B/tern-passwd" list | sort | tr '\n' ' ')" = "alice@tern.test bob carol " ] || fail "list: $("$B/tern-passwd" list)"
cdb -q "$cdb" alice@tern.test | grep -q '^\$y\$' || fail "alice's hash is not yescrypt"
cdb -q "$cdb" bob | grep -q '^\$6\$' || fail "bob's hash is not sha512-crypt"
! grep -q 'Secret one' "$cdb" || fail "cleartext password in the cdb"

out=$(cp_run ALICE@tern.test 'Secret one' "$B/checkpassword-cdb" as_recv) || fail "alice as tern-recv: $out"
[ "$out" = "ok user=alice@tern.test" ] || fail "alice: $out"
cp_run bob 'pw two' "$B/checkpassword-cdb" as_recv > /dev/null || fail "bob"
cp_run carol 'pw three' "$B/checkpassword-cdb" as_recv > /dev/null || fail "carol (CRLF stripped)"
cp_run bob 'pw tw' "$B/checkpassword-cdb" as_recv; [ $? = 1 ] || fail "bob with a wrong password"
cp_run nobody 'x' "$B/checkpassword-cdb" as_recv; [ $? = 1 ] || fail "unknown user"
cp_run bob '' "$B/checkpassword-cdb" as_recv; [ $? = 1 ] || fail "empty password"
# Changing a password: the old one stops working.
echo 'pw new' | "$B/tern-passwd" add bob || fail "change bob"
cp_run bob 'pw two' "$B/checkpassword-cdb"; [ $? = 1 ] || fail "old password still works"
cp_run bob 'pw new' "$B/checkpassword-cdb" > /dev/null || fail "new password"
"$B/tern-passwd" del bob || fail "del bob"
"$B/tern-passwd" del bob 2> /dev/null; [ $? = 100 ] || fail "del of a missing user"
cp_run bob 'pw new' "$B/checkpassword-cdb"; [ $? = 1 ] || fail "deleted user"
echo '' | "$B/tern-passwd" add dave 2> /dev/null; [ $? = 100 ] || fail "empty password accepted"
"$B/tern-passwd" add 'bad user' < /dev/null 2> /dev/null; [ $? = 100 ] || fail "space in user"
# Limits of tern-passwd: user names up to 255 bytes, passwords up to 511 (crypt(3)'s limit).
u255=$(head -c 251 /dev/zero | tr '\0' u)@t.t
echo pw | "$B/tern-passwd" add "$u255" || fail "255-byte user refused"
echo pw | "$B/tern-passwd" add "x$u255" 2> /dev/null; [ $? = 100 ] || fail "256-byte user accepted"
{ head -c 511 /dev/zero | tr '\0' p; printf '\r\n'; } | "$B/tern-passwd" add pw511 || fail "511-byte password refused"
{ head -c 512 /dev/zero | tr '\0' p; echo; } | "$B/tern-passwd" add pw512 2> /dev/null; [ $? = 100 ] || fail "512-byte password accepted"
"$B/tern-passwd" list | grep -qx pw512 && fail "pw512 was added"
"$B/tern-passwd" del "$u255" && "$B/tern-passwd" del pw511 || fail "del"
# Limits of the input: 512 bytes is fine, 513 is refused (exit 2).
long=$(head -c 480 /dev/zero | tr '\0' a)
printf '%s\n' "$long" | "$B/tern-passwd" add longpw || fail "long password"
printf 'longpw\0%s\0%s' "$long" "$(head -c $((512 - 7 - 481)) /dev/zero | tr '\0' 1)" > "$d/in"
[ "$(stat -c %s "$d/in")" = 512 ] || fail "test input is not 512 bytes"
"$B/checkpassword-cdb" true 3< "$d/in" || fail "512 bytes refused"
printf '1' >> "$d/in"
"$B/checkpassword-cdb" true 3< "$d/in" 2> /dev/null; [ $? = 2 ] || fail "513 bytes accepted"
printf 'nopassword' > "$d/in"
"$B/checkpassword-cdb" true 3< "$d/in" 2> /dev/null; [ $? = 2 ] || fail "malformed input accepted"
# A missing cdb: nobody logs in; an unreadable one: temporary.
mv "$cdb" "$d/virtual.cdb"
cp_run alice@tern.test 'Secret one' "$B/checkpassword-cdb"; [ $? = 1 ] || fail "missing cdb"
mv "$d/virtual.cdb" "$cdb"
chmod 0600 "$cdb"
cp_run alice@tern.test 'Secret one' "$B/checkpassword-cdb" as_recv 2> /dev/null; [ $? = 111 ] || fail "unreadable cdb"
chmod 0640 "$cdb"

# --- checkpassword-system ------------------------------------------------------
tern_user_new terntestauth
echo 'terntestauth:Sys tem pw' | chpasswd || fail "chpasswd"
[ "$(stat -c '%G %a' "$B/checkpassword-system")" = "shadow 2755" ] ||
	fail "checkpassword-system is not installed set-group-id shadow: $(stat -c '%G %a' "$B/checkpassword-system")"
out=$(cp_run terntestauth 'Sys tem pw' "$B/checkpassword-system" as_recv) || fail "system user as tern-recv: $out"
[ "$out" = "ok user=terntestauth" ] || fail "system: $out"
# The program after it runs without the shadow group.
printf 'terntestauth\0Sys tem pw\0' > "$d/in"
out=$(as_recv "$B/checkpassword-system" id -Gn 3< "$d/in") || fail "id after success"
case " $out " in *" shadow "*) fail "shadow group kept: $out" ;; esac
cp_run terntestauth 'wrong' "$B/checkpassword-system" as_recv; [ $? = 1 ] || fail "wrong system password"
cp_run root 'x' "$B/checkpassword-system"; [ $? = 1 ] || fail "root accepted"
cp_run terntestnobody 'x' "$B/checkpassword-system"; [ $? = 1 ] || fail "unknown system user"
# Other uids may not use the set-gid program as a password oracle.
cp_run terntestauth 'Sys tem pw' "$B/checkpassword-system" \
	setpriv --reuid terntestauth --regid "$(id -g terntestauth)" --clear-groups 2> /dev/null
[ $? = 111 ] || fail "an ordinary uid could use checkpassword-system"
passwd -l terntestauth > /dev/null || fail "passwd -l"
cp_run terntestauth 'Sys tem pw' "$B/checkpassword-system" as_recv; [ $? = 1 ] || fail "locked account accepted"
passwd -u terntestauth > /dev/null || fail "passwd -u"

# --- AUTH through smtpd-recv ---------------------------------------------------
[ -x "$B/smtpd-recv" ] && [ -x "$B/tls-server" ] && command -v msmtp > /dev/null || exit 0
sh "$TERN_SRC/scripts/make-cert" --home "$TERN_HOME" > /dev/null || fail "make-cert"
echo "$B/checkpassword-cdb" > "$TERN_HOME/control/authprogram"
p587=$(tern_port) p465=$(tern_port)
# ASan reserves more address space than softlimit allows.
mem=; [ "${SANITIZE:-}" = 1 ] && mem=MEMLIMIT=0
tern_service_start submission IP=127.0.0.1 PORT="$p587" $mem
tern_service_start smtps IP=127.0.0.1 PORT="$p465" $mem
for p in $p587 $p465; do
	tern_wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$p" 2>/dev/null || fail "port $p not listening"
done
msmtp_send() {  # port starttls(on|off) user password
	cat > "$d/msmtprc" <<EOR
account t
host 127.0.0.1
port $1
tls on
tls_starttls $2
tls_certcheck off
auth plain
user $3
password $4
from sender@tern.test
logfile $d/msmtp.log
EOR
	chmod 0600 "$d/msmtprc"
	tern_message "auth test" | timeout 60 msmtp -C "$d/msmtprc" -a t postmaster@tern.test
}
msmtp_send "$p587" on alice@tern.test 'Secret one' || fail "msmtp 587: $(tail -3 "$d/msmtp.log")"
msmtp_send "$p465" off Alice@tern.test 'Secret one' || fail "msmtp 465: $(tail -3 "$d/msmtp.log")"
msmtp_send "$p587" on alice@tern.test 'wrong' 2> /dev/null && fail "msmtp with a wrong password was accepted"
echo "$B/checkpassword-system" > "$TERN_HOME/control/authprogram"
msmtp_send "$p465" off terntestauth 'Sys tem pw' || fail "msmtp 465 system user: $(tail -3 "$d/msmtp.log")"
exit 0
