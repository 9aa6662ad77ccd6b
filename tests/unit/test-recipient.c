/* Unit test of recipient classification and resolution (src/lib/recipient.c)
   and of .qmail file matching (src/lib/dotqmail.c). Works in a scratch
   directory as if it were the tern home. The passwd step is checked with
   "root" (never a recipient) and "nobody" (its home /nonexistent does not
   exist), which every Debian system has. */
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cdbfile.h"
#include "dotqmail.h"
#include "recipient.h"
#include "str.h"
#include "check.h"

static void put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) < 0) { check(0, path); }
	if (fd >= 0) close(fd);
}

#define B(lit) lit, sizeof(lit) - 1

static int classify(const char *addr, const char *want)
{
	str out = STR_INIT;
	int r = recipient_classify(addr, strlen(addr), &out);
	int ok;
	if (!want) ok = r == RECIPIENT_REMOTE;
	else ok = r == RECIPIENT_LOCAL && out.len == strlen(want) && memcmp(out.s, want, out.len) == 0;
	str_free(&out);
	return ok;
}

static void test_classify(void)
{
	put("control/locals", "tern.test\n# comment\nLocalHost\n");
	put("control/virtualdomains",
	    "virt.test:vprefix\n.sub.test:subp\nnot.sub.test:\nbob@special.test:sp\n:wild\n");
	check(classify("Bob@TERN.test", "Bob"), "locals, case-insensitive domain");
	check(classify("bob@localhost", "bob"), "second locals entry");
	check(classify("postmaster", "postmaster"), "no @: local");
	check(classify("a@b@tern.test", "a@b"), "last @ counts");
	check(classify("joe@virt.test", "vprefix-joe"), "virtual domain");
	check(classify("joe@x.sub.test", "subp-joe"), ".suffix");
	check(classify("joe@a.b.sub.test", "subp-joe"), ".suffix deeper");
	check(classify("joe@not.sub.test", NULL), "empty prefix is not virtual");
	check(classify("bob@special.test", "sp-bob"), "exact address form");
	check(classify("joe@elsewhere.example", "wild-joe"), "empty key catches all");
	put("control/virtualdomains", "virt.test:vprefix\n");
	check(classify("joe@elsewhere.example", NULL), "remote");
	unlink("control/virtualdomains");
	check(classify("joe@virt.test", NULL), "no virtualdomains file");
}

static void add_user(struct cdbfile_make *m, const char *key, const char *user,
                     const char *uid, const char *home, const char *dash, const char *ext)
{
	str d = STR_INIT;
	str_catv(&d, user, "", (char *)0); str_cat0(&d);
	str_cats(&d, uid); str_cat0(&d);
	str_cats(&d, "100"); str_cat0(&d);
	str_cats(&d, home); str_cat0(&d);
	str_cats(&d, dash); str_cat0(&d);
	str_cats(&d, ext); str_cat0(&d);
	cdbfile_make_add(m, key, strlen(key), d.s, d.len);
	str_free(&d);
}

static int resolve(const char *local, const char *user, const char *dash, const char *ext, int alias)
{
	struct recipient r;
	int x, ok;
	recipient_init(&r);
	x = recipient_resolve(local, strlen(local), &r);
	ok = x == 1 && str_equals(&r.user, user) && str_equals(&r.dash, dash) &&
	     str_equals(&r.ext, ext) && r.alias == alias;
	recipient_free(&r);
	return ok;
}

static void test_resolve(void)
{
	if (!getpwnam(RECIPIENT_ALIAS_USER)) {
		/* not installed yet (a fresh CI machine): the catch-all cannot resolve */
		check(1, "# skip resolve: no user " RECIPIENT_ALIAS_USER);
		return;
	}
	struct cdbfile_make *m = cdbfile_make_start("users/cdb");
	add_user(m, "=joe", "joeacct", "1234", "/home/joe", "", "");
	add_user(m, "+list-", "lists", "1235", "/home/lists", "-", "l-");
	add_user(m, "+list-big-", "biglists", "1236", "/home/big", "-", "");
	add_user(m, "=rooty", "rooty", "0", "/", "", "");
	check(m && cdbfile_make_finish(m) == 0, "build users/cdb");
	m = cdbfile_make_start("users/aliases.cdb");
	cdbfile_make_add(m, B("postmaster"), B("root\0"));
	check(m && cdbfile_make_finish(m) == 0, "build aliases.cdb");
	check(resolve("Joe", "joeacct", "", "", 0), "= entry, lower-cased lookup");
	check(resolve("list-foo", "lists", "-", "l-foo", 0), "+ entry appends the rest");
	check(resolve("list-big-x", "biglists", "-", "x", 0), "longest + prefix");
	check(resolve("postmaster", RECIPIENT_ALIAS_USER, "-", "postmaster", 1), "aliases.cdb hit");
	check(resolve("root", RECIPIENT_ALIAS_USER, "-", "root", 1), "root goes to the alias user");
	check(resolve("rooty", RECIPIENT_ALIAS_USER, "-", "rooty", 1), "uid 0 in users/cdb refused");
	check(resolve("nobody", RECIPIENT_ALIAS_USER, "-", "nobody", 1), "passwd user without home");
	check(resolve("no-such-user-x", RECIPIENT_ALIAS_USER, "-", "no-such-user-x", 1), "catch-all");
}

