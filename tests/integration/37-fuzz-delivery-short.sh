#!/bin/bash
# Short libFuzzer runs (8 s each) of local delivery's parsers of untrusted
# text: the Delivered-To loop check (tests/fuzz/fuzz-dtline.c: message
# headers from the network) and the .qmail line reader
# (tests/fuzz/fuzz-dotqmail.c); the long runs are `make fuzz`. Skipped
# when clang's fuzzer runtime is missing.
. "$TERN_SRC/tests/lib.sh"
FUZZ_SECONDS=${FUZZ_SHORT_SECONDS:-8} FUZZ_DIR=$TEST_ROOT/fuzz \
	sh "$TERN_SRC/tests/fuzz/run" dtline dotqmail
