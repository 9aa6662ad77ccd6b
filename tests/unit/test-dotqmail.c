/* Unit test of src/lib/dotqmail.c: candidate names, the search in a
   directory, and the reading of .qmail lines. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dotqmail.h"
#include "str.h"
#include "check.h"

static int add(void *ctx, enum dotqmail_kind kind, const char *text, size_t len)
{
	str *out = ctx;
	if (str_catc(out, (char)kind) < 0 || str_catb(out, text, len) < 0 || str_catc(out, '|') < 0) return -1;
	return 0;
}

static int parsed(const char *text, const char *want)
{
	str out = STR_INIT;
	int ok = dotqmail_parse(text, strlen(text), add, &out) == 0 && out.len == strlen(want) &&
	         (out.len == 0 || memcmp(out.s, want, out.len) == 0);
	str_free(&out);
	return ok;
}

static int stop(void *ctx, enum dotqmail_kind kind, const char *text, size_t len)
{
	(void)kind; (void)text; (void)len;
	return ++*(int *)ctx == 2 ? 7 : 0;
}

static void test_parse(void)
{
	int n = 0;
	check(parsed("# c\n\n./Maildir/\n|prog a \t\r\n&x@y\nz@w\n/var/mail/j\n", "M./Maildir/|Pprog a|Ax@y|Az@w|F/var/mail/j|"),
	      "every kind, trailing space cut");
	check(parsed("&\n|\n", "A|P|"), "lone & and |: empty texts");
	check(parsed("./box", "F./box|"), "no final newline");
	check(parsed("   \n\t\n", ""), "blank lines");
	check(dotqmail_parse("a\nb\nc\n", 6, stop, &n) == 7 && n == 2, "stops at a non-zero add");
}

static void test_names(void)
{
	str out = STR_INIT;
	check(dotqmail_name(&out, "-", "Ab.c", 4, 0) == 0 && !strcmp(out.s, ".qmail-ab:c"), "lower case, . as :");
	check(dotqmail_name(&out, "-", "a-b", 2, 1) == 0 && !strcmp(out.s, ".qmail-a-default"), "-default");
	check(dotqmail_name(&out, "-", "a/b", 3, 0) == 1, "a / is no candidate");
	check(dotqmail_name(&out, "", "", 0, 0) == 0 && !strcmp(out.s, ".qmail"), "no extension");
	str_free(&out);
}

static void test_search(void)
{
	char dir[] = "/tmp/test-dotqmail.XXXXXX", p[256];
	str path = STR_INIT;
	size_t at = 0;
	if (!mkdtemp(dir)) { check(0, "mkdtemp"); return; }
	check(dotqmail_search(dir, "-", "a-b-c", &path, &at) == 0, "nothing there");
	snprintf(p, sizeof p, "%s/.qmail-a-default", dir);
	close(open(p, O_WRONLY | O_CREAT, 0644));
	check(dotqmail_search(dir, "-", "a-b-c", &path, &at) == 1 && at == 2 && !strcmp(path.s, p), "a-default, DEFAULT at 2");
	snprintf(p, sizeof p, "%s/.qmail-a-b-c", dir);
	close(open(p, O_WRONLY | O_CREAT, 0644));
	check(dotqmail_search(dir, "-", "a-b-c", &path, &at) == 1 && at == (size_t)-1, "exact before -default");
	check(dotqmail_search(dir, "", "", &path, &at) == 0, "no .qmail");
	if (fork() == 0) execl("/bin/rm", "rm", "-rf", dir, (char *)0);
	str_free(&path);
}

int main(void)
{
	test_parse();
	test_names();
	test_search();
	return failed;
}
