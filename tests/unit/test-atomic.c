/* Unit test of src/lib/atomic.c: content, mode, no temporary file left. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TAP-ish output; stdio is fine here: the input is our own. */
#define B(lit) lit, sizeof(lit) - 1
#include "atomic.h"
#include "check.h"

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	if (!d) return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
	closedir(d);
	return n;
}

static int content_is(const char *path, const char *want)
{
	char buf[256];
	int fd = open(path, O_RDONLY);
	ssize_t r;
	if (fd < 0) return 0;
	r = read(fd, buf, sizeof buf);
	close(fd);
	return r == (ssize_t)strlen(want) && !memcmp(buf, want, (size_t)r);
}

int main(void)
{
	char dir[] = "/tmp/test-atomic.XXXXXX";
	char path[64], sub[80];
	struct stat st;
	if (!mkdtemp(dir)) return 2;
	umask(022);
	snprintf(path, sizeof path, "%s/f", dir);
	check(atomic_write(path, "one", 3, 0640) == 0 && content_is(path, "one"), "write");
	check(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640, "mode");
	check(atomic_write(path, "second", 6, 0600) == 0 && content_is(path, "second"), "replace");
	check(entries(dir) == 1, "no temporary file left");
	check(atomic_write_nodirsync(path, "", 0, 0600) == 0 && content_is(path, ""), "nodirsync, empty");
	check(entries(dir) == 1, "still one file");
	snprintf(sub, sizeof sub, "%s/nodir/f", dir);
	check(atomic_write(sub, "x", 1, 0600) == -1 && errno == ENOENT, "missing directory fails");
	snprintf(sub, sizeof sub, "%s/d", dir);
	if (mkdir(sub, 0755) < 0) return 2;
	check(atomic_write(sub, "x", 1, 0600) == -1, "rename over a directory fails");
	check(entries(dir) == 2, "failed write leaves no temporary file");
	check(atomic_write("test-atomic-rel", "rel", 3, 0600) == 0 && content_is("test-atomic-rel", "rel"), "relative path (dir .)");
	unlink("test-atomic-rel");
	rmdir(sub);
	unlink(path);
	rmdir(dir);
	return failed;
}
