#!/bin/bash
# A short libFuzzer run (10 s each) of the netstring parser and of the
# whole qmtpd and qmqpd sessions (tests/fuzz/fuzz-netstring.c,
# fuzz-qmtpd.c, fuzz-qmqpd.c) from their seed corpora; the long runs are
# `make fuzz`. Skipped when clang's fuzzer runtime is missing.
. "$TERN_SRC/tests/lib.sh"
FUZZ_SECONDS=${FUZZ_SHORT_SECONDS:-10} FUZZ_DIR=$TEST_ROOT/fuzz \
	sh "$TERN_SRC/tests/fuzz/run" netstring qmtpd qmqpd
