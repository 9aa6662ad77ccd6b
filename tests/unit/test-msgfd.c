/* Unit test of src/lib/msgfd.c: the sealed copy holds head + exactly the
   message bytes and cannot be changed; the length comes from the trailer. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "msgfd.h"
#include "queue.h"
#include "check.h"

int main(void)
{
	char f[] = "/tmp/test-msgfd.XXXXXX", t[QUEUE_TRAILER_LEN], buf[64];
	unsigned long long len = 0;
	int fd = mkstemp(f), m;
	ssize_t n;
	queue_trailer_make(t, 6);
	if (fd < 0 || write(fd, "hello\nFx\0Tsecret\0\0", 18) != 18 || write(fd, t, sizeof t) != (ssize_t)sizeof t) {
		check(0, "queue file");
		return 1;
	}
	unlink(f);
	check(msgfd_queue_length(fd, &len) == 0 && len == 6, "length from the trailer");
	m = msgfd_make("H: 1\n", 5, fd, len);
	check(m >= 0, "made");
	n = read(m, buf, sizeof buf);
	check(n == 11 && !memcmp(buf, "H: 1\nhello\n", 11), "head and exactly the message, from offset 0");
	check(write(m, "x", 1) < 0 && errno == EPERM, "sealed against writes");
	check(ftruncate(m, 0) < 0 && errno == EPERM, "sealed against shrinking");
	check(fcntl(m, F_ADD_SEALS, 0) < 0 && errno == EPERM, "seals are final");
	close(m);
	check(ftruncate(fd, 10) == 0 && msgfd_queue_length(fd, &len) < 0 && errno == EINVAL, "short file: EINVAL");
	close(fd);
	return failed;
}
