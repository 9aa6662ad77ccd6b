#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>
#include "io.h"
#include "maildir.h"
#include "msgfd.h"
#include "queue.h"

/* Bytes [0, len) of in, appended to out. */
static int copy(int out, int in, unsigned long long len)
{
	off_t off = 0;
	while ((unsigned long long)off < len) {
		unsigned long long left = len - (unsigned long long)off;
		ssize_t r = sendfile(out, in, &off, left > (1U << 30) ? (size_t)1 << 30 : (size_t)left);
		if (r < 0 && errno == EINTR) continue;
		if (r < 0 && off == 0 && (errno == EINVAL || errno == ENOSYS)) return maildir_copy(out, in, len);
		if (r < 0) return -1;
		if (r == 0) { errno = EIO; return -1; }
	}
	return 0;
}

int msgfd_make(const char *head, size_t headlen, int fd, unsigned long long len)
{
	int e, m = memfd_create("message", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (m < 0) return -1;
	if (io_write_all(m, head, headlen) == 0 && copy(m, fd, len) == 0 && lseek(m, 0, SEEK_SET) == 0 &&
	    fcntl(m, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) == 0)
		return m;
	e = errno;
	close(m);
	errno = e;
	return -1;
}

int msgfd_queue_length(int fd, unsigned long long *len)
{
	struct stat st;
	char t[QUEUE_TRAILER_LEN];
	ssize_t r;
	if (fstat(fd, &st) < 0) return -1;
	if (st.st_size < QUEUE_TRAILER_LEN) { errno = EINVAL; return -1; }
	do r = pread(fd, t, sizeof t, st.st_size - QUEUE_TRAILER_LEN); while (r < 0 && errno == EINTR);
	if (r < 0) return -1;
	if (r != (ssize_t)sizeof t || !queue_trailer_parse(t, len) ||
	    *len > (unsigned long long)st.st_size - QUEUE_TRAILER_LEN) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}
