/* Unit test of src/lib/maildir.c: delivery into new/ with exactly the
   message bytes, and making tmp/new/cur without following a link. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "maildir.h"
#include "str.h"
#include "check.h"

static int empty_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int empty = 1;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.') empty = 0;
	if (d) closedir(d);
	return d != NULL && empty;
}

static void test_deliver(const char *dir)
{
	str name = STR_INIT;
	char path[256], buf[64];
	int fd, r;
	ssize_t got;
	snprintf(path, sizeof path, "%s/msg", dir);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	if (fd < 0 || write(fd, "hello\nENVELOPE", 14) != 14) { check(0, "message file"); return; }
	snprintf(path, sizeof path, "%s/Maildir/", dir);
	r = maildir_deliver(path, "H: 1\n", 5, fd, 6, &name);
	check(r < 0 && errno == ENOENT, "no Maildir: ENOENT");
	mkdir(path, 0700);
	{
		int d = open(path, O_RDONLY | O_DIRECTORY);
		check(maildir_make_at(d) == 0, "maildir_make_at");
		check(maildir_make_at(d) == 0, "maildir_make_at again: nothing to do");
		close(d);
	}
	r = maildir_deliver(path, "H: 1\n", 5, fd, 6, &name);
	check(r == 0 && str_0(&name) == 0 && strstr(name.s, "/new/") != NULL, "delivered into new/");
	close(fd);
	fd = r == 0 ? open(name.s, O_RDONLY) : -1;
	got = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
	check(got == 11 && memcmp(buf, "H: 1\nhello\n", 11) == 0, "head then exactly msglen bytes");
	if (fd >= 0) close(fd);
	snprintf(path, sizeof path, "%s/Maildir/tmp", dir);
	check(empty_dir(path), "tmp/ is empty afterwards");
	str_free(&name);
}

static void test_make_links(const char *dir)
{
	char path[256], target[256];
	struct stat st;
	int d;
	snprintf(path, sizeof path, "%s/M2", dir);
	mkdir(path, 0700);
	snprintf(target, sizeof target, "%s/elsewhere", dir);
	mkdir(target, 0700);
	snprintf(path, sizeof path, "%s/M2/tmp", dir);
	if (symlink(target, path) < 0) { check(0, "symlink"); return; }
	snprintf(path, sizeof path, "%s/M2", dir);
	d = open(path, O_RDONLY | O_DIRECTORY);
	check(maildir_make_at(d) < 0 && errno == ELOOP, "tmp is a link: ELOOP");
	check(empty_dir(target), "nothing made through the link");
	close(d);
	snprintf(path, sizeof path, "%s/M2/new", dir);
	check(lstat(path, &st) < 0 && errno == ENOENT, "stops at the link: new/ not made");
}

int main(void)
{
	char dir[] = "/tmp/test-maildir.XXXXXX";
	umask(077);
	if (!mkdtemp(dir)) { check(0, "mkdtemp"); return 1; }
	test_deliver(dir);
	test_make_links(dir);
	if (fork() == 0) execl("/bin/rm", "rm", "-rf", dir, (char *)0);
	return failed;
}
