/* tern-stat: live counters and gauges of a running tern, as a table, a
   monitor that redraws itself, or Prometheus's text format
   (doc/tern-stat.md). It only reads: the counter files the programs map
   (src/lib/stats.h) and the queue's directories. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "atomic.h"
#include "auto.h"
#include "buffer.h"
#include "die.h"
#include "fmt.h"
#include "scan.h"
#include "stats.h"
#include "str.h"

static const struct stats_file *files[STATS_ROLES];

struct queue_gauges {
	unsigned long long messages, bytes, deferred;
	time_t oldest;
};

static void files_map(void)
{
	unsigned r;
	for (r = 0; r < STATS_ROLES; r++) {
		str p = STR_INIT;
		files[r] = NULL;
		if (str_catv(&p, "run/stats/", stats_role_name[r], NULL) < 0 || str_0(&p) < 0) die_nomem();
		if (stats_map(p.s, &files[r]) < 0 && errno != ENOENT)
			warn_sys("cannot read ", p.s, NULL);
		str_free(&p);
	}
}

static uint64_t total(enum stats_counter c)
{
	const struct stats_file *f = files[stats_info[c].role];
	return f ? __atomic_load_n(&f->total[c], __ATOMIC_RELAXED) : 0;
}

static uint64_t recent(enum stats_counter c, unsigned minutes, time_t now)
{
	const struct stats_file *f = files[stats_info[c].role];
	return f ? stats_recent(f, c, minutes, now) : 0;
}

/* Counts queue/mess/S/N (messages, bytes, the oldest) and queue/info/S/N
   (deferred: only deferred messages have one, doc/queue.md). */
static void dir_scan(const char *top, struct queue_gauges *g, int info)
{
	DIR *d = opendir(top), *s;
	struct dirent *e, *m;
	str path = STR_INIT;
	if (!d) return;
	while ((e = readdir(d)) != NULL) {
		unsigned long long n;
		if (!scan_ulong_all(e->d_name, &n)) continue;
		path.len = 0;
		if (str_catv(&path, top, "/", e->d_name, NULL) < 0 || str_0(&path) < 0) die_nomem();
		if (!(s = opendir(path.s))) continue;
		while ((m = readdir(s)) != NULL) {
			struct stat st;
			if (!scan_ulong_all(m->d_name, &n) || fstatat(dirfd(s), m->d_name, &st, 0) < 0) continue;
			if (info) { g->deferred++; continue; }
			g->messages++;
			g->bytes += (unsigned long long)st.st_size;
			if (!g->oldest || st.st_mtime < g->oldest) g->oldest = st.st_mtime;
		}
		closedir(s);
	}
	closedir(d);
	str_free(&path);
}

static void queue_scan(struct queue_gauges *g)
{
	memset(g, 0, sizeof *g);
	dir_scan("queue/mess", g, 0);
	dir_scan("queue/info", g, 1);
}

static void put_num(str *o, unsigned long long n)
{
	if (str_catnum(o, n) < 0) die_nomem();
}

static void put_padded(str *o, const char *s, size_t width)
{
	size_t n = strlen(s);
	if (str_cats(o, s) < 0) die_nomem();
	while (n++ < width) if (str_catc(o, ' ') < 0) die_nomem();
}

static void put_col(str *o, unsigned long long n, size_t width)
{
	char b[FMT_ULONG];
	size_t l = fmt_ulong(b, n);
	while (l < width--) if (str_catc(o, ' ') < 0) die_nomem();
	if (str_catb(o, b, l) < 0) die_nomem();
}

static void table(str *o, time_t now)
{
	struct queue_gauges g;
	unsigned c, r;
	const struct stats_file *smtpd = files[STATS_SMTPD];
	queue_scan(&g);
	if (str_cats(o, "gauges\n  smtp_sessions_now      ") < 0) die_nomem();
	put_num(o, smtpd ? stats_live(smtpd) : 0);
	if (str_cats(o, "\n  queue_messages         ") < 0) die_nomem();
	put_num(o, g.messages);
	if (str_cats(o, "\n  queue_deferred         ") < 0) die_nomem();
	put_num(o, g.deferred);
	if (str_cats(o, "\n  queue_bytes            ") < 0) die_nomem();
	put_num(o, g.bytes);
	if (str_cats(o, "\n  queue_oldest_seconds   ") < 0) die_nomem();
	put_num(o, g.oldest && now > g.oldest ? (unsigned long long)(now - g.oldest) : 0);
	if (str_cats(o, "\n\ncounter                               total    1 min    5 min   15 min\n") < 0) die_nomem();
	for (c = 0; c < ST_COUNTERS; c++) {
		if (str_cats(o, "  ") < 0) die_nomem();
		put_padded(o, stats_info[c].name, 32);
		put_col(o, total(c), 10);
		put_col(o, recent(c, 1, now), 9);
		put_col(o, recent(c, 5, now), 9);
		put_col(o, recent(c, 15, now), 9);
		if (str_catc(o, '\n') < 0) die_nomem();
	}
	for (r = 0; r < STATS_ROLES; r++) {
		if (str_catv(o, r ? ", " : "\ncounting since: ", stats_role_name[r], " ", NULL) < 0) die_nomem();
		if (files[r]) put_num(o, (unsigned long long)files[r]->created);
		else if (str_cats(o, "(no file)") < 0) die_nomem();
	}
	if (str_catc(o, '\n') < 0) die_nomem();
}

