/* Unit test of src/lib/rcpthosts.c: exact names, ".suffix" wildcards,
   case, a trailing dot, morercpthosts.cdb, and no file at all (nothing
   accepted: never an open relay). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cdbfile.h"
#include "rcpthosts.h"
#include "check.h"

static int m(struct rcpthosts *r, const char *d) { return rcpthosts_match(r, d, strlen(d)); }

int main(void)
{
	char dir[] = "/tmp/test-rcpthosts.XXXXXX";
	struct rcpthosts r;
	struct cdbfile_make *mk;
	FILE *f;
	if (!mkdtemp(dir) || chdir(dir) < 0 || mkdir("control", 0755) < 0) return 2;
	check(rcpthosts_init(&r) == 0 && !r.present && m(&r, "example.com") == 0, "no file: nothing");
	rcpthosts_free(&r);
	f = fopen("control/rcpthosts", "w");
	if (!f) return 2;
	fputs("# comment\nexample.com\n.sub.example.org\n", f);
	fclose(f);
	check(rcpthosts_init(&r) == 0 && r.present, "read");
	check(m(&r, "example.com") == 1 && m(&r, "EXAMPLE.Com") == 1 && m(&r, "example.com.") == 1, "exact, any case, trailing dot");
	check(m(&r, "a.example.com") == 0 && m(&r, "xexample.com") == 0, "no implicit subdomains");
	check(m(&r, "a.sub.example.org") == 1 && m(&r, "a.b.sub.example.org") == 1, ".suffix");
	check(m(&r, "sub.example.org") == 0 && m(&r, "evilsub.example.org") == 0, ".suffix needs a dot");
	check(m(&r, "") == 0 && m(&r, ".") == 0, "empty");
	mk = cdbfile_make_start("control/morercpthosts.cdb");
	if (!mk || cdbfile_make_add(mk, "more.example", 12, "", 0) < 0 ||
	    cdbfile_make_add(mk, ".wild.example", 13, "", 0) < 0 || cdbfile_make_finish(mk) < 0) return 2;
	check(m(&r, "MORE.example") == 1 && m(&r, "x.wild.example") == 1 && m(&r, "wild.example") == 0, "morercpthosts.cdb");
	rcpthosts_free(&r);
	unlink("control/rcpthosts");
	check(rcpthosts_init(&r) == 0 && r.present && m(&r, "more.example") == 1 && m(&r, "example.com") == 0, "cdb alone");
	rcpthosts_free(&r);
	unlink("control/morercpthosts.cdb");
	rmdir("control");
	if (chdir("/") == 0) rmdir(dir);
	return failed;
}
