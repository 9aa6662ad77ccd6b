#!/bin/bash
# src/lib/tlsclient against openssl s_server with a test CA made here:
# verify (right name, wrong name, unknown CA), pins (hex, base64, wrong),
# may, a server that never answers (time-out), a plaintext peer.
. "$TERN_SRC/tests/lib.sh"
command -v openssl > /dev/null || skip "no openssl"
d=$TEST_ROOT/tls-client
rm -rf "$d"
mkdir -p "$d"
cd "$d" || fail "no $d"

# The probe links the library with BearSSL; make builds libtern.a into
# the test's object directory.
make -s -C "$TERN_SRC" O="$TEST_ROOT/obj" HOMEDIR="$TERN_HOME" SANITIZE="${SANITIZE:-}" \
	"$TEST_ROOT/obj/libtern.a" > build.log 2>&1 || { cat build.log; fail "cannot build libtern.a"; }
san=
[ "${SANITIZE:-}" = 1 ] && san="-fsanitize=address,undefined -fno-omit-frame-pointer"
# shellcheck disable=SC2086 — san is a word list.
cc $san -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I"$TERN_SRC/src/lib" -o probe \
	"$TERN_SRC/tests/unit/tls-client-probe.c" "$TEST_ROOT/obj/libtern.a" -lbearssl -lcdb ||
	fail "cannot build the probe"

# A CA and a leaf for tern.test signed by it.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem \
	-days 2 -subj /CN=tern-test-CA > /dev/null 2>&1 || fail "cannot make the CA"
openssl req -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr -subj /CN=tern.test > /dev/null 2>&1 ||
	fail "cannot make the CSR"
printf 'subjectAltName=DNS:tern.test\n' > ext
openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out leaf.pem -days 2 \
	-extfile ext > /dev/null 2>&1 || fail "cannot sign the leaf"
pin_hex=$(openssl x509 -in leaf.pem -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
pin_b64=$(openssl x509 -in leaf.pem -pubkey -noout | openssl pkey -pubin -outform DER |
	openssl dgst -sha256 -binary | base64)

port=$(tern_port)
openssl s_server -accept "127.0.0.1:$port" -cert leaf.pem -key leaf.key -www -quiet \
	< /dev/null > server.log 2>&1 &
server=$!
trap 'kill $server $silent 2>/dev/null; tern_stop' EXIT
tern_wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null || fail "s_server did not start"

probe() {  # expected-exit args...
	local want=$1
	shift
	out=$(./probe "$@" 2>&1)
	rc=$?
	[ "$rc" = "$want" ] || fail "probe $*: exit $rc, wanted $want: $out"
}

probe 0 -c ca.pem -n tern.test 127.0.0.1 "$port" verify
case $out in *"verified=yes"*"reply: HTTP/1.0 200"*) ;; *) fail "verify: $out" ;; esac
case $out in *"tls: TLSv1.2 ECDHE-RSA-"*) ;; *) fail "not ECDHE TLS 1.2: $out" ;; esac

probe 100 -c ca.pem -n wrong.test 127.0.0.1 "$port" verify
case $out in *"perm: certificate does not match the host name"*) ;; *) fail "wrong name: $out" ;; esac

# The system trust store does not know the test CA.
probe 100 -n tern.test 127.0.0.1 "$port" verify
case $out in *"perm: certificate not trusted"*) ;; *) fail "unknown CA: $out" ;; esac

probe 100 127.0.0.1 "$port" verify
case $out in *"no host name"*) ;; *) fail "verify without a name: $out" ;; esac

probe 0 127.0.0.1 "$port" pin "sha256:$pin_hex"
case $out in *"verified=pin"*"HTTP/1.0 200"*) ;; *) fail "pin hex: $out" ;; esac
probe 0 -n whatever 127.0.0.1 "$port" pin "sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,sha256:$pin_b64"
case $out in *"verified=pin"*) ;; *) fail "pin base64 in a list: $out" ;; esac
probe 100 127.0.0.1 "$port" pin "sha256:$(printf '%064d' 0)"
case $out in *"perm: certificate key does not match the pin"*) ;; *) fail "wrong pin: $out" ;; esac
probe 100 127.0.0.1 "$port" pin "sha256:nothex"
case $out in *"malformed pin"*) ;; *) fail "bad pin syntax: $out" ;; esac

probe 0 127.0.0.1 "$port" may
case $out in *"verified=no"*"HTTP/1.0 200"*) ;; *) fail "may: $out" ;; esac
probe 0 -n tern.test 127.0.0.1 "$port" encrypt
case $out in *"verified=no"*) ;; *) fail "encrypt: $out" ;; esac

# A peer that accepts and never says a word: the handshake times out
# (10 s); one that talks plaintext SMTP: a permanent failure, no hang.
peer() {  # mode port
	/usr/bin/python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[2]))); s.listen(5)
open(sys.argv[3], "w").close()
conns = []
s.settimeout(40)
while len(conns) < 5:
    c, a = s.accept(); conns.append(c)
    if sys.argv[1] == "plain":
        c.sendall(b"220 plain smtp, not TLS\r\n" * 20)' "$1" "$2" "$d/ready.$1" &
}
sport=$(tern_port)
peer silent "$sport"
silent=$!
pport=$(tern_port)
peer plain "$pport"
plain=$!
trap 'kill $server $silent $plain 2>/dev/null; tern_stop' EXIT
tern_wait_count "$d/ready.*" 2 10
probe 75 127.0.0.1 "$sport" encrypt
case $out in *"temp: TLS handshake timed out"*) ;; *) fail "silent peer: $out" ;; esac
probe 100 127.0.0.1 "$pport" encrypt
case $out in *"perm: TLS handshake failed"*) ;; *) fail "plaintext peer: $out" ;; esac
exit 0
