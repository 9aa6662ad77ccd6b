/* Unit test of the DATA encoder (src/lib/dataout.c). */
#include <stdio.h>
#include <string.h>
#include "dataout.h"
#include "check.h"

/* Encodes in (in chunks of step bytes) and compares with want. */
static int enc(const char *in, size_t len, size_t step, const char *want)
{
	struct dataout d;
	str out = STR_INIT;
	int ok;
	dataout_init(&d);
	for (size_t i = 0; i < len; i += step)
		dataout_feed(&d, in + i, len - i < step ? len - i : step, &out);
	dataout_finish(&d, &out);
	ok = out.len == strlen(want) && memcmp(out.s, want, out.len) == 0;
	if (!ok) { fwrite(out.s, 1, out.len, stdout); printf("<- got\n"); }
	str_free(&out);
	return ok;
}

#define E(in, step, want) enc(in, sizeof(in) - 1, step, want)

int main(void)
{
	for (size_t step = 1; step <= 3; step++) {
		check(E("a\r\nb\r\n", step, "a\r\nb\r\n.\r\n"), "CR LF kept");
		check(E("a\nb\n", step, "a\r\nb\r\n.\r\n"), "bare LF becomes CR LF");
		check(E("a\rb\r", step, "a\r\nb\r\n.\r\n"), "bare CR becomes CR LF");
		check(E("a\r\r\nb", step, "a\r\n\r\nb\r\n.\r\n"), "CR CR LF is two line ends");
		check(E("no end", step, "no end\r\n.\r\n"), "open last line closed");
		check(E(".x\n..\n.", step, "..x\r\n...\r\n..\r\n.\r\n"), "leading dots stuffed");
		check(E("a\n.\nb", step, "a\r\n..\r\nb\r\n.\r\n"), "a lone dot cannot end the data");
		check(E("a\r.\rb\n.\r\n", step, "a\r\n..\r\nb\r\n..\r\n.\r\n"), "smuggled end markers with bare CR are stuffed");
		check(E("a\n\r.\r\nQUIT\r\n", step, "a\r\n\r\n..\r\nQUIT\r\n.\r\n"), "LF CR . CR LF smuggling neutralised");
		check(E("", step, ".\r\n"), "empty message");
	}
	check(dataout_has_8bit("abc\x80", 4) && !dataout_has_8bit("abc", 3), "8-bit detection");
	return failed;
}
