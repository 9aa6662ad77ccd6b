/* tern-passwd: manages the virtual users of checkpassword-cdb,
   <home>/users/virtual.cdb (doc/tern-passwd.md). Every change rebuilds
   the cdb under a lock and renames it into place, mode 0640 root:<group
   of tern-recv>, so the receiver reads it and nobody else does. */
#include <cdb.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>  /* rename */
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "buffer.h"
#include "checkpassword.h"
#include "control.h"
#include "die.h"
#include "io.h"
#include "line.h"
#include "str.h"

#define VIRTUAL_CDB "users/virtual.cdb"
#define VIRTUAL_TMP "users/virtual.cdb.tmp"
#define VIRTUAL_LOCK "users/virtual.lock"
#define READER_USER "tern-recv"
#define USER_MAX 255
#define PASSWORD_MAX 511   /* CRYPT_MAX_PASSPHRASE_SIZE (512) with its NUL */

static char outspace[4096];
static buffer out = { outspace, sizeof outspace, 0, 0, 1, 0 };

static void usage(void)
{
	die_code(100, "usage: tern-passwd [-m yescrypt|sha512] add USER < password\n"
	              "       tern-passwd del USER\n       tern-passwd list", NULL);
}

static void user_check(str *u)
{
	size_t i;
	if (u->len == 0 || u->len > USER_MAX) die_perm("bad user name length", NULL);
	for (i = 0; i < u->len; i++)
		if ((unsigned char)u->s[i] < 0x21 || (unsigned char)u->s[i] == 0x7f || u->s[i] == ':')
			die_perm("bad character in the user name", NULL);
	str_lower(u);
}

/* The password: one line on stdin, without its line end. */
static void password_read(str *pw)
{
	static char space[PASSWORD_MAX + 3];
	buffer in;
	int r;
	buffer_init(&in, 0, space, sizeof space);
	r = line_read(&in, pw, '\n', PASSWORD_MAX + 2);
	if (r == -1) die_temp_sys("cannot read the password", NULL);
	if (pw->len && pw->s[pw->len - 1] == '\n') pw->len--;
	if (pw->len && pw->s[pw->len - 1] == '\r') pw->len--;
	if (r == LINE_TOO_LONG || pw->len > PASSWORD_MAX) die_perm("password too long", NULL);
	if (pw->len == 0) die_perm("empty password", NULL);
	if (memchr(pw->s, 0, pw->len)) die_perm("NUL in the password", NULL);
	if (str_0(pw) < 0) die_nomem();
	explicit_bzero(space, sizeof space);
}

/* Copies every record of the old cdb but skip into m. Returns whether
   skip was there. */
static int records_copy(struct cdb_make *m, const str *skip)
{
	struct cdb c;
	unsigned pos;
	int fd = open(VIRTUAL_CDB, O_RDONLY | O_CLOEXEC), found = 0;
	if (fd < 0) {
		if (errno == ENOENT) return 0;
		die_temp_sys("cannot open ", VIRTUAL_CDB, NULL);
	}
	if (cdb_init(&c, fd) < 0) die_temp("cannot read ", VIRTUAL_CDB, NULL);
	cdb_seqinit(&pos, &c);
	while (cdb_seqnext(&pos, &c) > 0) {
		const void *k = cdb_getkey(&c), *v = cdb_getdata(&c);
		unsigned kl = cdb_keylen(&c), vl = cdb_datalen(&c);
		if (!k || !v) die_temp("cannot read ", VIRTUAL_CDB, NULL);
		if (skip && kl == skip->len && !memcmp(k, skip->s, kl)) { found = 1; continue; }
		if (m && cdb_make_add(m, k, kl, v, vl) < 0) die_temp_sys("cannot write ", VIRTUAL_TMP, NULL);
		if (!m && (buffer_put(&out, k, kl) < 0 || buffer_put(&out, "\n", 1) < 0))
			die_temp_sys("cannot write", NULL);
	}
	cdb_free(&c);
	close(fd);
	return found;
}

/* Makes the file readable by the receiver's group before it is visible. */
static void tmp_protect(int fd)
{
	struct passwd *pw = getpwnam(READER_USER);
	if (geteuid() == 0) {
		if (!pw) die_temp("no such user: ", READER_USER, NULL);
		if (fchown(fd, 0, pw->pw_gid) < 0) die_temp_sys("cannot chown ", VIRTUAL_TMP, NULL);
	}
	if (fchmod(fd, 0640) < 0) die_temp_sys("cannot chmod ", VIRTUAL_TMP, NULL);
}

/* Rewrites the cdb without user, plus user=hash when hash is given. */
static void cdb_rewrite(const str *user, const str *hash)
{
	struct cdb_make m;
	int fd = open(VIRTUAL_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), found;
	if (fd < 0) die_temp_sys("cannot create ", VIRTUAL_TMP, NULL);
	tmp_protect(fd);
	if (cdb_make_start(&m, fd) < 0) die_temp_sys("cannot write ", VIRTUAL_TMP, NULL);
	found = records_copy(&m, user);
	if (!hash && !found) { unlink(VIRTUAL_TMP); die_perm("no such user: ", user->s, NULL); }
	if (hash && cdb_make_add(&m, user->s, (unsigned)user->len, hash->s, (unsigned)hash->len) < 0)
		die_temp_sys("cannot write ", VIRTUAL_TMP, NULL);
	if (cdb_make_finish(&m) < 0 || fsync(fd) < 0 || close(fd) < 0)
		die_temp_sys("cannot write ", VIRTUAL_TMP, NULL);
	if (rename(VIRTUAL_TMP, VIRTUAL_CDB) < 0) die_temp_sys("cannot rename ", VIRTUAL_TMP, NULL);
	if (io_fsync_dir("users") < 0) die_temp_sys("cannot fsync users/", NULL);
}

int main(int argc, char **argv)
{
	const char *prefix = "$y$";
	str user = STR_INIT, pw = STR_INIT, hash = STR_INIT;
	int opt, lock;
	die_program = "tern-passwd";
	while ((opt = getopt(argc, argv, "m:")) != -1) {
		if (opt != 'm') usage();
		if (!strcmp(optarg, "yescrypt")) prefix = "$y$";
		else if (!strcmp(optarg, "sha512")) prefix = "$6$";
		else usage();
	}
	argv += optind;
	if (!argv[0]) usage();
	if (control_chdir_home() < 0) die_temp_sys("cannot chdir to the home", NULL);
	if (!strcmp(argv[0], "list") && !argv[1]) {
		records_copy(0, 0);
		if (buffer_flush(&out) < 0) die_temp_sys("cannot write", NULL);
		return 0;
	}
	if (!argv[1] || argv[2] || (strcmp(argv[0], "add") && strcmp(argv[0], "del"))) usage();
	if (str_copys(&user, argv[1]) < 0 || str_0(&user) < 0) die_nomem();
	user_check(&user);
	if (argv[0][0] == 'a') {
		password_read(&pw);
		if (checkpassword_hash_make(pw.s, prefix, &hash) < 0) die_temp_sys("cannot hash the password", NULL);
		explicit_bzero(pw.s, pw.len);
	}
	umask(077);
	lock = open(VIRTUAL_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0) die_temp_sys("cannot lock ", VIRTUAL_LOCK, NULL);
	cdb_rewrite(&user, argv[0][0] == 'a' ? &hash : 0);
	str_free(&user);
	str_free(&pw);
	str_free(&hash);
	return 0;
}
