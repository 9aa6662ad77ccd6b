/* Unit test of src/lib/slurp.c: whole files, missing files, the ceiling. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "slurp.h"
#include "check.h"

int main(void)
{
	char dir[] = "/tmp/tern-slurp-XXXXXX", path[64];
	str x = STR_INIT;
	int fd;
	size_t i;
	if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
	snprintf(path, sizeof path, "%s/f", dir);
	check(slurp_path(path, &x, 100) == 0 && x.len == 0, "missing file: 0, empty");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	for (i = 0; i < 3000; i++)
		if (write(fd, "0123456789", 10) != 10) return 1;
	close(fd);
	check(slurp_path(path, &x, 30000) == 1 && x.len == 30000 && !memcmp(x.s + 29990, "0123456789", 10),
	      "exactly at the ceiling: read whole");
	errno = 0;
	check(slurp_path(path, &x, 29999) == -1 && errno == EFBIG, "one over the ceiling: EFBIG");
	fd = open(path, O_RDONLY);
	check(slurp_fd(fd, &x, 1 << 20) == 0 && x.len == 30000, "slurp_fd");
	check(slurp_fd(fd, &x, 1 << 20) == 0 && x.len == 0, "slurp_fd at end: empty");
	close(fd);
	errno = 0;
	check(slurp_path(dir, &x, 100) == -1 && errno == EISDIR, "a directory: error");
	unlink(path);
	rmdir(dir);
	str_free(&x);
	return failed;
}
