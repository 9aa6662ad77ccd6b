/* Unit test of src/lib/logline.c: escaping and the one-write emit. */
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TAP-ish output; stdio is fine here: the input is our own. */
#define B(lit) lit, sizeof(lit) - 1
#include "logline.h"
#include "check.h"

int main(void)
{
	str l = STR_INIT;
	int p[2], saved;
	char buf[256];
	ssize_t n;
	check(logline_kvs(&l, "a", "b") == 0 && str_equals(&l, "a=b"), "first pair has no space");
	check(logline_kvnum(&l, "n", 42) == 0 && str_equals(&l, "a=b n=42"), "number");
	l.len = 0;
	check(logline_kv(&l, "v", "x y\n\"=\\\x7f\xc3", 9) == 0 &&
	      str_equals(&l, "v=x\\x20y\\x0a\\x22\\x3d\\x5c\\x7f\\xc3"), "escaping");
	l.len = 0;
	check(logline_kv(&l, "e", "", 0) == 0 && str_equals(&l, "e="), "empty value");
	check(logline_kv(&l, "z", "\0", 1) == 0 && str_equals(&l, "e= z=\\x00"), "NUL escaped");
	if (pipe(p) < 0) return 2;
	saved = dup(2);
	dup2(p[1], 2);
	l.len = 0;
	logline_kvs(&l, "k", "v");
	check(logline_emit(&l) == 0 && l.len == 0, "emit empties");
	dup2(saved, 2);
	close(p[1]);
	n = read(p[0], buf, sizeof buf);
	check(n == 4 && !memcmp(buf, "k=v\n", 4), "emit writes one line");
	str_free(&l);
	return failed;
}
