/* libFuzzer harness for src/lib/netstring.c: the memory parser and the
   stream reader must agree on every input, an accepted netstring must
   re-encode to exactly the bytes it took, and a refused one must break
   a rule a plain reading of netstrings.txt can name (checked here with
   an independent, simple implementation). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "netstring.h"

#define MAX 5000

/* The reference: 1 accepted (sets *plen, *used), 0 refused, 2 incomplete. */
static int reference(const uint8_t *s, size_t len, size_t *plen, size_t *used)
{
	size_t i = 0;
	unsigned long long v = 0;
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		if (i == 1 && s[0] == '0') return 0;
		v = v * 10 + (s[i] - '0');
		if (v > MAX) return 0;
		i++;
	}
	if (i == len) return 2;
	if (i == 0 || s[i] != ':') return 0;
	i++;
	if (len - i <= v) return 2;
	if (s[i + v] != ',') return 0;
	*plen = (size_t)v;
	*used = i + (size_t)v + 1;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p;
	size_t plen, used, rplen = 0, rused = 0;
	enum netstring_status r = netstring_parse((const char *)data, size, MAX, &p, &plen, &used);
	int ref = reference(data, size, &rplen, &rused);
	if ((r == NETSTRING_OK) != (ref == 1)) abort();
	if ((r == NETSTRING_MORE) != (ref == 2)) abort();
	if (r == NETSTRING_OK) {
		str x = STR_INIT;
		if (plen != rplen || used != rused || p != (const char *)data + used - plen - 1) abort();
		if (netstring_cat(&x, p, plen) < 0 || x.len != used || memcmp(x.s, data, used)) abort();
		if (netstring_size(plen) != used) abort();
		str_free(&x);
	}
	{
		/* The stream reader, through a small buffer, agrees. */
		char space[7];
		buffer b;
		struct netstring_in in = { &b, NETSTRING_UNBOUNDED, NULL };
		str got = STR_INIT;
		enum netstring_status s;
		int fd = memfd_create("n", 0);
		if (fd < 0 || write(fd, data, size) != (ssize_t)size) abort();
		lseek(fd, 0, SEEK_SET);
		buffer_init(&b, fd, space, sizeof space);
		s = netstring_read(&in, MAX, &got);
		if ((s == NETSTRING_OK) != (r == NETSTRING_OK)) abort();
		if (r == NETSTRING_MORE && s != NETSTRING_EOF) abort();
		if ((r == NETSTRING_SYNTAX || r == NETSTRING_TOOBIG) && s != r) abort();
		if (s == NETSTRING_OK && (got.len != plen || memcmp(got.s, p, plen))) abort();
		str_free(&got);
		close(fd);
	}
	return 0;
}
