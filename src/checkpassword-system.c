/* checkpassword-system: checks a user's system password (/etc/shadow)
   through the checkpassword interface (doc/checkpassword-system.md).
   Installed set-group-id shadow, so it can read /etc/shadow and nothing
   more; it drops that group before running the rest of its argv. */
#include <pwd.h>
#include <shadow.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "checkpassword.h"
#include "die.h"

#define RECEIVER_USER "tern-recv"
#define FAIL_DELAY_SECONDS 1

static struct checkpassword_input in;

/* A set-id install may serve only root and the SMTP receiver, so local
   users cannot use it to guess each other's passwords. */
static void caller_check(void)
{
	struct passwd *pw;
	if (getuid() == geteuid() && getgid() == getegid()) return;
	if (getuid() == 0) return;
	pw = getpwnam(RECEIVER_USER);
	if (pw && pw->pw_uid == getuid()) return;
	die_code(111, "not permitted for this uid", NULL);
}

static int account_expired(const struct spwd *sp)
{
	long today = (long)(time(0) / 86400);
	return sp->sp_expire > 0 && today >= sp->sp_expire;
}

/* The stored hash for pw, or NULL when the account cannot log in. */
static const char *hash_of(const struct passwd *pw)
{
	struct spwd *sp = getspnam(pw->pw_name);
	if (sp) return account_expired(sp) ? 0 : sp->sp_pwdp;
	if (strcmp(pw->pw_passwd, "x") == 0) return 0;  /* shadowed but unreadable */
	return pw->pw_passwd;
}

static void refuse(void)
{
	checkpassword_wipe(&in);
	sleep(FAIL_DELAY_SECONDS);  /* slows guessing; costs an honest client nothing */
	_exit(1);
}

int main(int argc, char **argv)
{
	struct passwd *pw;
	const char *hash;
	int r;
	die_program = "checkpassword-system";
	if (argc < 2) die_code(2, "usage: checkpassword-system program [arg ...]", NULL);
	caller_check();
	r = checkpassword_read(3, &in);
	if (r == -1) die_temp_sys("cannot read fd 3", NULL);
	if (r == CHECKPASSWORD_BAD) die_code(2, "malformed input on fd 3", NULL);
	pw = getpwnam(in.user);
	/* root never logs in to mail: its password guards more than mail. */
	if (!pw || pw->pw_uid == 0) refuse();
	hash = hash_of(pw);
	if (!hash) refuse();
	r = checkpassword_hash_matches(in.password, hash);
	if (r < 0) { checkpassword_wipe(&in); die_temp_sys("crypt failed", NULL); }
	if (r == 0) refuse();
	checkpassword_wipe(&in);
	if (setgid(getgid()) < 0 || setuid(getuid()) < 0) die_temp_sys("cannot drop the set-id privilege", NULL);
	if (setenv("USER", pw->pw_name, 1) < 0 || setenv("HOME", pw->pw_dir, 1) < 0
	    || setenv("SHELL", pw->pw_shell, 1) < 0)
		die_temp_sys("cannot set the environment", NULL);
	execvp(argv[1], argv + 1);
	die_temp_sys("cannot run ", argv[1], NULL);
}
