/* Unit test of src/lib/safedir.c: walking and making directories below a
   descriptor without following links, refusing "..". */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "safedir.h"
#include "check.h"

static int walk(int base, const char *rel, int create, int *created)
{
	int fd = safedir_open(base, rel, strlen(rel), create, created);
	int e = errno;
	if (fd >= 0) close(fd);
	errno = e;
	return fd >= 0 ? 0 : -1;
}

int main(void)
{
	char dir[] = "/tmp/test-safedir.XXXXXX", p[256];
	struct stat st;
	int base, created = 0;
	umask(022);
	if (!mkdtemp(dir)) { check(0, "mkdtemp"); return 1; }
	base = open(dir, O_RDONLY | O_DIRECTORY);
	check(walk(base, "a/b", 0, NULL) < 0 && errno == ENOENT, "missing without create: ENOENT");
	check(walk(base, "./a//b/c/", 1, &created) == 0 && created, "made a/b/c");
	snprintf(p, sizeof p, "%s/a/b/c", dir);
	check(stat(p, &st) == 0 && (st.st_mode & 0777) == 0700, "mode 0700");
	created = 0;
	check(walk(base, "a/b/c", 1, &created) == 0 && !created, "existing: nothing made");
	check(walk(base, "", 0, NULL) == 0 && walk(base, ".", 0, NULL) == 0, "empty and . are the base");
	check(walk(base, "a/../a", 1, NULL) < 0 && errno == EXDEV, "..: EXDEV");
	snprintf(p, sizeof p, "%s/link", dir);
	check(symlink("/tmp", p) == 0 && walk(base, "link/x", 1, NULL) < 0 && errno == ELOOP, "a link: ELOOP");
	check(walk(base, "link", 0, NULL) < 0 && errno == ELOOP, "a link as the last component: ELOOP");
	snprintf(p, sizeof p, "%s/dangling", dir);
	check(symlink("/nonexistent-tern-test", p) == 0 && walk(base, "dangling/Maildir", 1, NULL) < 0 &&
	      errno == ELOOP, "a dangling link: ELOOP, nothing made");
	check(access("/nonexistent-tern-test", F_OK) < 0, "the link's target was not made");
	snprintf(p, sizeof p, "%s/file", dir);
	close(open(p, O_WRONLY | O_CREAT, 0600));
	check(walk(base, "file/x", 1, NULL) < 0 && errno == ENOTDIR, "a file on the way: ENOTDIR");
	check(safedir_make(base, "file") < 0 && errno == ENOTDIR, "safedir_make on a file: ENOTDIR");
	check(safedir_make(base, "link") < 0 && errno == ELOOP, "safedir_make on a link: ELOOP");
	check(safedir_make(base, "a") == 1, "safedir_make on a directory: there already");
	{
		char longname[300];
		memset(longname, 'x', sizeof longname - 1);
		longname[sizeof longname - 1] = 0;
		check(walk(base, longname, 1, NULL) < 0 && errno == ENAMETOOLONG, "a component over 255 bytes");
	}
	close(base);
	if (fork() == 0) execl("/bin/rm", "rm", "-rf", dir, (char *)0);
	return failed;
}
