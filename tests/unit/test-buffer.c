/* Unit test of src/lib/buffer.c and src/lib/io.c over pipes. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TAP-ish output; stdio is fine here: the input is our own. */
#define B(lit) lit, sizeof(lit) - 1
#include "buffer.h"
#include "io.h"
#include "check.h"

int main(void)
{
	int p[2];
	char ws[8], rs[8], got[64];
	buffer w, r;
	ssize_t n;
	size_t total;
	if (pipe(p) < 0) return 2;
	buffer_init(&w, p[1], ws, sizeof ws);
	check(buffer_puts(&w, "abc") == 0 && w.p == 3, "small put stays buffered");
	check(buffer_putnum(&w, 12345) == 0, "putnum");
	check(buffer_put(&w, "0123456789ABCDEF", 16) == 0, "put larger than the buffer");
	check(buffer_putsv(&w, "x", "y", NULL) == 0 && buffer_flush(&w) == 0 && w.p == 0, "putsv, flush");
	close(p[1]);
	buffer_init(&r, p[0], rs, sizeof rs);
	total = 0;
	while ((n = buffer_get(&r, got + total, sizeof got - total)) > 0) total += (size_t)n;
	check(n == 0 && total == 26 && !memcmp(got, "abc123450123456789ABCDEFxy", 26), "bytes arrive in order");
	check(buffer_feed(&r) == 0, "EOF stays EOF");
	close(p[0]);

	/* peek/skip */
	if (pipe(p) < 0) return 2;
	if (write(p[1], "hello", 5) != 5) return 2;
	buffer_init(&r, p[0], rs, sizeof rs);
	check(buffer_feed(&r) == 5 && buffer_held(&r) == 5 && !memcmp(buffer_peek(&r), "hello", 5), "feed, peek");
	buffer_skip(&r, 2);
	check(buffer_held(&r) == 3 && buffer_feed(&r) == 3, "skip; feed does not read while bytes are held");

	/* A read timeout fails with ETIMEDOUT. */
	buffer_init(&r, p[0], rs, sizeof rs);
	r.timeout = 1;
	errno = 0;
	n = buffer_feed(&r);
	check(n == -1 && errno == ETIMEDOUT, "read timeout is ETIMEDOUT");
	close(p[0]);

	/* Writing to a pipe without reader fails (EPIPE, SIGPIPE ignored). */
	signal(SIGPIPE, SIG_IGN);
	buffer_init(&w, p[1], ws, sizeof ws);
	check(buffer_puts(&w, "x") == 0 && buffer_flush(&w) == -1 && errno == EPIPE, "write error reported");
	close(p[1]);

	check(io_write_all(-1, "x", 1) == -1 && errno == EBADF, "io_write_all bad fd");
	check(io_fsync_dir(".") == 0, "io_fsync_dir");
	check(io_fsync_dir("/nonexistent/dir") == -1, "io_fsync_dir missing");
	return failed;
}
