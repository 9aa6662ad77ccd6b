/* deliver-local: delivers one message to one local recipient, as that
   recipient, following its .qmail instructions (qmail-local semantics).
   Interface in doc/local-spawn.md; behaviour in doc/deliver-local.md. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include "auto.h"
#include "command.h"
#include "control.h"
#include "dotqmail.h"
#include "fmt.h"
#include "io.h"
#include "maildir.h"
#include "mbox.h"
#include "qinject.h"
#include "queue.h"
#include "recipient.h"
#include "scan.h"
#include "str.h"
#include "slurp.h"

#define INSTR_MAX 100            /* delivery instructions of one .qmail */
#define ALIAS_TARGETS_MAX 1000   /* targets of one aliases.cdb entry (newaliases' limit) */
#define DOTQMAIL_SIZE_MAX 65536  /* bytes of a .qmail or .forward file */
#define HEADER_LINE_MAX 2048     /* longer header lines cannot be our Delivered-To */
#define MBOX_TIMEOUT 120         /* seconds to wait for an mbox lock */
#define PROGRAM_OUTPUT_MAX 800   /* bytes of program output kept for the report */

static const char *user, *home, *local, *dash, *ext, *domain, *sender, *defaultdelivery;
static unsigned long long msglen;
static int alias_mode, dry_run;
static size_t default_at = (size_t)-1;
static str recipient, head, instr, forwards, env;
static size_t rpline_len;            /* head = RPLINE then DTLINE */
static unsigned ninstr, nfile, nforward, nprogram;
static int memfd = -1;

/* Prints the report line on stdout and exits with code (0, 100, 111). */
static void finish(int code, const char *s, ...) __attribute__((noreturn, sentinel));
static void finish(int code, const char *s, ...)
{
	str line = STR_INIT;
	va_list ap;
	va_start(ap, s);
	for (; s; s = va_arg(ap, const char *)) str_cats(&line, s);
	va_end(ap);
	str_catc(&line, '\n');
	if (line.s) io_write_all(1, line.s, line.len);
	_exit(code);
}

static void nomem(void) { finish(111, "4.3.0 out of memory", NULL); }

/* ---- gathering the instructions: "<type><text>\0" items ---- */

static void add_instr(char type, const char *s, size_t len, unsigned limit)
{
	if (len == 0) return;
	if (++ninstr > limit)
		finish(100, "5.3.5 too many delivery instructions (limit reached), nothing delivered", NULL);
	if (memchr(s, 0, len)) finish(100, "5.3.5 NUL byte in delivery instructions", NULL);
	if (str_catc(&instr, type) < 0 || str_catb(&instr, s, len) < 0 || str_cat0(&instr) < 0) nomem();
}

/* One target written as in /etc/aliases or .forward: |program, /file or
   ./file (ending in '/': a Maildir), else an address. */
static void add_target(const char *s, size_t len, unsigned limit)
{
	if (len && s[0] == '|') add_instr('P', s + 1, len - 1, limit);
	else if (len && (s[0] == '/' || s[0] == '.')) add_instr(s[len - 1] == '/' ? 'M' : 'F', s, len, limit);
	else add_instr('A', s, len, limit);
}

/* qmail-local's .qmail lines: '#' comment, '|' program, '/' or '.' file
   or Maildir, '&' address, anything else an address. */
static void parse_dotqmail(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - s) : len, e = end;
		while (e > i && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) e--;
		if (e > i && s[i] != '#') {
			if (s[i] == '&') add_instr('A', s + i + 1, e - i - 1, INSTR_MAX);
			else add_target(s + i, e - i, INSTR_MAX);
		}
		i = end + 1;
	}
}

/* One item of a .forward: "\\user" (this user) is the default
   delivery, another "\\name" a forward; else as an aliases target. */
static void forward_item(const char *s, size_t len)
{
	while (len && (*s == ' ' || *s == '\t')) { s++; len--; }
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r')) len--;
	if (len >= 2 && s[0] == '"' && s[len - 1] == '"') { s++; len -= 2; }
	if (len && s[0] == '\\') {
		if (len - 1 == strlen(user) && strncasecmp(s + 1, user, len - 1) == 0)
			parse_dotqmail(defaultdelivery, strlen(defaultdelivery));
		else
			add_instr('A', s + 1, len - 1, INSTR_MAX);
	} else {
		add_target(s, len, INSTR_MAX);
	}
}