static void test_dotqmail(void)
{
	str path = STR_INIT;
	size_t at = 0;
	mkdir("h", 0755);
	check(dotqmail_search("h", "-", "a-b-c", &path, &at) == 0, "no .qmail files");
	put("h/.qmail-default", "");
	check(dotqmail_search("h", "-", "a-b-c", &path, &at) == 1 && at == 0 &&
	      str_equals(&path, "h/.qmail-default"), ".qmail-default");
	put("h/.qmail-a-default", "");
	check(dotqmail_search("h", "-", "A-b-c", &path, &at) == 1 && at == 2 &&
	      str_equals(&path, "h/.qmail-a-default"), ".qmail-a-default, case");
	put("h/.qmail-a-b-c", "");
	check(dotqmail_search("h", "-", "a-b-c", &path, &at) == 1 && at == (size_t)-1 &&
	      str_equals(&path, "h/.qmail-a-b-c"), "exact");
	put("h/.qmail-x:y", "");
	check(dotqmail_search("h", "-", "x.y", &path, &at) == 1 && at == (size_t)-1, "dot becomes colon");
	check(dotqmail_search("h", "-", "../../etc", &path, &at) == 1 && at == 0, "slash never matches exact");
	check(dotqmail_search("h", "", "", &path, &at) == 0, "no .qmail for ext-less user");
	put("h/.qmail", "");
	check(dotqmail_search("h", "", "", &path, &at) == 1 && str_equals(&path, "h/.qmail"), ".qmail");
	str_free(&path);
}

static void test_deliverable(void)
{
	char cwd[4096];
	str home = STR_INIT;
	struct cdbfile_make *m;
	if (!getpwnam(RECIPIENT_ALIAS_USER) || !getcwd(cwd, sizeof cwd)) {
		check(1, "# skip deliverable: no user " RECIPIENT_ALIAS_USER);
		return;
	}
	str_catv(&home, cwd, "/h", (char *)0);
	str_0(&home);
	put("control/locals", "tern.test\n");
	m = cdbfile_make_start("users/cdb");
	add_user(m, "=ext-user", "someone", "1234", home.s, "-", "foo");
	add_user(m, "=plain", "someone", "1234", home.s, "", "");
	add_user(m, "=nohome", "someone", "1234", "/nonexistent-tern", "-", "x");
	check(m && cdbfile_make_finish(m) == 0, "build users/cdb again");
	put("h/.qmail-foo", "./Maildir/\n");
	check(recipient_deliverable(B("x@remote.example")) == 1, "remote: deliverable (relay is smtpd's call)");
	check(recipient_deliverable(B("ext-user@tern.test")) == 1, "ext with its .qmail-ext file");
	unlink("h/.qmail-foo");
	unlink("h/.qmail-default");
	unlink("h/.qmail-a-default");
	check(recipient_deliverable(B("ext-user@tern.test")) == 0, "ext without a file");
	check(recipient_deliverable(B("plain@tern.test")) == 1, "no ext: always");
	check(recipient_deliverable(B("nohome@tern.test")) == 0, "home missing: unknown");
	check(recipient_deliverable(B("Postmaster@TERN.test")) == 1, "aliases.cdb entry");
	m = cdbfile_make_start("control/recipients.cdb");
	cdbfile_make_add(m, B("ext-user@tern.test"), B(""));
	check(m && cdbfile_make_finish(m) == 0, "build recipients.cdb");
	check(recipient_deliverable(B("EXT-user@tern.test")) == 1, "listed in recipients.cdb");
	str_free(&home);
}

int main(void)
{
	char dir[] = "/tmp/test-recipient.XXXXXX";
	if (!mkdtemp(dir) || chdir(dir) < 0) return 1;
	mkdir("control", 0755);
	mkdir("users", 0755);
	test_classify();
	test_resolve();
	test_dotqmail();
	test_deliverable();
	if (fork() == 0) execl("/bin/rm", "rm", "-rf", dir, (char *)0);
	return failed;
}
