#!/bin/bash
# remote-spawn: a relay-remote that dies after reporting some recipients
# leaves the others with Z "4.4.2 relay-remote crashed", and every job
# still gets its E; jobs beyond the concurrency limit wait their turn.
. "$TERN_SRC/tests/lib.sh"
tern_need remote-spawn
RT=$TEST_ROOT/relay
rm -rf "$RT"
mkdir -p "$RT"
# A fake relay-remote: reports the first recipient of job 1 as delivered,
# then is killed by a signal; for other jobs it reports nothing at all.
cat > "$RT/fake-relay" <<'SH'
#!/bin/sh
job=$(tr '\0' '\n' | head -n 1)
if [ "$job" = J1 ]; then printf 'R1\0007\0000\000Kremote=x[1.2.3.4] 250 ok\000'; fi
kill -SEGV $$
SH
chmod +x "$RT/fake-relay"
printf 'J1\0Dcrash.test\0M7\0Sa@b\0Rx@crash.test\0Ry@crash.test\0\0J2\0Dother.test\0M8\0S\0Rz@other.test\0\0' |
	timeout 60 "$TERN_BIN/remote-spawn" "$RT/fake-relay" > "$RT/out" 2> "$RT/err" || fail "remote-spawn failed: $(cat "$RT/err")"
tr '\0' '|' < "$RT/out" > "$RT/out.txt"
cat "$RT/out.txt"; echo
check grep -q 'R1|7|0|Kremote=x\[1.2.3.4\] 250 ok|' "$RT/out.txt"
check grep -q 'R1|7|1|Z4.4.2 relay-remote crashed' "$RT/out.txt"
check grep -q 'R2|8|0|Z4.4.2 relay-remote crashed' "$RT/out.txt"
check grep -q 'E1|' "$RT/out.txt"
check grep -q 'E2|' "$RT/out.txt"
# Exactly one report per recipient.
check [ "$(grep -o 'R1|7|0|' "$RT/out.txt" | wc -l)" -eq 1 ]
# A program that cannot be run at all: everything deferred.
printf 'J5\0Dx.test\0M9\0Sa@b\0Rq@x.test\0\0' | timeout 60 "$TERN_BIN/remote-spawn" "$RT/does-not-exist" 2>/dev/null |
	tr '\0' '|' > "$RT/out2.txt"
check grep -q '^R5|9|0|Z4.4.2 .*|E5|$' "$RT/out2.txt"
echo "all ok"
