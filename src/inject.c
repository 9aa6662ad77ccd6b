/* inject: completes a message's header (From, Date, Message-ID), finds
   its recipients (arguments, and with -t the To/Cc/Bcc fields) and hands
   it to queue-inject. Runs as the calling user. doc/inject.md; the
   engine is src/lib/injectmsg.c, shared with sendmail. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "control.h"
#include "die.h"
#include "injectmsg.h"

static void usage(void)
{
	die_code(100, "usage: inject [-t] [-d] [-f sender] [-F name] [-N notify] [-R ret] "
	         "[-V envid] [--] [recipient ...]", NULL);
}

int main(int argc, char **argv)
{
	struct inject_opts o;
	struct inject_error err;
	int c, code;

	die_program = "inject";
	memset(&o, 0, sizeof o);
	while ((c = getopt(argc, argv, "tdf:F:N:R:V:")) != -1) {
		switch (c) {
		case 't': o.extract = 1; break;
		case 'd': o.dot_ends = 1; break;
		case 'f': o.sender = optarg; break;
		case 'F': o.fullname = optarg; break;
		case 'N': o.notify = optarg; break;
		case 'R': o.ret = optarg; break;
		case 'V': o.envid = optarg; break;
		default: usage();
		}
	}
	signal(SIGPIPE, SIG_IGN);
	if (control_chdir_home() < 0) die_temp_sys("unable to chdir to the tern home", NULL);
	code = inject_message(&o, argv + optind, argc - optind, 0, &err);
	if (code == 0) return 0;
	if (err.errnum) {
		errno = err.errnum;
		die_code_sys(code, err.text, NULL);
	}
	die_code(code, err.text, NULL);
}
