/* Unit test of src/lib/line.c: lines, EOF, the LINE_TOO_LONG resync. */
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TAP-ish output; stdio is fine here: the input is our own. */
#define B(lit) lit, sizeof(lit) - 1
#include "line.h"
#include "check.h"

static int feed(const char *s, size_t len)
{
	int p[2];
	if (pipe(p) < 0 || write(p[1], s, len) != (ssize_t)len) exit(2);
	close(p[1]);
	return p[0];
}

int main(void)
{
	char space[4];     /* small, so lines cross buffer refills */
	buffer b;
	str l = STR_INIT;
	int fd, r;

	fd = feed(B("one\ntwo\r\n\nlast"));
	buffer_init(&b, fd, space, sizeof space);
	check(line_read(&b, &l, '\n', 100) == 1 && str_equals(&l, "one\n"), "first line");
	check(line_read(&b, &l, '\n', 100) == 1 && str_equals(&l, "two\r\n"), "CRLF line kept as is");
	check(line_read(&b, &l, '\n', 100) == 1 && str_equals(&l, "\n"), "empty line");
	check(line_read(&b, &l, '\n', 100) == 0 && str_equals(&l, "last"), "partial last line at EOF");
	check(line_read(&b, &l, '\n', 100) == 0 && l.len == 0, "then EOF with nothing");
	close(fd);

	fd = feed(B("abcdefghij\nok\n12345\n1234\n"));
	buffer_init(&b, fd, space, sizeof space);
	r = line_read(&b, &l, '\n', 5);
	check(r == LINE_TOO_LONG && str_equals(&l, "abcde"), "too long: first max bytes kept");
	check(line_read(&b, &l, '\n', 5) == 1 && str_equals(&l, "ok\n"), "resync on the next line");
	check(line_read(&b, &l, '\n', 5) == LINE_TOO_LONG, "max counts the separator");
	check(line_read(&b, &l, '\n', 5) == 1 && str_equals(&l, "1234\n"), "exactly max bytes is fine");
	close(fd);

	fd = feed(B("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	buffer_init(&b, fd, space, sizeof space);
	r = line_read(&b, &l, '\n', 5);
	check(r == 0 || r == LINE_TOO_LONG, "too long to EOF: no hang");
	check(line_read(&b, &l, '\n', 5) == 0, "then EOF");
	close(fd);

	fd = feed("a\0b\0\0", 5);
	buffer_init(&b, fd, space, sizeof space);
	check(line_read(&b, &l, 0, 10) == 1 && l.len == 2 && l.s[0] == 'a', "NUL separator");
	check(line_read(&b, &l, 0, 10) == 1 && l.len == 2 && l.s[0] == 'b', "second record");
	check(line_read(&b, &l, 0, 10) == 1 && l.len == 1, "empty record");
	close(fd);

	buffer_init(&b, -1, space, sizeof space);
	check(line_read(&b, &l, '\n', 10) == -1, "read error");
	str_free(&l);
	return failed;
}
