/* libFuzzer harness: SMTP replies (src/lib/smtp_reply.c) line by line,
   as netio_reply feeds them; also the summary used in reports. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "smtp_reply.h"

/* Each line is copied to the end of this global, so a read past the
   line lands in ASan's redzone after it (no malloc per line). */
static char linebuf[1 << 16];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_reply r;
	str sum = STR_INIT;
	const char *p = (const char *)data, *end = p + size;
	smtp_reply_init(&r);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line;
		int k;
		if (len > sizeof linebuf) break;
		line = linebuf + sizeof linebuf - len;
		memcpy(line, p, len);
		k = smtp_reply_line(&r, line, len);
		if (k == SMTP_REPLY_DONE) {
			sum.len = 0;
			smtp_reply_summary(&r, &sum, 900);
			if (sum.len > 900 || r.text.len > SMTP_REPLY_TEXT_MAX) __builtin_trap();
			smtp_reply_reset(&r);
		} else if (k != SMTP_REPLY_MORE) {
			smtp_reply_reset(&r);
		}
		p += len + 1;
	}
	smtp_reply_free(&r);
	str_free(&sum);
	return 0;
}
