/* users-compile: compiles <home>/users/assign into <home>/users/cdb, as
   qmail-newu does. See doc/users-compile.md. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "buffer.h"
#include "cdbfile.h"
#include "control.h"
#include "die.h"
#include "fmt.h"
#include "line.h"
#include "scan.h"
#include "str.h"

#define ASSIGN_LINE_MAX 4096

static unsigned long long lineno;

static void die_syntax(const char *why) __attribute__((noreturn));
static void die_syntax(const char *why)
{
	char num[FMT_ULONG + 1];
	num[fmt_ulong(num, lineno)] = 0;
	die_perm("users/assign line ", num, ": ", why, NULL);
}

/* Splits "=a:b:c:...:" into exactly 7 fields after the type letter. */
static void split(char *s, size_t len, char *f[7])
{
	size_t i, n = 0, start = 1;
	if (len < 2 || s[len - 1] != ':') die_syntax("must end with ':'");
	for (i = 1; i < len; i++) {
		if (s[i] != ':') continue;
		if (n == 7) die_syntax("too many fields");
		s[i] = 0;
		f[n++] = s + start;
		start = i + 1;
	}
	if (n != 7) die_syntax("need 7 fields: local:user:uid:gid:home:dash:ext:");
}

/* The users/cdb record: key "=local" or "+prefix" (lower-cased), data
   "user\0uid\0gid\0home\0dash\0ext\0" (src/lib/recipient.c reads it). */
static void add(struct cdbfile_make *m, char type, char *f[7])
{
	str key = STR_INIT, data = STR_INIT;
	unsigned long long uid, gid;
	int i;
	if (!scan_ulong_all(f[2], &uid)) die_syntax("uid is not a number");
	if (!scan_ulong_all(f[3], &gid)) die_syntax("gid is not a number");
	if (uid == 0) die_syntax("uid 0: root never receives mail");
	if (!*f[1]) die_syntax("empty user");
	if (f[4][0] != '/') die_syntax("home must be an absolute path");
	if (strcmp(f[5], "") != 0 && strcmp(f[5], "-") != 0) die_syntax("dash must be empty or '-'");
	if (str_catc(&key, type) < 0 || str_cats(&key, f[0]) < 0) die_nomem();
	str_lower(&key);
	for (i = 1; i < 7; i++)
		if (str_cats(&data, f[i]) < 0 || str_cat0(&data) < 0) die_nomem();
	if (cdbfile_make_add(m, key.s, key.len, data.s, data.len) < 0)
		die_temp_sys("cannot write users/cdb.tmp", NULL);
	str_free(&key);
	str_free(&data);
}

int main(int argc, char **argv)
{
	char space[8192];
	buffer b;
	str line = STR_INIT;
	struct cdbfile_make *m;
	int fd, done = 0;
	die_program = "users-compile";
	if (argc > 1) die_code(100, "usage: users-compile (no arguments; works in the compiled-in home)", NULL);
	if (control_chdir_home() < 0) die_temp_sys("cannot chdir to home", NULL);
	fd = open("users/assign", O_RDONLY | O_CLOEXEC);
	if (fd < 0) die_temp_sys("cannot open users/assign", NULL);
	buffer_init(&b, fd, space, sizeof space);
	m = cdbfile_make_start("users/cdb");
	if (!m) die_temp_sys("cannot create users/cdb.tmp", NULL);
	for (;;) {
		char *f[7];
		int r = line_read(&b, &line, '\n', ASSIGN_LINE_MAX);
		lineno++;
		if (r == LINE_TOO_LONG) die_syntax("line too long");
		if (r < 0) die_temp_sys("cannot read users/assign", NULL);
		if (r == 0 && line.len == 0) break;
		if (r == 1) line.len--;
		if (done) die_syntax("text after the final '.' line");
		if (line.len == 1 && line.s[0] == '.') { done = 1; continue; }
		if (memchr(line.s, 0, line.len)) die_syntax("NUL byte");
		if (line.len == 0 || (line.s[0] != '=' && line.s[0] != '+'))
			die_syntax("must start with '=' or '+'");
		split(line.s, line.len, f);
		add(m, line.s[0], f);
		if (r == 0) break;
	}
	if (!done) {
		cdbfile_make_abort(m);
		die_perm("users/assign does not end with a '.' line (truncated?)", NULL);
	}
	if (cdbfile_make_finish(m) < 0) die_temp_sys("cannot write users/cdb", NULL);
	str_free(&line);
	close(fd);
	return 0;
}
