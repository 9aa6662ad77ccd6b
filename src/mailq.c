/* mailq: lists the queue, one message per paragraph, like sendmail's
   mailq (doc/mailq.md). Runs as root or tern-send (it reads queue/mess
   and queue/info). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "auto.h"
#include "buffer.h"
#include "control.h"
#include "date822.h"
#include "die.h"
#include "infofile.h"
#include "io.h"
#include "queue.h"
#include "scan.h"
#include "str.h"
#include "slurp.h"

#define INFO_MAX (64 * 1024 * 1024)

static char outspace[8192];
static buffer out;
static unsigned long long count, bytes, broken;

static void put(const char *s, size_t len)
{
	if (buffer_put(&out, s, len) < 0) die_temp_sys("cannot write output", NULL);
}
static void puts0(const char *s) { put(s, strlen(s)); }
static void putnum(unsigned long long n)
{
	if (buffer_putnum(&out, n) < 0) die_temp_sys("cannot write output", NULL);
}
/* Queue data is checked at injection, but print it defensively. */
static void put_clean(const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++) {
		char c = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
		put(&c, 1);
	}
}

/* Per-recipient states from info/S/N, if it exists and belongs to this message. */
static void read_state(unsigned long long id, time_t birth, size_t n, unsigned char *st, str *tx, time_t *next)
{
	str path = STR_INIT, data = STR_INIT;
	time_t b = 0;
	*next = 0;
	if (queue_path(&path, "queue/info", id) == 0 && slurp_path(path.s, &data, INFO_MAX) == 1 &&
	    (infofile_parse(data.s, data.len, n, &b, next, st, tx) != 0 || b != birth)) {
		memset(st, INFO_PENDING, n);
		*next = 0;
	}
	str_free(&path);
	str_free(&data);
}

static void list_rcpts(const struct envelope *env, unsigned long long id, time_t birth)
{
	size_t n = env->nrcpt, i;
	unsigned char *st = calloc(n ? n : 1, 1);
	str *tx = calloc(n ? n : 1, sizeof *tx);
	time_t next;
	char date[DATE822_LEN];
	if (!st || !tx) die_nomem();
	read_state(id, birth, n, st, tx, &next);
	for (i = 0; i < n; i++) {
		puts0("\t");
		put_clean(env->rcpt[i].addr, env->rcpt[i].len);
		puts0(st[i] == INFO_DONE ? "  (done)" : st[i] == INFO_FAILED ? "  (failed: " : "  (pending");
		if (st[i] != INFO_DONE && tx[i].len) {
			if (st[i] != INFO_FAILED) puts0("; last error: ");
			put_clean(tx[i].s, tx[i].len);
		}
		if (st[i] != INFO_DONE) puts0(")");
		puts0("\n");
		str_free(&tx[i]);
	}
	if (next) { date822_fmt(date, next); puts0("\tnext attempt: "); puts0(date); puts0("\n"); }
	free(st);
	free(tx);
}

static void list_message(const char *dir, const char *name)
{
	str path = STR_INIT, raw = STR_INIT;
	struct envelope env;
	struct stat st;
	unsigned long long id, len = 0;
	char date[DATE822_LEN];
	int fd;
	if (!scan_ulong_all(name, &id)) return;
	if (str_catv(&path, dir, "/", name, NULL) < 0 || str_0(&path) < 0) die_nomem();
	fd = open(path.s, O_RDONLY | O_CLOEXEC);
	if (fd < 0) { str_free(&path); return; }   /* removed meanwhile */
	if (fstat(fd, &st) < 0 || queue_file_read_envelope(fd, &len, &raw) != 0 ||
	    envelope_parse(raw.s, raw.len, &env) != 0) {
		close(fd);
		putnum(id);
		puts0("  (unreadable queue file)\n\n");
		broken++;
		str_free(&path); str_free(&raw);
		return;
	}
	close(fd);
	date822_fmt(date, st.st_mtime);
	putnum(id); puts0("  "); putnum(len); puts0("  "); puts0(date); puts0("  <");
	put_clean(env.sender, env.sender_len);
	puts0(">\n");
	list_rcpts(&env, id, st.st_mtime);
	puts0("\n");
	count++;
	bytes += len;
	envelope_free(&env);
	str_free(&path);
	str_free(&raw);
}

int main(int argc, char **argv)
{
	str dir = STR_INIT;
	unsigned int s;
	die_program = "mailq";
	if (argc > 1) die_code(100, "usage: mailq", NULL);
	if (control_chdir_home() < 0) die_temp_sys("cannot chdir to home", NULL);
	buffer_init(&out, 1, outspace, sizeof outspace);
	for (s = 0; s < auto_split; s++) {
		DIR *d;
		struct dirent *e;
		dir.len = 0;
		if (str_cats(&dir, "queue/mess/") < 0 || str_catnum(&dir, s) < 0 || str_0(&dir) < 0) die_nomem();
		if (!(d = opendir(dir.s))) die_temp_sys("cannot read ", dir.s, NULL);
		while ((e = readdir(d)) != NULL) list_message(dir.s, e->d_name);
		closedir(d);
	}
	if (count == 0 && broken == 0) puts0("Mail queue is empty\n");
	else {
		puts0("-- "); putnum(count); puts0(count == 1 ? " message, " : " messages, ");
		putnum(bytes); puts0(" bytes");
		if (broken) { puts0(", "); putnum(broken); puts0(" unreadable"); }
		puts0("\n");
	}
	if (buffer_flush(&out) < 0) die_temp_sys("cannot write output", NULL);
	str_free(&dir);
	return 0;
}
