/* queue-clean: removes queue files on the manager's request
   (doc/queue-clean.md). Runs as tern-queue, which owns mess/, todo/ and
   pid/; the manager (tern-send) cannot remove them itself. */
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "buffer.h"
#include "control.h"
#include "die.h"
#include "line.h"
#include "queue.h"
#include "scan.h"
#include "str.h"

#define PID_MAX_AGE (36 * 3600)   /* pid/ leftovers of crashed injections */
#define COMMAND_MAX 32            /* letter + 20 digits + NUL, with room */

static char outspace[1024];
static buffer out;
static str path = STR_INIT;

static int remove_file(const char *dir, unsigned long long id)
{
	if (queue_path(&path, dir, id) < 0) return -1;
	if (unlink(path.s) < 0 && errno != ENOENT) return -1;
	return 0;
}

/* Removes pid/ files older than PID_MAX_AGE. 0, or -1 if any failed. */
static int clean_pid(void)
{
	DIR *d = opendir("queue/pid");
	struct dirent *e;
	struct stat st;
	time_t now = time(NULL);
	int r = 0;
	if (!d) return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.') continue;
		path.len = 0;
		if (str_catv(&path, "queue/pid/", e->d_name, NULL) < 0 || str_0(&path) < 0) { r = -1; break; }
		if (lstat(path.s, &st) < 0) continue;
		if (!S_ISREG(st.st_mode) || st.st_mtime > now - PID_MAX_AGE) continue;
		if (unlink(path.s) < 0 && errno != ENOENT) r = -1;
	}
	closedir(d);
	return r;
}

/* Carries out one command (without its NUL); writes the reply. */
static int command(const char *c, size_t len)
{
	unsigned long long id = 0;
	int ok;
	if (len == 1 && c[0] == 'C') {
		ok = clean_pid() == 0;
		return buffer_put(&out, ok ? "K" : "Z", 2);
	}
	if (len < 2 || len > 21 || (c[0] != 'T' && c[0] != 'X') ||
	    scan_ulong(c + 1, len - 1, &id) != len - 1) {
		/* Not decimal: never build a path from it. */
		warn("refusing malformed command", NULL);
		return buffer_put(&out, "Z", 2);
	}
	ok = remove_file("queue/todo", id) == 0;
	if (ok && c[0] == 'X') ok = remove_file("queue/mess", id) == 0;
	if (!ok) warn_sys("cannot remove ", path.s, NULL);
	if (buffer_put(&out, ok ? "K" : "Z", 1) < 0) return -1;
	return buffer_put(&out, c + 1, len);   /* the digits and the NUL */
}

int main(void)
{
	char inspace[1024];
	buffer in;
	str line = STR_INIT;
	int r;
	die_program = "queue-clean";
	if (control_chdir_home() < 0) die_temp_sys("cannot chdir to home", NULL);
	buffer_init(&in, 0, inspace, sizeof inspace);
	buffer_init(&out, 1, outspace, sizeof outspace);
	for (;;) {
		r = line_read(&in, &line, 0, COMMAND_MAX);
		if (r == 0) break;
		if (r == -1) die_temp_sys("cannot read commands", NULL);
		if (r == LINE_TOO_LONG) line.len = 1;   /* answered as malformed */
		if (command(line.s, line.len - 1) < 0) die_temp_sys("cannot write reply", NULL);
		/* Flush when no more commands are waiting, so replies batch. */
		if (buffer_held(&in) == 0 && buffer_flush(&out) < 0) die_temp_sys("cannot write reply", NULL);
	}
	if (buffer_flush(&out) < 0) die_temp_sys("cannot write reply", NULL);
	str_free(&line);
	str_free(&path);
	return 0;
}