static void prom_metric(str *o, const char *name, const char *type, const char *help, unsigned long long v)
{
	if (str_catv(o, "# HELP tern_", name, " ", help, "\n# TYPE tern_", name, " ", type, "\ntern_", name, " ", NULL) < 0)
		die_nomem();
	put_num(o, v);
	if (str_catc(o, '\n') < 0) die_nomem();
}

static void prometheus(str *o, time_t now)
{
	struct queue_gauges g;
	unsigned c;
	queue_scan(&g);
	for (c = 0; c < ST_COUNTERS; c++)
		prom_metric(o, stats_info[c].name, "counter", stats_info[c].help, total(c));
	prom_metric(o, "smtp_sessions", "gauge", "SMTP sessions open now",
	            files[STATS_SMTPD] ? stats_live(files[STATS_SMTPD]) : 0);
	prom_metric(o, "queue_messages", "gauge", "messages in the queue", g.messages);
	prom_metric(o, "queue_deferred_messages", "gauge", "messages in the queue after a deferral", g.deferred);
	prom_metric(o, "queue_bytes", "gauge", "bytes of the queued messages", g.bytes);
	prom_metric(o, "queue_oldest_message_age_seconds", "gauge", "age of the oldest queued message",
	            g.oldest && now > g.oldest ? (unsigned long long)(now - g.oldest) : 0);
}

static void out_write(const str *o)
{
	char space[8192];
	buffer b;
	buffer_init(&b, 1, space, sizeof space);
	if (buffer_put(&b, o->s, o->len) < 0 || buffer_flush(&b) < 0) die_temp_sys("cannot write", NULL);
}

static void usage(void)
{
	die_code(2, "usage: tern-stat [-w seconds] | --prometheus [-o file] | --init", NULL);
}

/* make install: the counter files, created (or kept) one per role. */
static void init(void)
{
	unsigned r;
	if (mkdir("run", 0755) < 0 && errno != EEXIST) die_temp_sys("cannot create run", NULL);
	if (mkdir("run/stats", 0755) < 0 && errno != EEXIST) die_temp_sys("cannot create run/stats", NULL);
	for (r = 0; r < STATS_ROLES; r++) {
		str p = STR_INIT;
		if (str_catv(&p, "run/stats/", stats_role_name[r], NULL) < 0 || str_0(&p) < 0) die_nomem();
		if (stats_create(p.s) < 0) die_temp_sys("cannot create ", p.s, NULL);
		str_free(&p);
	}
}

int main(int argc, char **argv)
{
	unsigned long long every = 0;
	const char *outfile = NULL;
	int prom = 0, i;
	str o = STR_INIT;
	die_program = "tern-stat";
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-w") && i + 1 < argc) {
			if (!scan_ulong_all(argv[++i], &every) || every == 0 || every > 86400) usage();
		} else if (!strcmp(argv[i], "--prometheus")) prom = 1;
		else if (!strcmp(argv[i], "-o") && i + 1 < argc) outfile = argv[++i];
		else if (!strcmp(argv[i], "--init") && argc == 2) {
			if (chdir(auto_home) < 0) die_temp_sys("cannot chdir to ", auto_home, NULL);
			init();
			return 0;
		} else usage();
	}
	if ((outfile && !prom) || (every && prom)) usage();
	/* -o is written relative to where we were started. */
	if (outfile && outfile[0] != '/') die_perm("-o needs an absolute path", NULL);
	if (chdir(auto_home) < 0) die_temp_sys("cannot chdir to ", auto_home, NULL);
	files_map();
	for (;;) {
		time_t now = time(NULL);
		o.len = 0;
		if (every && str_cats(&o, "\033[H\033[2J") < 0) die_nomem();
		if (prom) prometheus(&o, now);
		else table(&o, now);
		if (outfile) {
			if (atomic_write(outfile, o.s, o.len, 0644) < 0) die_temp_sys("cannot write ", outfile, NULL);
		} else out_write(&o);
		if (!every) break;
		sleep((unsigned)every);
	}
	return 0;
}
