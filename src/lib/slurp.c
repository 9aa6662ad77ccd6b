#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "io.h"
#include "slurp.h"

int slurp_fd(int fd, str *out, size_t max)
{
	char chunk[4096];
	out->len = 0;
	for (;;) {
		ssize_t r = io_read(fd, chunk, sizeof chunk);
		if (r < 0) return -1;
		if (r == 0) return 0;
		if ((size_t)r > max - out->len) { errno = EFBIG; return -1; }
		if (str_catb(out, chunk, (size_t)r) < 0) return -1;
	}
}

int slurp_path(const char *path, str *out, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;
	out->len = 0;
	if (fd < 0) return errno == ENOENT ? 0 : -1;
	if (slurp_fd(fd, out, max) < 0) { e = errno; close(fd); errno = e; return -1; }
	close(fd);
	return 1;
}
