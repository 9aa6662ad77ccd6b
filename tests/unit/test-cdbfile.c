/* Unit test of src/lib/cdbfile.c: make, get, get_all, abort. */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TAP-ish output; stdio is fine here: the input is our own. */
#define B(lit) lit, sizeof(lit) - 1
#include "cdbfile.h"
#include "check.h"

int main(void)
{
	char dir[] = "/tmp/test-cdb.XXXXXX";
	char path[64], tmp[80];
	struct cdbfile_make *m;
	str v = STR_INIT;
	struct stat st;
	if (!mkdtemp(dir)) return 2;
	snprintf(path, sizeof path, "%s/t.cdb", dir);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	check(cdbfile_get(path, B("k"), &v) == 0, "missing file: not found");
	check(cdbfile_get_all(path, B("k"), &v) == 0, "missing file: none");
	m = cdbfile_make_start(path);
	check(m != NULL, "make_start");
	check(cdbfile_make_add(m, B("alpha"), B("1")) == 0, "add");
	check(cdbfile_make_add(m, B("multi"), B("a")) == 0 && cdbfile_make_add(m, B("multi"), B("bb")) == 0 &&
	      cdbfile_make_add(m, B("multi"), "", 0) == 0, "add several values");
	check(cdbfile_make_add(m, "bin\0key", 7, "v\0w", 3) == 0, "binary key and value");
	check(cdbfile_make_finish(m) == 0, "finish");
	check(stat(tmp, &st) == -1 && errno == ENOENT, "no temporary file left");
	check(cdbfile_get(path, B("alpha"), &v) == 1 && v.len == 1 && v.s[0] == '1', "get");
	check(cdbfile_get(path, B("ALPHA"), &v) == 0, "keys are exact");
	check(cdbfile_get(path, B("multi"), &v) == 1 && v.len == 1 && v.s[0] == 'a', "get gives the first value");
	check(cdbfile_get_all(path, B("multi"), &v) == 3 && v.len == 6 && !memcmp(v.s, "a\0bb\0\0", 6), "get_all");
	check(cdbfile_get(path, "bin\0key", 7, &v) == 1 && v.len == 3 && !memcmp(v.s, "v\0w", 3), "binary get");
	check(cdbfile_get(path, "", 0, &v) == 0, "empty key not found");

	m = cdbfile_make_start(path);
	check(m != NULL && cdbfile_make_add(m, B("new"), B("x")) == 0, "second make");
	cdbfile_make_abort(m);
	check(stat(tmp, &st) == -1, "abort removes the temporary file");
	check(cdbfile_get(path, B("alpha"), &v) == 1 && cdbfile_get(path, B("new"), &v) == 0, "abort keeps the old cdb");
	check(cdbfile_make_start("/nonexistent/dir/x.cdb") == NULL, "make_start in a missing directory fails");
	unlink(path);
	rmdir(dir);
	str_free(&v);
	return failed;
}
