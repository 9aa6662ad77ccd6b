/* checkpassword-cdb: checks a virtual user's password against
   <home>/users/virtual.cdb (key: the lower-cased user name, value: its
   crypt(3) hash) through the checkpassword interface
   (doc/checkpassword-cdb.md). Runs as the caller (the SMTP receiver). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cdbfile.h"
#include "checkpassword.h"
#include "control.h"
#include "die.h"
#include "str.h"

#define VIRTUAL_CDB "users/virtual.cdb"
#define FAIL_DELAY_SECONDS 1

static struct checkpassword_input in;

static void refuse(void)
{
	checkpassword_wipe(&in);
	sleep(FAIL_DELAY_SECONDS);
	_exit(1);
}

int main(int argc, char **argv)
{
	str user = STR_INIT, hash = STR_INIT;
	int r;
	die_program = "checkpassword-cdb";
	if (argc < 2) die_code(2, "usage: checkpassword-cdb program [arg ...]", NULL);
	r = checkpassword_read(3, &in);
	if (r == -1) die_temp_sys("cannot read fd 3", NULL);
	if (r == CHECKPASSWORD_BAD) die_code(2, "malformed input on fd 3", NULL);
	if (control_chdir_home() < 0) die_temp_sys("cannot chdir to the home", NULL);
	if (str_copys(&user, in.user) < 0) die_nomem();
	str_lower(&user);
	r = cdbfile_get(VIRTUAL_CDB, user.s, user.len, &hash);
	if (r < 0) die_temp_sys("cannot read ", VIRTUAL_CDB, NULL);
	if (r == 0 || str_0(&hash) < 0 || memchr(hash.s, 0, hash.len)) refuse();
	r = checkpassword_hash_matches(in.password, hash.s);
	if (r < 0) { checkpassword_wipe(&in); die_temp_sys("crypt failed", NULL); }
	if (r == 0) refuse();
	checkpassword_wipe(&in);
	if (str_0(&user) < 0 || setenv("USER", user.s, 1) < 0)
		die_temp_sys("cannot set the environment", NULL);
	execvp(argv[1], argv + 1);
	die_temp_sys("cannot run ", argv[1], NULL);
}
