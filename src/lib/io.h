#ifndef TERN_IO_H
#define TERN_IO_H
#include <sys/types.h>
#include <stddef.h>

/* Raw fd I/O that retries after EINTR. Return -1 with errno on error. */
ssize_t io_read(int fd, void *buf, size_t len);
/* Writes all len bytes or fails. Returns 0 or -1. */
int io_write_all(int fd, const void *buf, size_t len);
/* Like io_write_all, but with timeout > 0 (seconds) each write first waits
   at most that long for the fd to take data (errno ETIMEDOUT after), and
   EAGAIN retries, so it works on non-blocking fds. 0 or -1. */
int io_write_all_timeout(int fd, const void *buf, size_t len, int timeout);
/* Waits until fd is readable (events=POLLIN) or writable (POLLOUT).
   timeout_ms < 0 waits forever. 1 ready, 0 timed out (errno=ETIMEDOUT), -1 error. */
int io_wait(int fd, short events, int timeout_ms);
/* Sets or clears O_NONBLOCK. 0 or -1. */
int io_nonblock(int fd, int on);
/* Sets FD_CLOEXEC. 0 or -1. */
int io_cloexec(int fd);
/* fsync a directory by path. 0 or -1. */
int io_fsync_dir(const char *path);
#endif
