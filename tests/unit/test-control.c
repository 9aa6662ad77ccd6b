/* Unit test of src/lib/control.c in a scratch directory. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TAP-ish output; stdio is fine here: the input is our own. */
#define B(lit) lit, sizeof(lit) - 1
#include "control.h"
#include "check.h"

static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) exit(2);
	close(fd);
}

int main(void)
{
	char dir[] = "/tmp/test-control.XXXXXX";
	str x = STR_INIT;
	unsigned long long n = 0;
	if (!mkdtemp(dir) || chdir(dir) < 0) return 2;
	put("list", "# comment\n\n  first item  \n\t#not a comment? yes: starts with # after trim\nsecond\r\n   \nthird");
	check(control_read_list(&x, "list") == 1, "list read");
	check(x.len == 24 && !memcmp(x.s, "first item\0second\0third\0", 24), "comments, blanks, trim, CR, last line without LF");
	check(control_list_has(&x, B("SECOND")), "list_has ignores case");
	check(!control_list_has(&x, B("secon")), "list_has whole items");
	check(!control_list_has(&x, B("first")), "list_has not a prefix");
	check(control_read_line(&x, "list") == 1 && x.len == 10 && !memcmp(x.s, "first item", 10), "read_line first item");
	check(control_read_list(&x, "missing") == 0 && x.len == 0, "missing list is 0, empty");
	x.len = 0;
	check(str_copys(&x, "keep") == 0 && control_read_line(&x, "missing") == 0 && str_equals(&x, "keep"), "missing line leaves out");
	put("empty", "# only a comment\n\n");
	check(control_read_line(&x, "empty") == 0, "only comments counts as missing");
	check(control_read_string(&x, "missing", "dflt") == 0 && str_equals(&x, "dflt"), "read_string default");
	check(control_read_string(&x, "list", "dflt") == 0 && str_equals(&x, "first item"), "read_string value");
	put("num", " 1048576 \n");
	check(control_read_ulong(&n, "num", 5) == 0 && n == 1048576, "ulong");
	check(control_read_ulong(&n, "missing", 5) == 0 && n == 5, "ulong default");
	put("bad", "12k\n");
	errno = 0;
	check(control_read_ulong(&n, "bad", 5) == -1 && errno == EINVAL, "ulong garbage is EINVAL");
	if (mkdir("adir", 0755) < 0) return 2;
	check(control_read_list(&x, "adir") == -1, "a directory is an error, not missing");
	unlink("list"); unlink("empty"); unlink("num"); unlink("bad"); rmdir("adir");
	if (chdir("/") < 0 || rmdir(dir) < 0) check(0, "cleanup");
	str_free(&x);
	return failed;
}
