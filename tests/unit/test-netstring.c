/* Unit test of src/lib/netstring.c: the strict parser in memory and on a
   stream (any split, enclosing lengths), and the encoder. */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "netstring.h"
#include "check.h"

static enum netstring_status parse(const char *s, unsigned long long max, str *out)
{
	const char *p;
	size_t n, used;
	enum netstring_status r = netstring_parse(s, strlen(s), max, &p, &n, &used);
	if (r == NETSTRING_OK) {
		str_copyb(out, p, n);
		if (used != strlen(s)) return NETSTRING_MORE + 100;   /* trailing bytes */
	}
	return r;
}

/* A buffer reading s through a memory file, refilled step bytes at a time. */
static int stream(const char *s, size_t len, buffer *b, char *space, size_t step)
{
	int fd = memfd_create("t", 0);
	if (fd < 0 || write(fd, s, len) != (ssize_t)len) return -1;
	lseek(fd, 0, SEEK_SET);
	buffer_init(b, fd, space, step);
	return fd;
}

static void test_memory(void)
{
	str out = STR_INIT;
	check(parse("12:hello world!,", 100, &out) == NETSTRING_OK && out.len == 12 &&
	      !memcmp(out.s, "hello world!", 12), "hello world");
	check(parse("0:,", 100, &out) == NETSTRING_OK && out.len == 0, "empty string");
	check(parse("01:a,", 100, &out) == NETSTRING_SYNTAX, "leading zero refused");
	check(parse("00:,", 100, &out) == NETSTRING_SYNTAX, "two zeros refused");
	check(parse(":a,", 100, &out) == NETSTRING_SYNTAX, "no digits refused");
	check(parse("3:abc;", 100, &out) == NETSTRING_SYNTAX, "missing comma refused");
	check(parse("3:ab", 100, &out) == NETSTRING_MORE, "short input is MORE");
	check(parse("3", 100, &out) == NETSTRING_MORE, "only digits is MORE");
	check(parse("", 100, &out) == NETSTRING_MORE, "nothing is MORE");
	check(parse("2:abc,", 100, &out) == NETSTRING_SYNTAX, "wrong length: no comma where due");
	check(parse("4:abc,", 100, &out) == NETSTRING_MORE, "wrong length: too long waits for more");
	check(parse(" 3:abc,", 100, &out) == NETSTRING_SYNTAX, "space refused");
	check(parse("+3:abc,", 100, &out) == NETSTRING_SYNTAX, "sign refused");
	check(parse("3:abc,", 2, &out) == NETSTRING_TOOBIG, "over the ceiling");
	check(parse("3:abc,", 3, &out) == NETSTRING_OK, "at the ceiling");
	check(parse("12345678901234567890:", (unsigned long long)-1, &out) == NETSTRING_TOOBIG,
	      "20 digits refused even without a ceiling");
	check(parse("99999999999:", 1000, &out) == NETSTRING_TOOBIG, "refused at the first digit too many");
	check(parse("3:a\0c,", 100, &out) == NETSTRING_MORE, "NUL is payload (strlen cut it here)");
	str_free(&out);
}

static void test_len_byte(void)
{
	struct netstring_len p;
	const char *s = "1073741825";
	size_t i;
	enum netstring_status r = NETSTRING_MORE;
	netstring_len_init(&p);
	for (i = 0; s[i] && r == NETSTRING_MORE; i++) r = netstring_len_byte(&p, (unsigned char)s[i], 1073741824);
	check(r == NETSTRING_TOOBIG && i == 10, "ceiling checked on the last digit");
	netstring_len_init(&p);
	check(netstring_len_byte(&p, ':', 10) == NETSTRING_SYNTAX, "':' first is SYNTAX");
}

static void test_stream(void)
{
	const char *s = "5:hello,11:5:a@b.c,0:,,3:xyz,";
	size_t step;
	int all = 1;
	for (step = 1; step <= 40; step++) {
		char space[64];
		buffer b;
		struct netstring_in in = { &b, NETSTRING_UNBOUNDED, NULL }, inner;
		str a = STR_INIT;
		unsigned long long len;
		int fd = stream(s, strlen(s), &b, space, step), ok = fd >= 0;
		ok = ok && netstring_read(&in, 100, &a) == NETSTRING_OK && a.len == 5 && !memcmp(a.s, "hello", 5);
		ok = ok && netstring_read_len(&in, 100, &len) == NETSTRING_OK && len == 11;
		inner = in;
		inner.left = len;
		ok = ok && netstring_read(&inner, 100, &a) == NETSTRING_OK && a.len == 5;
		ok = ok && netstring_read(&inner, 100, &a) == NETSTRING_OK && a.len == 0 && inner.left == 0;
		ok = ok && netstring_read(&inner, 100, &a) == NETSTRING_SYNTAX;   /* past the enclosure */
		ok = ok && netstring_read_comma(&in) == NETSTRING_OK;
		ok = ok && netstring_read_len(&in, 100, &len) == NETSTRING_OK && len == 3;
		ok = ok && netstring_skip(&in, 3) == NETSTRING_OK && netstring_read_comma(&in) == NETSTRING_OK;
		ok = ok && netstring_read(&in, 100, &a) == NETSTRING_EOF;
		all &= ok;
		str_free(&a);
		if (fd >= 0) close(fd);
	}
	check(all, "stream reading at every buffer size");
}

static void test_enclosure(void)
{
	char space[64];
	buffer b;
	struct netstring_in in = { &b, 6, NULL };
	unsigned long long len;
	str x = STR_INIT;
	int fd = stream("5:abcd,", 7, &b, space, sizeof space);
	check(netstring_read_len(&in, 100, &len) == NETSTRING_SYNTAX, "inner longer than the enclosure");
	close(fd);
	fd = stream("3:xyz,", 6, &b, space, sizeof space);
	in.left = NETSTRING_UNBOUNDED;
	check(netstring_read(&in, 2, &x) == NETSTRING_TOOBIG && x.len == 0, "stream: over the ceiling, nothing read");
	close(fd);
	fd = stream("9", 1, &b, space, sizeof space);
	in.left = NETSTRING_UNBOUNDED;
	check(netstring_read_len(&in, 100, &len) == NETSTRING_EOF, "EOF inside the length");
	close(fd);
	str_free(&x);
}

static void test_encode(void)
{
	str x = STR_INIT;
	check(netstring_cat(&x, "abc", 3) == 0 && x.len == 6 && !memcmp(x.s, "3:abc,", 6), "encode");
	x.len = 0;
	check(netstring_cat(&x, "", 0) == 0 && x.len == 3 && !memcmp(x.s, "0:,", 3), "encode empty");
	check(netstring_size(3) == 6 && netstring_size(0) == 3 && netstring_size(1000) == 1006, "size");
	x.len = 0;
	check(netstring_cat_len(&x, 1234567) == 0 && x.len == 8 && !memcmp(x.s, "1234567:", 8), "length prefix");
	str_free(&x);
}

int main(void)
{
	test_memory();
	test_len_byte();
	test_stream();
	test_enclosure();
	test_encode();
	return failed;
}
