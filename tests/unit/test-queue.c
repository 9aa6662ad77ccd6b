/* Unit test of src/lib/queue.c: trailer, paths, envelope_parse rules,
   queue_file_read_envelope. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TAP-ish output; stdio is fine here: the input is our own. */
#define B(lit) lit, sizeof(lit) - 1
#include "auto.h"
#include "queue.h"
#include "check.h"

static int parse(const char *buf, size_t len)
{
	struct envelope e;
	int r = envelope_parse(buf, len, &e);
	if (r == 0) envelope_free(&e);
	return r;
}

static void bad(const char *buf, size_t len, const char *what)
{
	check(parse(buf, len) == ENVELOPE_BAD, what);
}

static void test_trailer(void)
{
	char t[QUEUE_TRAILER_LEN], u[QUEUE_TRAILER_LEN];
	unsigned long long m = 1;
	unsigned long long vals[] = { 0, 1, 12345, 18446744073709551615ULL };
	size_t i;
	for (i = 0; i < 4; i++) {
		queue_trailer_make(t, vals[i]);
		check(queue_trailer_parse(t, &m) == 1 && m == vals[i], "trailer round trip");
	}
	queue_trailer_make(t, 94);
	check(!memcmp(t, "TERNQ1 00000000000000000094 END\n", 32), "trailer bytes");
	memcpy(u, t, 32); u[0] = 'X';
	check(!queue_trailer_parse(u, &m), "bad magic");
	memcpy(u, t, 32); u[31] = ' ';
	check(!queue_trailer_parse(u, &m), "bad end");
	memcpy(u, t, 32); u[10] = 'a';
	check(!queue_trailer_parse(u, &m), "non-digit");
	memcpy(u, t, 32); memcpy(u + 7, "99999999999999999999", 20);
	check(!queue_trailer_parse(u, &m), "overflowing length");
}

static void test_path(void)
{
	str p = STR_INIT;
	char want[64];
	check(queue_path(&p, "mess", 100) == 0, "queue_path");
	snprintf(want, sizeof want, "mess/%u/100", 100 % auto_split);
	check(!strcmp(p.s, want) && p.len == strlen(want), "queue_path text");
	check(queue_path(&p, "todo", 0) == 0 && !strcmp(p.s, "todo/0/0"), "id 0");
	str_free(&p);
}

static void test_good(void)
{
	struct envelope e;
	static const char full[] = "Fa@b\0Eid+2B\0RHDRS\0Tc@d\0NSUCCESS,FAILURE\0Orfc822;c@d\0Te@f\0Of\0Ng\0\0";
	check(envelope_parse(B("Fa@b\0Tc@d\0\0"), &e) == 0 && e.nrcpt == 1 && e.sender_len == 3 &&
	      !memcmp(e.sender, "a@b", 3) && e.rcpt[0].len == 3 && !e.envid && !e.ret &&
	      !e.rcpt[0].notify && !e.rcpt[0].orcpt, "plain envelope");
	envelope_free(&e);
	check(envelope_parse(B("F\0Tc@d\0\0"), &e) == 0 && e.sender_len == 0, "null sender");
	envelope_free(&e);
	check(envelope_parse(full, sizeof full - 1, &e) == 0 && e.nrcpt == 2, "all records");
	check(e.envid && !strcmp(e.envid, "id+2B") && e.ret && !strcmp(e.ret, "HDRS"), "E and R");
	check(e.rcpt[0].notify && !strcmp(e.rcpt[0].notify, "SUCCESS,FAILURE") &&
	      e.rcpt[0].orcpt && !strcmp(e.rcpt[0].orcpt, "rfc822;c@d"), "N and O");
	check(e.rcpt[1].orcpt && !strcmp(e.rcpt[1].orcpt, "f") && e.rcpt[1].notify &&
	      !strcmp(e.rcpt[1].notify, "g"), "O before N");
	envelope_free(&e);
	check(e.rcpt == NULL && e.nrcpt == 0, "free");
	check(parse(B("Fa\0T\0\0")) == 0, "empty recipient is accepted by the parser");
	check(parse(B("Fa\0RFULL\0EX\0Tb\0\0")) == 0, "R before E");
	check(parse(B("Fa\0Tb\0Tb\0Tb\0\0")) == 0, "repeated recipients");
	check(parse(B("F\xc3\xa9@x\0T\xe2\x82\xac@y\0\0")) == 0, "UTF-8 (SMTPUTF8)");
}