/* ~/.forward: one line after another; '#' starts a comment line; a line
   starting with '|' is one program; other lines hold items separated by
   commas outside double quotes. */
static void parse_forward(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - s) : len, a = i, k;
		int quoted = 0;
		while (a < end && (s[a] == ' ' || s[a] == '\t')) a++;
		if (a < end && s[a] == '|') forward_item(s + a, end - a);
		else if (a < end && s[a] != '#') {
			for (k = a; k <= end; k++) {
				if (k < end && s[k] == '"') quoted = !quoted;
				if (k < end && (s[k] != ',' || quoted)) continue;
				forward_item(s + a, k - a);
				a = k + 1;
			}
		}
		i = end + 1;
	}
}

/* Reads a .qmail or .forward file (at most DOTQMAIL_SIZE_MAX bytes).
   0 read, 1 missing. A world-writable file is refused: anyone could
   have written the instructions. */
static int read_instructions(const char *path, str *out)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);   /* symlinked .qmail files are common */
	if (fd < 0 && errno == ENOENT) return 1;
	if (fd < 0 || fstat(fd, &st) < 0)
		finish(111, "4.3.0 cannot read ", path, ": ", strerror(errno), NULL);
	if (st.st_mode & S_IWOTH) finish(111, "4.7.0 ", path, " is world-writable", NULL);
	if (slurp_fd(fd, out, DOTQMAIL_SIZE_MAX) < 0) {
		if (errno == EFBIG) finish(100, "5.3.5 ", path, " is too large", NULL);
		if (errno == ENOMEM) nomem();
		finish(111, "4.3.0 cannot read ", path, ": ", strerror(errno), NULL);
	}
	close(fd);
	return 0;
}

/* The alias user first consults users/aliases.cdb (lives in auto_home). */
static int gather_alias(void)
{
	str targets = STR_INIT;
	size_t i;
	int r;
	if (chdir(auto_home) < 0) finish(111, "4.3.0 cannot chdir to the tern home", NULL);
	r = recipient_alias_targets(ext, strlen(ext), &targets);
	if (chdir(home) < 0) finish(111, "4.3.0 cannot chdir back to the home", NULL);
	if (r < 0) finish(111, "4.3.0 cannot read ", RECIPIENT_ALIASES_CDB, NULL);
	for (i = 0; r == 1 && i < targets.len; i += strlen(targets.s + i) + 1)
		add_target(targets.s + i, strlen(targets.s + i), ALIAS_TARGETS_MAX);
	str_free(&targets);
	return r;
}

static void gather(void)
{
	str path = STR_INIT, text = STR_INIT;
	int r;
	if (alias_mode && gather_alias() == 1) return;
	r = dotqmail_search(".", dash, ext, &path, &default_at);
	if (r < 0) finish(111, "4.3.0 cannot look for .qmail files: ", strerror(errno), NULL);
	if (r == 1 && read_instructions(path.s, &text) == 0) {
		if (text.len == 0) parse_dotqmail(defaultdelivery, strlen(defaultdelivery));
		else parse_dotqmail(text.s, text.len);
	} else if (*dash) {
		finish(100, "5.1.1 sorry, no mailbox here by that name", NULL);
	} else if (read_instructions("./.forward", &text) == 0 && text.len > 0) {
		parse_forward(text.s, text.len);
	} else {
		parse_dotqmail(defaultdelivery, strlen(defaultdelivery));
	}
	str_free(&path);
	str_free(&text);
}

/* ---- loop detection ---- */

