/* sendmail: the sendmail-compatible command line. Sending is done
   in-process by inject's engine (src/lib/injectmsg.c): no exec where no
   trust boundary is crossed. -bp, -bi, -bs exec mailq, newaliases,
   smtpd-recv. doc/sendmail.md lists every flag. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "auto.h"
#include "control.h"
#include "die.h"
#include "injectmsg.h"
#include "str.h"

enum mode { MODE_SEND, MODE_LIST, MODE_SMTP, MODE_ALIASES, MODE_QUEUERUN };

static struct {
	enum mode mode;
	int extract, ignore_dots;
	const char *sender, *fullname, *notify, *ret, *envid;
} opt;


/* Exec <home>/bin/<name> with argv. */
static void run(const char *name, char **argv) __attribute__((noreturn));
static void run(const char *name, char **argv)
{
	str path = STR_INIT;
	if (str_copys(&path, auto_home) < 0 || str_cats(&path, "/bin/") < 0 ||
	    str_cats(&path, name) < 0 || str_0(&path) < 0) die_nomem();
	argv[0] = path.s;
	execv(path.s, argv);
	die_code_sys(errno == ENOENT ? 100 : 111, "unable to run ", path.s, NULL);
}

/* The value of an option: the rest of this argument or the next one.
   Returns NULL (after a warning) if there is none. */
static const char *value(char **argv, int *i, const char *rest)
{
	if (*rest) return rest;
	if (argv[*i + 1]) return argv[++*i];
	warn("option ", argv[*i], " needs a value; ignored", NULL);
	return NULL;
}

static void mode_b(const char *m, const char *arg)
{
	if (!strcmp(m, "m")) opt.mode = MODE_SEND;
	else if (!strcmp(m, "p")) opt.mode = MODE_LIST;
	else if (!strcmp(m, "s")) opt.mode = MODE_SMTP;
	else if (!strcmp(m, "i")) opt.mode = MODE_ALIASES;
	else die_code(100, "unsupported mode ", arg, NULL);
}

/* -o options: -oi matters, error and delivery modes are accepted
   silently (tern always queues and reports by bounce), others warn. */
static void option_o(const char *o, const char *arg)
{
	if (!strcmp(o, "i")) { opt.ignore_dots = 1; return; }
	if (o[0] == 'e' || o[0] == 'd' || o[0] == 'm' || o[0] == 'o') return;
	warn("ignoring option ", arg, NULL);
}

/* One option argument starting with '-'; may consume the next argument. */
static void option(char **argv, int *i)
{
	const char *a = argv[*i], *rest = a + 2;
	switch (a[1]) {
	case 't': opt.extract = 1; if (*rest) warn("ignoring option ", a, NULL); break;
	case 'i': opt.ignore_dots = 1; break;
	case 'o': option_o(rest, a); break;
	case 'f': case 'r': opt.sender = value(argv, i, rest); break;
	case 'F': opt.fullname = value(argv, i, rest); break;
	case 'N': opt.notify = value(argv, i, rest); break;
	case 'R': opt.ret = value(argv, i, rest); break;
	case 'V': opt.envid = value(argv, i, rest); break;
	case 'B': case 'C': case 'L': case 'h': case 'X': (void)value(argv, i, rest); break;
	case 'b': mode_b(rest, a); break;
	case 'q': opt.mode = MODE_QUEUERUN; break;
	case 'v': case 'm': case 'U': case 'n': case 'x': break;
	default: warn("ignoring unknown option ", a, NULL);
	}
}

static int send(char **rcpts, int n)
{
	struct inject_opts o;
	struct inject_error err;
	int code;
	memset(&o, 0, sizeof o);
	o.extract = opt.extract;
	o.dot_ends = !opt.ignore_dots;
	o.sender = opt.sender;
	o.fullname = opt.fullname;
	o.notify = opt.notify;
	o.ret = opt.ret;
	o.envid = opt.envid;
	signal(SIGPIPE, SIG_IGN);
	if (control_chdir_home() < 0) die_temp_sys("unable to chdir to the tern home", NULL);
	code = inject_message(&o, rcpts, n, 0, &err);
	if (code == 0) return 0;
	if (err.errnum) {
		errno = err.errnum;
		die_code_sys(code, err.text, NULL);
	}
	die_code(code, err.text, NULL);
}

int main(int argc, char **argv)
{
	char *none[2] = { NULL, NULL };
	int i;
	die_program = "sendmail";
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) { i++; break; }
		if (argv[i][0] != '-' || argv[i][1] == 0) break;
		option(argv, &i);
	}
	switch (opt.mode) {
	case MODE_LIST: run("mailq", none);
	case MODE_ALIASES: run("newaliases", none);
	case MODE_SMTP:
		/* A local user may send anywhere through sendmail anyway. */
		if (setenv("RELAYCLIENT", "", 1) < 0) die_nomem();
		run("smtpd-recv", none);
	case MODE_QUEUERUN:
		warn("-q: the queue runs by itself; use queue tools as root to force a retry", NULL);
		return 0;
	case MODE_SEND: break;
	}
	return send(argv + i, argc - i);
}
