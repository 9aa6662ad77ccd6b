#include <errno.h>
#include <fcntl.h>
#include <stdio.h> /* rename */
#include <string.h>
#include <unistd.h>
#include "atomic.h"
#include "fmt.h"
#include "io.h"
#include "str.h"

static int write_tmp_rename(const char *path, const char *data, size_t len, mode_t mode, int dirsync)
{
	str tmp = STR_INIT, dir = STR_INIT;
	const char *slash;
	int fd = -1, e;
	if (str_copys(&tmp, path) < 0 || str_cats(&tmp, ".tmp.") < 0 ||
	    str_catnum(&tmp, (unsigned long long)getpid()) < 0 || str_0(&tmp) < 0)
		goto fail;
	fd = open(tmp.s, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0) goto fail;
	if (io_write_all(fd, data, len) < 0 || fsync(fd) < 0) goto fail_unlink;
	if (close(fd) < 0) { fd = -1; goto fail_unlink; }
	fd = -1;
	if (rename(tmp.s, path) < 0) goto fail_unlink;
	if (dirsync) {
		slash = strrchr(path, '/');
		if (slash) {
			if (str_copyb(&dir, path, (size_t)(slash - path) + (slash == path)) < 0 || str_0(&dir) < 0)
				goto fail;
		} else if (str_copys(&dir, ".") < 0 || str_0(&dir) < 0) {
			goto fail;
		}
		if (io_fsync_dir(dir.s) < 0) goto fail;
	}
	str_free(&tmp);
	str_free(&dir);
	return 0;
fail_unlink:
	e = errno;
	if (fd >= 0) close(fd);
	unlink(tmp.s);
	errno = e;
fail:
	e = errno;
	str_free(&tmp);
	str_free(&dir);
	errno = e;
	return -1;
}

int atomic_write(const char *path, const char *data, size_t len, mode_t mode)
{
	return write_tmp_rename(path, data, len, mode, 1);
}

int atomic_write_nodirsync(const char *path, const char *data, size_t len, mode_t mode)
{
	return write_tmp_rename(path, data, len, mode, 0);
}
