/* Unit test of mboxrd quoting (src/lib/mbox.c), including every split of
   the input into two chunks, and of Maildir delivery (src/lib/maildir.c). */
#include <dirent.h>
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

static void test_maildir(void)
{
	char dir[] = "/tmp/test-mbox.XXXXXX";
	str name = STR_INIT, path = STR_INIT;
	int fd, r;
	char buf[64];
	ssize_t got;
	if (!mkdtemp(dir)) { check(0, "mkdtemp"); return; }
	str_catv(&path, dir, "/msg", (char *)0); str_0(&path);
	fd = open(path.s, O_RDWR | O_CREAT, 0600);
	if (fd < 0 || write(fd, "hello\nENVELOPE", 14) != 14) { check(0, "message file"); return; }
	str_copys(&path, dir); str_cats(&path, "/Maildir/"); str_0(&path);
	r = maildir_deliver(path.s, "H: 1\n", 5, fd, 6, &name);
	check(r < 0, "no Maildir: failure");
	mkdir(path.s, 0700);
	str_copys(&path, dir); str_cats(&path, "/Maildir/tmp"); str_0(&path); mkdir(path.s, 0700);
	str_copys(&path, dir); str_cats(&path, "/Maildir/new"); str_0(&path); mkdir(path.s, 0700);
	str_copys(&path, dir); str_cats(&path, "/Maildir/"); str_0(&path);
	r = maildir_deliver(path.s, "H: 1\n", 5, fd, 6, &name);
	check(r == 0 && str_0(&name) == 0 && strstr(name.s, "/new/") != NULL, "delivered into new/");
	close(fd);
	fd = r == 0 ? open(name.s, O_RDONLY) : -1;
	got = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
	check(got == 11 && memcmp(buf, "H: 1\nhello\n", 11) == 0, "head then exactly msglen bytes");
	if (fd >= 0) close(fd);
	{
		DIR *d;
		struct dirent *e;
		int empty = 1;
		str_copys(&path, dir); str_cats(&path, "/Maildir/tmp"); str_0(&path);
		d = opendir(path.s);
		while (d && (e = readdir(d)))
			if (e->d_name[0] != '.') empty = 0;
		if (d) closedir(d);
		check(empty, "tmp/ is empty afterwards");
	}
	if (fork() == 0) execl("/bin/rm", "rm", "-rf", dir, (char *)0);
	str_free(&name);
	str_free(&path);
}

int main(void)
{
	test_quote();
	test_maildir();
	return failed;
}
