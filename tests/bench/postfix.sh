# tests/bench/postfix.sh: a private Postfix instance for `make bench
# VS=postfix` (sourced by tests/bench/run; doc/performance.md).
#
# Debian's postfix package is installed when missing, without letting it
# take /usr/sbin/sendmail (and friends) from tern: those are diverted
# (dpkg-divert --local --no-rename) before the install, so Postfix's
# programs land beside them as *.postfix; its service is kept from
# starting (policy-rc.d, "No configuration"). The instance has its own
# configuration directory, queue and log under $PF_DIR, listens only on
# 127.0.0.1:$PF_PORT and relays to the sink; nothing listens on port 25.
# pf_restore undoes all of it (purge and diversions only if this run
# installed the package; tern's links are put back either way); the run
# calls it from its EXIT trap, so it runs on every exit path.

PF_LINKS="/usr/sbin/sendmail /usr/lib/sendmail /usr/bin/mailq /usr/bin/newaliases"
PF_INSTALLED_BY_US=0
PF_POLICY_BY_US=0
PF_DIVERTED=
PF_SAVED_LINKS=
PF_STARTED=0

_pf_installed() {
	dpkg-query -W -f='${Status}' postfix 2>/dev/null | grep -q 'install ok installed'
}

# Remember what each sendmail-ish path is now (a link into a tern home).
_pf_save_links() {
	local p
	PF_SAVED_LINKS=
	for p in $PF_LINKS; do
		[ -L "$p" ] && PF_SAVED_LINKS="$PF_SAVED_LINKS $p=$(readlink "$p")"
	done
}

pf_install() {
	_pf_save_links
	_pf_installed && return 0
	local p
	echo "bench: installing Debian's postfix (removed again at the end)"
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\n# make bench: no service starts while it installs postfix\nexit 101\n' > /usr/sbin/policy-rc.d
		chmod 0755 /usr/sbin/policy-rc.d
		PF_POLICY_BY_US=1
	fi
	for p in $PF_LINKS; do
		if ! dpkg-divert --list "$p" | grep -q .; then
			dpkg-divert --local --no-rename --divert "$p.postfix" --add "$p" > /dev/null &&
				PF_DIVERTED="$PF_DIVERTED $p"
		fi
	done
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	PF_INSTALLED_BY_US=1
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q postfix > "$TEST_ROOT/postfix-install.log" 2>&1 ||
		{ apt-get update -q > /dev/null 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postfix > "$TEST_ROOT/postfix-install.log" 2>&1; } ||
		{ tail -5 "$TEST_ROOT/postfix-install.log" >&2; return 1; }
}

# Postfix's own sendmail: the diverted name when it was diverted (by this
# run or before), never a link to tern's.
pf_sendmail() {
	local p
	p=$(dpkg-divert --truename /usr/sbin/sendmail)
	[ -x "$p" ] && [ ! -L "$p" ] && { echo "$p"; return 0; }
	return 1
}

# pf_configure DIR PORT SINK_PORT DOMAIN: main.cf and master.cf in DIR/etc.
pf_configure() {
	PF_DIR=$1 PF_PORT=$2
	local sink=$3 domain=$4
	rm -rf "$PF_DIR"
	mkdir -p "$PF_DIR/etc" "$PF_DIR/queue" "$PF_DIR/data"
	chown postfix "$PF_DIR/data"
	cat > "$PF_DIR/etc/main.cf" <<-EOF
	# make bench: a private instance (tests/bench/postfix.sh)
	compatibility_level = 3.6
	queue_directory = $PF_DIR/queue
	data_directory = $PF_DIR/data
	command_directory = /usr/sbin
	daemon_directory = /usr/lib/postfix/sbin
	shlib_directory = /usr/lib/postfix
	meta_directory = /etc/postfix
	mail_owner = postfix
	setgid_group = postdrop
	maillog_file = $PF_DIR/maillog
	maillog_file_prefixes = $PF_DIR
	myhostname = postfix.bench.test
	mydomain = bench.test
	myorigin = \$myhostname
	mydestination = $domain
	inet_interfaces = 127.0.0.1
	inet_protocols = ipv4
	mynetworks = 127.0.0.0/8
	home_mailbox = Maildir/
	relayhost = [127.0.0.1]:$sink
	alias_maps =
	alias_database =
	biff = no
	smtpd_tls_security_level = none
	smtp_tls_security_level = none
	EOF
	# Debian's master.cf, with the port-25 listener moved to our port and
	# no chroot (the private queue has no chroot files).
	awk -v listen="127.0.0.1:$PF_PORT" 'BEGIN { OFS = "\t" }
		/^#/ || /^[ \t]/ || NF == 0 { print; next }
		{ if ($1 == "smtp" && $2 == "inet") $1 = listen
		  if (NF >= 5) $5 = "n"
		  print }' /etc/postfix/master.cf > "$PF_DIR/etc/master.cf"
	grep -q "^127.0.0.1:$PF_PORT" "$PF_DIR/etc/master.cf" || { echo "bench: no smtp line in master.cf" >&2; return 1; }
}

pf_start() {
	postfix -c "$PF_DIR/etc" start > "$PF_DIR/start.log" 2>&1 ||
		{ cat "$PF_DIR/start.log" "$PF_DIR/maillog" >&2 2>/dev/null; return 1; }
	PF_STARTED=1
}

pf_stop() {
	local pid i=0
	[ "$PF_STARTED" = 1 ] || return 0
	postfix -c "$PF_DIR/etc" stop > /dev/null 2>&1
	pid=$(tr -d ' ' < "$PF_DIR/queue/pid/master.pid" 2>/dev/null)
	while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	PF_STARTED=0
}

pf_restore() {
	local p kv
	pf_stop
	if [ "$PF_INSTALLED_BY_US" = 1 ]; then
		# Debian's own instance, had anything started it.
		postfix stop > /dev/null 2>&1
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -q postfix > /dev/null 2>&1 ||
			echo "bench: warning: apt-get purge postfix failed" >&2
		for p in $PF_DIVERTED; do
			dpkg-divert --local --no-rename --remove "$p" > /dev/null 2>&1
		done
		PF_INSTALLED_BY_US=0
	fi
	[ "$PF_POLICY_BY_US" = 1 ] && rm -f /usr/sbin/policy-rc.d
	PF_POLICY_BY_US=0
	for kv in $PF_SAVED_LINKS; do
		p=${kv%%=*}
		[ "$(readlink "$p" 2>/dev/null)" = "${kv#*=}" ] || ln -sfn "${kv#*=}" "$p"
	done
	return 0
}
