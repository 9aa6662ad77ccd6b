/* Unit test of src/lib/dtline.c: the Delivered-To loop check, fed whole
   and at every split into two pieces. */
#include <string.h>
#include "dtline.h"
#include "check.h"

static const char rcpt[] = "joe-x@example.org";

/* The result for text, fed at every cut; -1 when cuts disagree. */
static int scan(const char *text, size_t len)
{
	int first = -1;
	size_t cut;
	for (cut = 0; cut <= len; cut++) {
		struct dtline s;
		int r;
		dtline_init(&s, rcpt, strlen(rcpt));
		dtline_feed(&s, text, cut);
		dtline_feed(&s, text + cut, len - cut);
		r = dtline_finish(&s) == DTLINE_FOUND;
		if (first < 0) first = r;
		else if (first != r) return -1;
	}
	return first;
}
#define SCAN(t) scan(t, sizeof t - 1)

int main(void)
{
	static char big[DTLINE_LINE_MAX + 200];
	check(SCAN("Subject: x\nDelivered-To: joe-x@example.org\n\nbody\n") == 1, "found");
	check(SCAN("delivered-to:\t JOE-X@Example.ORG \r\n\n") == 1, "case, spaces, CR");
	check(SCAN("Subject: x\n\nDelivered-To: joe-x@example.org\n") == 0, "in the body: not a loop");
	check(SCAN("Delivered-To: joe-x@example.org.evil\n\n") == 0, "a longer address");
	check(SCAN("Delivered-To: joe@example.org\n\n") == 0, "another address");
	check(SCAN("X-Delivered-To: joe-x@example.org\n\n") == 0, "another field");
	check(SCAN("Subject: x\r\n\r\nDelivered-To: joe-x@example.org\n") == 0, "CRLF empty line ends the header");
	check(SCAN("Subject: x\nDelivered-To: joe-x@example.org") == 1, "last line without newline");
	check(SCAN("") == 0, "empty message");
	memset(big, 'a', sizeof big - 1);
	memcpy(big, "Delivered-To: joe-x@example.org ", 32);
	big[sizeof big - 2] = '\n';
	check(scan(big, sizeof big - 1) == 0, "a line over the limit is never ours");
	{
		struct dtline s;
		dtline_init(&s, rcpt, strlen(rcpt));
		check(dtline_feed(&s, "A: b\n\n", 6) == DTLINE_END, "END at the empty line");
		check(dtline_feed(&s, "Delivered-To: joe-x@example.org\n", 32) == DTLINE_END, "stays END");
	}
	return failed;
}