static void test_bad(void)
{
	bad("", 0, "empty");
	bad(B("\0"), "only the end");
	bad(B("F\0\0"), "no recipient");
	bad(B("Fa\0Tb\0"), "missing final NUL");
	bad(B("Fa\0Tb"), "unterminated record");
	bad(B("Ta\0Fb\0\0"), "T first");
	bad(B("Fa\0Fb\0Tc\0\0"), "F twice");
	bad(B("Fa\0Tb\0Fc\0\0"), "F after T");
	bad(B("Fa\0Tb\0Ex\0\0"), "E after T");
	bad(B("Fa\0Tb\0RFULL\0\0"), "R after T");
	bad(B("Fa\0Ex\0Ey\0Tb\0\0"), "E twice");
	bad(B("Fa\0RFULL\0RHDRS\0Tb\0\0"), "R twice");
	bad(B("Fa\0Nx\0Tb\0\0"), "N before any T");
	bad(B("Fa\0Ox\0Tb\0\0"), "O before any T");
	bad(B("Fa\0Tb\0Nx\0Ny\0\0"), "N twice for one recipient");
	bad(B("Fa\0Tb\0Ox\0Oy\0\0"), "O twice for one recipient");
	bad(B("Fa\0Tb\0Xz\0\0"), "unknown record");
	bad(B("Fa\0Tb\0\0\0"), "bytes after the end");
	bad(B("Fa\0Tb\0\0Tc\0\0"), "records after the end");
	bad(B("Fa\rb\0Tc\0\0"), "CR in sender");
	bad(B("Fa\0Tb\nc\0\0"), "LF in recipient");
	bad(B("Fa\0Tb\x7f\0\0"), "DEL in recipient");
	bad(B("Fa\0E\x01\0Tb\0\0"), "control in E");
	bad(B("Fa\0Tb\0N\t\0\0"), "TAB in N");
	bad(B("fa\0Tb\0\0"), "lower-case letter");
}

static void test_limits(void)
{
	str x = STR_INIT;
	size_t i;
	/* A 1000-byte address is fine, 1001 is too long. */
	str_copys(&x, "F");
	for (i = 0; i < ENVELOPE_ADDR_MAX; i++) str_catc(&x, 'a');
	str_catb(&x, "\0Tb\0\0", 5);
	check(parse(x.s, x.len) == 0, "sender of ENVELOPE_ADDR_MAX bytes ok");
	str_copys(&x, "F");
	for (i = 0; i <= ENVELOPE_ADDR_MAX; i++) str_catc(&x, 'a');
	str_catb(&x, "\0Tb\0\0", 5);
	check(parse(x.s, x.len) == ENVELOPE_TOO_LONG, "sender one byte too long");
	str_copyb(&x, "Fa\0T", 4);
	for (i = 0; i <= ENVELOPE_ADDR_MAX; i++) str_catc(&x, 'b');
	str_catb(&x, "\0\0", 2);
	check(parse(x.s, x.len) == ENVELOPE_TOO_LONG, "recipient one byte too long");
	str_copyb(&x, "Fa\0E", 4);
	for (i = 0; i <= ENVELOPE_PARAM_MAX; i++) str_catc(&x, 'e');
	str_catb(&x, "\0Tb\0\0", 5);
	check(parse(x.s, x.len) == ENVELOPE_BAD, "ENVID too long is a format error");
	str_copyb(&x, "Fa\0Tb\0N", 7);
	for (i = 0; i <= ENVELOPE_PARAM_MAX; i++) str_catc(&x, 'n');
	str_catb(&x, "\0\0", 2);
	check(parse(x.s, x.len) == ENVELOPE_BAD, "NOTIFY too long is a format error");
	/* Recipient count: ENVELOPE_RCPT_MAX ok, one more refused. */
	str_copyb(&x, "Fa\0", 3);
	for (i = 0; i < ENVELOPE_RCPT_MAX; i++) str_catb(&x, "Tr\0", 3);
	str_catc(&x, 0);
	check(parse(x.s, x.len) == 0, "ENVELOPE_RCPT_MAX recipients ok");
	x.len--;
	str_catb(&x, "Tr\0\0", 4);
	check(parse(x.s, x.len) == ENVELOPE_BAD, "one recipient more is refused");
	str_free(&x);
}

static void test_file(void)
{
	char path[] = "/tmp/test-queue.XXXXXX";
	char t[QUEUE_TRAILER_LEN];
	str raw = STR_INIT;
	unsigned long long m = 0;
	int fd = mkstemp(path);
	if (fd < 0) exit(2);
	unlink(path);
	check(queue_file_read_envelope(fd, &m, &raw) == ENVELOPE_BAD, "empty file is not a queue file");
	queue_trailer_make(t, 5);
	if (write(fd, "hello", 5) != 5 || write(fd, "Fa\0Tb\0\0", 7) != 7 || write(fd, t, 32) != 32) exit(2);
	check(queue_file_read_envelope(fd, &m, &raw) == 0 && m == 5 && raw.len == 7 &&
	      !memcmp(raw.s, "Fa\0Tb\0\0", 7), "read envelope");
	if (ftruncate(fd, 40) < 0) exit(2);
	check(queue_file_read_envelope(fd, &m, &raw) == ENVELOPE_BAD, "truncated file");
	if (ftruncate(fd, 0) < 0 || pwrite(fd, "Fa\0Tb\0\0", 7, 0) != 7) exit(2);
	queue_trailer_make(t, 100);
	if (pwrite(fd, t, 32, 7) != 32) exit(2);
	check(queue_file_read_envelope(fd, &m, &raw) == ENVELOPE_BAD, "length past the file");
	close(fd);
	check(queue_file_read_envelope(fd, &m, &raw) == -1, "closed fd is an I/O error");
	str_free(&raw);
}

int main(void)
{
	test_trailer();
	test_path();
	test_good();
	test_bad();
	test_limits();
	test_file();
	return failed;
}