/* Does one header line (without its newline) say Delivered-To us? */
static int is_our_dtline(const char *s, size_t len)
{
	size_t a = 13;
	if (len < a || strncasecmp(s, "Delivered-To:", 13) != 0) return 0;
	while (a < len && (s[a] == ' ' || s[a] == '\t')) a++;
	while (len > a && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r')) len--;
	return len - a == recipient.len && strncasecmp(s + a, recipient.s, len - a) == 0;
}

/* Scans the message's header (bytes [0, msglen) of fd 0, up to the
   first empty line) for "Delivered-To: <recipient>". */
static int seen_before(void)
{
	char buf[8192];
	str line = STR_INIT;
	unsigned long long off = 0;
	int over = 0, found = 0, done = 0;
	while (off < msglen && !done && !found) {
		size_t want = msglen - off < sizeof buf ? (size_t)(msglen - off) : sizeof buf, i = 0;
		ssize_t r = pread(0, buf, want, (off_t)off);
		if (r < 0 && errno == EINTR) continue;
		if (r <= 0) finish(111, "4.3.0 cannot read the message", NULL);
		off += (unsigned long long)r;
		while (i < (size_t)r && !done && !found) {
			const char *nl = memchr(buf + i, '\n', (size_t)r - i);
			size_t end = nl ? (size_t)(nl - buf) : (size_t)r;
			if (!over && line.len + (end - i) <= HEADER_LINE_MAX) {
				if (str_catb(&line, buf + i, end - i) < 0) nomem();
			} else over = 1;
			i = end + 1;
			if (!nl) break;
			if (!over && (line.len == 0 || (line.len == 1 && line.s[0] == '\r'))) done = 1;
			else if (!over) found = is_our_dtline(line.s, line.len);
			line.len = 0;
			over = 0;
		}
	}
	if (!found && !done && !over && line.len) found = is_our_dtline(line.s, line.len);
	str_free(&line);
	return found;
}

/* ---- the environment of programs (qmail-command(8)) ---- */

static void env_put(const char *name, const char *v, size_t len)
{
	if (str_cats(&env, name) < 0 || str_catc(&env, '=') < 0 || str_catb(&env, v, len) < 0 ||
	    str_cat0(&env) < 0)
		nomem();
}
static void env_puts(const char *name, const char *v) { env_put(name, v, strlen(v)); }

/* EXT2..EXT4: what follows the 1st..3rd '-' of EXT; HOST2..HOST4: what
   precedes the last..3rd-last '.' of HOST. */
static void env_parts(void)
{
	static const char *extn[] = { "EXT2", "EXT3", "EXT4" }, *hostn[] = { "HOST2", "HOST3", "HOST4" };
	size_t i, k = 0, len = strlen(domain);
	for (i = 0; ext[i] && k < 3; i++)
		if (ext[i] == '-') env_puts(extn[k++], ext + i + 1);
	for (k = 0; k < 3 && len > 0; len--)
		if (domain[len - 1] == '.') env_put(hostn[k++], domain, len - 1);
}

static char **build_env(void)
{
	static char *none[] = { NULL };
	char **envp;
	size_t i, n = 0;
	env_puts("PATH", "/usr/local/bin:/usr/bin:/bin");
	env_puts("SHELL", "/bin/sh");
	env_puts("USER", user);
	env_puts("HOME", home);
	env_puts("SENDER", sender);
	env_puts("NEWSENDER", sender);
	env_puts("RECIPIENT", recipient.s);
	env_puts("LOCAL", local);
	env_puts("HOST", domain);
	env_puts("EXT", ext);
	env_parts();
	if (default_at != (size_t)-1) env_puts("DEFAULT", ext + default_at);
	env_put("RPLINE", head.s, rpline_len);
	env_put("DTLINE", head.s + rpline_len, head.len - rpline_len);
	for (i = 0; i < env.len; i++) if (!env.s[i]) n++;
	envp = calloc(n + 1, sizeof *envp);
	if (!envp) return none;
	for (i = 0, n = 0; i < env.len; i += strlen(env.s + i) + 1) envp[n++] = env.s + i;
	return envp;
}

/* ---- doing it ---- */

/* The message as a program sees it: RPLINE, DTLINE, the message; sealed
   so one program cannot change what the next one reads. */
static int message_fd(void)
{
	if (memfd >= 0) return memfd;
	memfd = memfd_create("deliver-local", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (memfd < 0 || io_write_all(memfd, head.s, head.len) < 0 || maildir_copy(memfd, 0, msglen) < 0)
		finish(111, "4.3.0 cannot copy the message: ", strerror(errno), NULL);
	fcntl(memfd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
	return memfd;
}

/* 1 when the program said 99: stop here. */
static int do_program(const char *cmd, char **envp)
{
	str out = STR_INIT;
	int code = command_run(cmd, message_fd(), envp, &out, PROGRAM_OUTPUT_MAX), i;
	char num[FMT_ULONG + 1];
	if (code < 0) finish(111, "4.3.0 cannot run a program: ", strerror(errno), NULL);
	nprogram++;
	for (i = 0; i < (int)out.len; i++) if ((unsigned char)out.s[i] < 0x20) out.s[i] = ' ';
	if (str_0(&out) < 0) nomem();
	num[fmt_ulong(num, (unsigned long long)code)] = 0;
	switch (command_result(code)) {
	case COMMAND_OK: return 0;
	case COMMAND_STOP: return 1;
	case COMMAND_PERM:
		finish(100, "5.2.0 program exited ", num, ": ", out.s ? out.s : "", NULL);
	default:
		if (code >= COMMAND_KILLED) finish(111, "4.3.0 program was killed", NULL);
		finish(111, "4.2.0 program exited ", num, ": ", out.s ? out.s : "", NULL);
	}
}

static void do_file(char type, const char *path)
{
	int r;
	if (type == 'M') r = maildir_deliver(path, head.s, head.len, 0, msglen, NULL);
	else r = mbox_deliver(path, sender, strlen(sender), head.s, head.len, 0, msglen, MBOX_TIMEOUT);
	if (r < 0 && errno == EDQUOT) finish(111, "4.2.2 mailbox full: ", path, NULL);
	if (r < 0 && errno == ETIMEDOUT) finish(111, "4.2.0 mailbox ", path, " is locked", NULL);
	if (r < 0) finish(111, "4.2.0 cannot deliver to ", path, ": ", strerror(errno), NULL);
	nfile++;
}

/* All addresses of the .qmail go out in one injection, after the other
   deliveries, as qmail-local does. */
static void do_forwards(void)
{
	struct qinject q;
	size_t i;
	int code, perm;
	const char *text;
	if (!forwards.len) return;
	signal(SIGPIPE, SIG_IGN);
	if (qinject_start(&q) < 0) finish(111, "4.3.0 cannot start queue-inject: ", strerror(errno), NULL);
	if (io_write_all(q.msgfd, head.s + rpline_len, head.len - rpline_len) == 0)
		maildir_copy(q.msgfd, 0, msglen);
	if (qinject_sender(&q, sender, strlen(sender)) < 0) nomem();
	for (i = 0; i < forwards.len; i += strlen(forwards.s + i) + 1)
		if (qinject_recipient(&q, forwards.s + i, strlen(forwards.s + i)) < 0) nomem();
	code = qinject_finish(&q);
	text = qinject_reply(code, &perm);
	if (code != 0) finish(perm ? 100 : 111, text + 4, " (while forwarding)", NULL);
}

/* An address without '@' gets control/envnoathost (default: me), as
   qmail-send would complete it. Addresses queue-inject would refuse for
   ever (control characters, spaces, too long) are a permanent failure. */
static void add_forward(const char *addr)
{
	static str noat;
	size_t i, start = forwards.len;
	if (!strchr(addr, '@') && !noat.len) {
		str path = STR_INIT, me = STR_INIT;
		if (str_catv(&path, auto_home, "/control/me", NULL) < 0 || str_0(&path) < 0 ||
		    control_read_string(&me, path.s, "localhost") < 0 || str_0(&me) < 0)
			finish(111, "4.3.0 cannot read control/me", NULL);
		path.len = 0;
		if (str_catv(&path, auto_home, "/control/envnoathost", NULL) < 0 || str_0(&path) < 0 ||
		    control_read_string(&noat, path.s, me.s) < 0)
			finish(111, "4.3.0 cannot read control/envnoathost", NULL);
	}
	if (str_cats(&forwards, addr) < 0) nomem();
	if (!strchr(addr, '@') && (str_catc(&forwards, '@') < 0 || str_cat(&forwards, &noat) < 0)) nomem();
	for (i = start; i < forwards.len; i++)
		if ((unsigned char)forwards.s[i] <= 0x20 || forwards.s[i] == 0x7f)
			finish(100, "5.1.3 bad forwarding address in the delivery instructions", NULL);
	if (forwards.len - start > ENVELOPE_ADDR_MAX)
		finish(100, "5.1.3 forwarding address too long", NULL);
	if (str_cat0(&forwards) < 0) nomem();
	nforward++;
}

static void run(void)
{
	char **envp = NULL;
	size_t i;
	int stop = 0;
	for (i = 0; i < instr.len && !stop; i += strlen(instr.s + i) + 1) {
		const char *s = instr.s + i + 1;
		switch (instr.s[i]) {
		case 'P':
			if (!envp) envp = build_env();
			stop = do_program(s, envp);   /* 99: skip the rest */
			break;
		case 'M': case 'F': do_file(instr.s[i], s); break;
		case 'A': add_forward(s); break;
		}
	}
	do_forwards();
}

static void print_instructions(void)
{
	size_t i;
	str out = STR_INIT;
	for (i = 0; i < instr.len; i += strlen(instr.s + i) + 1) {
		const char *kind = instr.s[i] == 'P' ? "program " : instr.s[i] == 'M' ? "maildir " :
		                   instr.s[i] == 'F' ? "mbox " : "forward ";
		if (str_catv(&out, kind, instr.s + i + 1, "\n", NULL) < 0) nomem();
	}
	if (out.len) io_write_all(1, out.s, out.len);
	_exit(0);
}

static void usage(void)
{
	finish(111, "4.3.0 usage: deliver-local [-a] [-n] [--] user home local dash ext domain sender msglen [defaultdelivery]",
	       NULL);
}

static void setup(int argc, char **argv)
{
	int i = 1;
	struct stat st;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--")) { i++; break; }
		if (!strcmp(argv[i], "-a")) alias_mode = 1;
		else if (!strcmp(argv[i], "-n")) dry_run = 1;
		else usage();
	}
	if (argc - i != 8 && argc - i != 9) usage();
	user = argv[i]; home = argv[i + 1]; local = argv[i + 2]; dash = argv[i + 3];
	ext = argv[i + 4]; domain = argv[i + 5]; sender = argv[i + 6];
	if (!scan_ulong_all(argv[i + 7], &msglen)) usage();
	defaultdelivery = argc - i == 9 && argv[i + 8][0] ? argv[i + 8] : "./Maildir/";
	umask(077);
	signal(SIGXFSZ, SIG_IGN);   /* a file size limit is a write error, so the mbox is truncated back */
	if (chdir(home) < 0) finish(111, "4.2.1 cannot chdir to the home directory: ", strerror(errno), NULL);
	if (stat(".", &st) < 0) finish(111, "4.3.0 cannot stat the home directory", NULL);
	if (st.st_mode & S_IWOTH) finish(111, "4.7.0 home directory is world-writable", NULL);
	if (st.st_mode & S_ISVTX) finish(111, "4.2.1 home directory is sticky: user is editing .qmail files", NULL);
	if (str_cats(&recipient, local) < 0 || (*domain && str_catv(&recipient, "@", domain, NULL) < 0) ||
	    str_0(&recipient) < 0 || str_catv(&head, "Return-Path: <", sender, ">\n", NULL) < 0)
		nomem();
	rpline_len = head.len;
	if (str_catv(&head, "Delivered-To: ", recipient.s, "\n", NULL) < 0) nomem();
}

int main(int argc, char **argv)
{
	char num[3][FMT_ULONG + 1];
	setup(argc, argv);
	if (!dry_run && seen_before())
		finish(100, "5.4.6 mail loop: this message was already delivered to ", recipient.s, NULL);
	gather();
	if (dry_run) print_instructions();
	run();
	num[0][fmt_ulong(num[0], nfile)] = 0;
	num[1][fmt_ulong(num[1], nforward)] = 0;
	num[2][fmt_ulong(num[2], nprogram)] = 0;
	finish(0, "2.0.0 delivered: did ", num[0], "+", num[1], "+", num[2], NULL);
}
