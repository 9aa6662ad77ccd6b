#!/bin/bash
# A short libFuzzer run (30 s) of the whole smtpd-recv session
# (tests/fuzz/fuzz-smtpd.c) from its seed corpus; the long runs are
# `make fuzz`. Skipped when clang's fuzzer runtime is missing.
. "$TERN_SRC/tests/lib.sh"
FUZZ_SECONDS=${FUZZ_SHORT_SECONDS:-30} FUZZ_DIR=$TEST_ROOT/fuzz \
	sh "$TERN_SRC/tests/fuzz/run" smtpd
