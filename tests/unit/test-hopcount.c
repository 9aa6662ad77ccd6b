/* Unit test of src/lib/hopcount.c: Received/Delivered-To fields in the
   header only, any case, any split. */
#include <stdio.h>
#include <string.h>
#include "hopcount.h"
#include "check.h"

static unsigned long count(const char *s, size_t step)
{
	struct hopcount h;
	size_t i, len = strlen(s);
	hopcount_init(&h);
	for (i = 0; i < len; i += step)
		hopcount_feed(&h, s + i, len - i < step ? len - i : step);
	return h.hops;
}

int main(void)
{
	const char *m = "Received: a\nRECEIVED: b\n continued Received: no\nX-Received: no\n"
	                "Delivered-To: c\nReceivedx\nReceive: no\n\nReceived: body\n";
	size_t step;
	int same = 1;
	check(count(m, 1000) == 3, "three hops in the header");
	for (step = 1; step < 9; step++) same &= count(m, step) == 3;
	check(same, "any split");
	check(count("\nReceived: x\n", 1) == 0, "body only");
	check(count("", 1) == 0, "empty");
	return failed;
}
