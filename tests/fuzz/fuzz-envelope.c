/* libFuzzer harness for envelope_parse (src/lib/queue.c), the parser that
   queue-inject runs on bytes from an untrusted caller. Build and run:
     clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/lib \
       tests/fuzz/fuzz-envelope.c src/lib/queue.c src/lib/str.c \
       src/lib/fmt.c src/lib/scan.c -o /tmp/fuzz-envelope
     /tmp/fuzz-envelope -max_total_time=60 -max_len=4096
   Besides crashes it checks what the parser promises: a parsed envelope
   has a sender first, at least one recipient, every field inside the
   input, within its limit and free of control characters. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "queue.h"

#ifndef FUZZ_HAVE_AUTO
/* queue.c refers to these (queue_path); libtern.a's auto.o is not linked here. */
const char auto_home[] = "/nonexistent";
const unsigned int auto_split = 23;
#endif

static int inside(const char *p, size_t n, const char *buf, size_t len)
{
	return p >= buf && p + n <= buf + len;
}

static int clean(const char *p, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f) return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct envelope e;
	char *buf = malloc(size ? size : 1);
	size_t i;
	int r;
	if (!buf) return 0;
	if (size) memcpy(buf, data, size);
	r = envelope_parse(buf, size, &e);
	if (r == 0) {
		if (e.nrcpt < 1 || e.nrcpt > ENVELOPE_RCPT_MAX) abort();
		if (!inside(e.sender, e.sender_len + 1, buf, size) || e.sender != buf + 1) abort();
		if (e.sender_len > ENVELOPE_ADDR_MAX || !clean(e.sender, e.sender_len)) abort();
		if (buf[size - 1] != 0 || (size >= 2 && buf[size - 2] != 0)) abort();
		for (i = 0; i < e.nrcpt; i++) {
			const struct envelope_rcpt *rc = &e.rcpt[i];
			if (!inside(rc->addr, rc->len + 1, buf, size) || rc->addr[rc->len] != 0) abort();
			if (rc->len > ENVELOPE_ADDR_MAX || !clean(rc->addr, rc->len)) abort();
			if (rc->addr[-1] != 'T') abort();
			if (rc->notify && (rc->notify[-1] != 'N' || strlen(rc->notify) > ENVELOPE_PARAM_MAX)) abort();
			if (rc->orcpt && (rc->orcpt[-1] != 'O' || strlen(rc->orcpt) > ENVELOPE_PARAM_MAX)) abort();
		}
		if (e.envid && e.envid[-1] != 'E') abort();
		if (e.ret && e.ret[-1] != 'R') abort();
		envelope_free(&e);
	} else if (r != ENVELOPE_BAD && r != ENVELOPE_TOO_LONG && r != -1) {
		abort();
	}
	free(buf);
	return 0;
}
