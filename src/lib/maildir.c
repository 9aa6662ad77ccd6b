#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include "io.h"
#include "maildir.h"
#include "safedir.h"

int maildir_copy(int out, int fd, unsigned long long len)
{
	char buf[65536];
	unsigned long long off = 0;
	while (off < len) {
		size_t want = len - off < sizeof buf ? (size_t)(len - off) : sizeof buf;
		ssize_t r = pread(fd, buf, want, (off_t)off);
		if (r < 0) { if (errno == EINTR) continue; return -1; }
		if (r == 0) { errno = EIO; return -1; }
		if (io_write_all(out, buf, (size_t)r) < 0) return -1;
		off += (unsigned long long)r;
	}
	return 0;
}

/* The host part of a unique name: '/' and ':' would break the name or
   the Maildir++ info separator, so they are escaped as \057 and \072. */
static int cat_host(str *x)
{
	char host[256];
	size_t i;
	if (gethostname(host, sizeof host - 1) < 0) return str_cats(x, "localhost");
	host[sizeof host - 1] = 0;
	for (i = 0; host[i]; i++) {
		int r;
		if (host[i] == '/') r = str_cats(x, "\\057");
		else if (host[i] == ':') r = str_cats(x, "\\072");
		else r = str_catc(x, host[i]);
		if (r < 0) return -1;
	}
	return 0;
}

static int unique(str *base)
{
	static unsigned long long counter;
	struct timeval tv;
	gettimeofday(&tv, NULL);
	base->len = 0;
	if (str_catnum(base, (unsigned long long)tv.tv_sec) < 0 || str_cats(base, ".M") < 0 ||
	    str_catnum(base, (unsigned long long)tv.tv_usec) < 0 || str_catc(base, 'P') < 0 ||
	    str_catnum(base, (unsigned long long)getpid()) < 0 || str_catc(base, 'Q') < 0 ||
	    str_catnum(base, ++counter) < 0 || str_catc(base, '.') < 0 || cat_host(base) < 0)
		return -1;
	return 0;
}

static int path_in(str *out, const char *dir, const char *sub, const str *base)
{
	size_t dl = strlen(dir);
	while (dl > 1 && dir[dl - 1] == '/') dl--;
	out->len = 0;
	if (str_catb(out, dir, dl) < 0 || str_catc(out, '/') < 0 || str_cats(out, sub) < 0) return -1;
	if (base && (str_catc(out, '/') < 0 || str_cat(out, base) < 0)) return -1;
	return str_0(out);
}

static int write_tmp(const char *path, const char *head, size_t headlen, int msgfd,
                     unsigned long long msglen)
{
	int e, fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) return -1;
	if (io_write_all(fd, head, headlen) < 0 || maildir_copy(fd, msgfd, msglen) < 0 ||
	    fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) { fd = -1; goto fail; }
	return 0;
fail:
	e = errno;
	if (fd >= 0) close(fd);
	unlink(path);
	errno = e;
	return -1;
}

int maildir_deliver(const char *dir, const char *head, size_t headlen,
                    int msgfd, unsigned long long msglen, str *name)
{
	str base = STR_INIT, tmp = STR_INIT, new = STR_INIT;
	int e, r = -1;
	if (unique(&base) < 0 || path_in(&tmp, dir, "tmp", &base) < 0 ||
	    path_in(&new, dir, "new", &base) < 0)
		goto done;
	if (write_tmp(tmp.s, head, headlen, msgfd, msglen) < 0) goto done;
	if (link(tmp.s, new.s) < 0) { e = errno; unlink(tmp.s); errno = e; goto done; }
	unlink(tmp.s);
	if (path_in(&tmp, dir, "new", NULL) < 0 || io_fsync_dir(tmp.s) < 0) {
		e = errno; unlink(new.s); errno = e; goto done;
	}
	if (name && str_copy(name, &new) < 0) goto done;
	r = 0;
done:
	e = errno;
	str_free(&base);
	str_free(&tmp);
	str_free(&new);
	errno = e;
	return r;
}

int maildir_make_at(int dirfd)
{
	static const char *const sub[] = { "tmp", "new", "cur" };
	int i, made = 0;
	for (i = 0; i < 3; i++) {
		int r = safedir_make(dirfd, sub[i]);
		if (r < 0) return -1;
		if (r == 0) made = 1;
	}
	return made ? fsync(dirfd) : 0;
}
