#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "safedir.h"

#define NAME_MAX_BYTES 255

/* Why openat(O_NOFOLLOW | O_DIRECTORY) refused name: it answers ENOTDIR
   for a symbolic link too, so look at what is there. */
static int why_not_dir(int dirfd, const char *name, int e)
{
	struct stat st;
	if (e == ENOTDIR && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		e = ELOOP;
	return e;
}

int safedir_make(int dirfd, const char *name)
{
	struct stat st;
	if (mkdirat(dirfd, name, 0700) == 0) return 0;
	if (errno != EEXIST) return -1;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return -1;
	if (S_ISDIR(st.st_mode)) return 1;
	errno = S_ISLNK(st.st_mode) ? ELOOP : ENOTDIR;
	return -1;
}

/* Opens one component below fd, making it first when asked. */
static int step(int fd, const char *name, int create, int *created)
{
	int next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int r;
	if (next >= 0 || errno != ENOENT || !create) {
		if (next < 0) errno = why_not_dir(fd, name, errno);
		return next;
	}
	r = safedir_make(fd, name);
	if (r < 0) return -1;
	if (r == 0) {
		if (fsync(fd) < 0) return -1;
		if (created) *created = 1;
	}
	next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (next < 0) errno = why_not_dir(fd, name, errno);
	return next;
}

int safedir_open(int dirfd, const char *rel, size_t len, int create, int *created)
{
	char name[NAME_MAX_BYTES + 1];
	size_t i = 0;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	while (fd >= 0 && i < len) {
		const char *slash = memchr(rel + i, '/', len - i);
		size_t end = slash ? (size_t)(slash - rel) : len, n = end - i;
		int next, e;
		if (n == 0 || (n == 1 && rel[i] == '.')) { i = end + 1; continue; }
		if (n == 2 && rel[i] == '.' && rel[i + 1] == '.') { close(fd); errno = EXDEV; return -1; }
		if (n > NAME_MAX_BYTES || memchr(rel + i, 0, n)) {
			close(fd);
			errno = n > NAME_MAX_BYTES ? ENAMETOOLONG : EINVAL;
			return -1;
		}
		memcpy(name, rel + i, n);
		name[n] = 0;
		next = step(fd, name, create, created);
		e = errno;
		close(fd);
		errno = e;
		fd = next;
		i = end + 1;
	}
	return fd;
}
