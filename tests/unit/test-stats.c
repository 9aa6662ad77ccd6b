/* Unit test of src/lib/stats.c: a role's file made, mapped and counted
   into, read back by a second mapping; rates by minute; live sessions,
   also one left behind by a process that died without ending it. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "stats.h"
#include "check.h"

int main(void)
{
	char dir[] = "/tmp/tern-stats-XXXXXX";
	const struct stats_file *f;
	time_t now = time(NULL);
	pid_t kid;
	int st;
	if (!mkdtemp(dir) || chdir(dir) < 0 || mkdir("run", 0755) < 0 || mkdir("run/stats", 0755) < 0) return 1;
	check(stats_create("run/stats/smtpd") == 0, "create");
	check(stats_create("run/stats/smtpd") == 0, "create again keeps it");
	check(stats_open(STATS_SMTPD) == 0, "open for writing");
	stats_add(ST_SMTP_SESSIONS, 1);
	stats_add(ST_SMTP_SESSIONS, 2);
	stats_add(ST_SMTP_MESSAGES, 5);
	check(stats_map("run/stats/smtpd", &f) == 0, "map for reading");
	check(f->total[ST_SMTP_SESSIONS] == 3 && f->total[ST_SMTP_MESSAGES] == 5, "totals");
	check(stats_recent(f, ST_SMTP_SESSIONS, 1, now) + stats_recent(f, ST_SMTP_SESSIONS, 1, now + 60) >= 3 &&
	      stats_recent(f, ST_SMTP_SESSIONS, 15, now) <= 3, "this minute's bucket");
	check(stats_recent(f, ST_SMTP_SESSIONS, 15, now + 20 * 60) == 0, "old buckets do not count");
	check(stats_create("run/stats/smtpd") == 0 && f->total[ST_SMTP_SESSIONS] == 3, "install keeps the counts");
	check(stats_live(f) == 0, "no session yet");
	kid = fork();
	if (kid == 0) { stats_session_begin(); stats_add(ST_SMTP_TLS, 1); _exit(0); }   /* dies holding a slot */
	waitpid(kid, &st, 0);
	check(f->total[ST_SMTP_TLS] == 1, "a child's count reaches the file");
	check(stats_live(f) == 0, "a slot whose process died is not live");
	stats_session_begin();
	check(stats_live(f) == 1, "one live session");
	stats_session_end();
	check(stats_live(f) == 0, "session ended");
	check(stats_map("run/stats/none", &f) == -1, "missing file");
	unlink("run/stats/smtpd");
	rmdir("run/stats");
	rmdir("run");
	if (chdir("/") < 0) return 1;
	rmdir(dir);
	return failed;
}
