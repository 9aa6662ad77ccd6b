/* Unit test of src/lib/mbox.c: mboxrd quoting, including every split of
   the input into two chunks; the safe open and the creation of a file.
   Runs as root (make test): the owner check uses chown. */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "maildir.h"
#include "mbox.h"
#include "str.h"
#include "check.h"

static int put(void *ctx, const char *s, size_t len) { return str_catb(ctx, s, len); }

/* Quotes in (split at cut) and compares with want; ended_nl as expected. */
static int quoted(const char *in, size_t cut, const char *want, int want_nl)
{
	struct mbox_quote q;
	str out = STR_INIT;
	size_t len = strlen(in);
	int nl = -1, ok;
	memset(&q, 0, sizeof q);
	if (cut > len) cut = len;
	mbox_quote(&q, in, cut, put, &out);
	mbox_quote(&q, in + cut, len - cut, put, &out);
	mbox_quote_end(&q, put, &out, &nl);
	ok = out.len == strlen(want) && (out.len == 0 || memcmp(out.s, want, out.len) == 0) && nl == want_nl;
	str_free(&out);
	return ok;
}

static void test_quote(void)
{
	static const char in[] = "From a\n>From b\n>>From c\nFrom\n From d\nFro\n>x\n>\nFrom e";
	static const char want[] = ">From a\n>>From b\n>>>From c\nFrom\n From d\nFro\n>x\n>\n>From e";
	size_t cut;
	int all = 1;
	for (cut = 0; cut <= sizeof in - 1; cut++)
		if (!quoted(in, cut, want, 0)) all = 0;
	check(all, "mboxrd quoting at every chunk split");
	check(quoted("x\n", 1, "x\n", 1), "final newline seen");
	check(quoted("", 0, "", 0), "empty text has no final newline");
	check(quoted(">>>", 2, ">>>", 0), "held '>' flushed at the end");
	check(quoted("Fro", 2, "Fro", 0), "held 'Fro' flushed at the end");
}

/* mbox_open accepts only a regular file of ours with one link; mbox_create_at
   makes a missing one 0600 and refuses an existing name. */
static void test_open(void)
{
	char dir[] = "/tmp/test-mbox.XXXXXX";
	char p[256], q[256];
	int fd, dfd;
	struct stat st;
	if (!mkdtemp(dir)) { check(0, "mkdtemp"); return; }
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	snprintf(p, sizeof p, "%s/box", dir);
	fd = mbox_open(p);
	check(fd < 0 && errno == ENOENT, "missing: ENOENT");
	fd = mbox_create_at(dfd, "box");
	check(fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0600 && S_ISREG(st.st_mode), "created 0600");
	if (fd >= 0) close(fd);
	fd = mbox_create_at(dfd, "box");
	check(fd < 0 && errno == EEXIST, "create refuses an existing name");
	fd = mbox_open(p);
	check(fd >= 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK) == 0 && (fcntl(fd, F_GETFL) & O_APPEND), "open: blocking, append");
	if (fd >= 0 && mbox_deliver(fd, p, "s@x", 3, "H: 1\n", 5, dfd, 0, 5) == 0) check(1, "deliver an empty message");
	else check(0, "deliver an empty message");
	snprintf(q, sizeof q, "%s/link", dir);
	check(symlink(p, q) == 0 && mbox_open(q) < 0 && errno == ELOOP, "symbolic link: ELOOP");
	snprintf(q, sizeof q, "%s/hard", dir);
	check(link(p, q) == 0 && mbox_open(p) < 0 && errno == EMLINK, "two hard links: EMLINK");
	unlink(q);
	check(chown(p, 12345, 12345) == 0 && mbox_open(p) < 0 && errno == EPERM, "someone else's: EPERM");
	snprintf(q, sizeof q, "%s/fifo", dir);
	check(mkfifo(q, 0600) == 0 && mbox_open(q) < 0 && errno == EINVAL, "a fifo: EINVAL, no hang");
	check(mbox_open(dir) < 0 && errno == EISDIR, "a directory: EISDIR");
	close(dfd);
	if (fork() == 0) execl("/bin/rm", "rm", "-rf", dir, (char *)0);
}

int main(void)
{
	test_quote();
	test_open();
	return failed;
}
