/* Unit test of src/lib/qinject.c with a fake queue-inject (QUEUE_INJECT). */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TAP-ish output; stdio is fine here: the input is our own. */
#define B(lit) lit, sizeof(lit) - 1
#include "qinject.h"
#include "check.h"

static char dir[] = "/tmp/test-qinject.XXXXXX";
static char msgpath[64], envpath[64];

static size_t slurp(const char *path, char *buf, size_t max)
{
	int fd = open(path, O_RDONLY);
	ssize_t r;
	if (fd < 0) return 0;
	r = read(fd, buf, max);
	close(fd);
	return r > 0 ? (size_t)r : 0;
}

/* A fake queue-inject: copies fd 0 and fd 1 to files, exits $FAKE_EXIT. */
static void fake(void)
{
	char script[64];
	FILE *f;
	snprintf(script, sizeof script, "%s/fake", dir);
	f = fopen(script, "w");
	if (!f) exit(2);
	fprintf(f, "#!/bin/sh\ncat > %s/msg\ncat <&1 > %s/env\nexit ${FAKE_EXIT:-0}\n", dir, dir);
	fclose(f);
	chmod(script, 0755);
	setenv("QUEUE_INJECT", script, 1);
	snprintf(msgpath, sizeof msgpath, "%s/msg", dir);
	snprintf(envpath, sizeof envpath, "%s/env", dir);
}

int main(void)
{
	struct qinject q;
	char buf[256];
	size_t n;
	int perm = -1;
	signal(SIGPIPE, SIG_IGN);
	if (!mkdtemp(dir)) return 2;
	fake();

	check(qinject_start(&q) == 0 && q.pid > 0 && q.msgfd > 2 && q.envfd > 2, "start");
	check(write(q.msgfd, "Subject: x\n\nhi\n", 15) == 15, "write message");
	check(qinject_sender(&q, B("a@b")) == 0 && qinject_record(&q, 'E', B("id")) == 0 &&
	      qinject_recipient(&q, B("c@d")) == 0 && qinject_record(&q, 'N', B("NEVER")) == 0, "records");
	check(qinject_recipient(&q, "x\0y", 3) == -1, "NUL in a record refused");
	check(qinject_finish(&q) == 0, "finish: exit 0");
	n = slurp(msgpath, buf, sizeof buf);
	check(n == 15 && !memcmp(buf, "Subject: x\n\nhi\n", 15), "message arrived on fd 0");
	n = slurp(envpath, buf, sizeof buf);
	check(n == 22 && !memcmp(buf, "Fa@b\0Eid\0Tc@d\0NNEVER\0\0", 22), "envelope arrived on fd 1 after the message");

	setenv("FAKE_EXIT", "33", 1);
	check(qinject_start(&q) == 0 && qinject_sender(&q, B("")) == 0 &&
	      qinject_finish(&q) == 33, "exit code passed through");
	unsetenv("FAKE_EXIT");

	/* QMAILQUEUE is honoured when QUEUE_INJECT is not set. */
	setenv("QMAILQUEUE", getenv("QUEUE_INJECT"), 1);
	unsetenv("QUEUE_INJECT");
	unlink(msgpath);
	check(qinject_start(&q) == 0 && write(q.msgfd, "m", 1) == 1 && qinject_finish(&q) == 0 &&
	      slurp(msgpath, buf, sizeof buf) == 1, "QMAILQUEUE");
	setenv("QMAILQUEUE", "/nonexistent/queue-inject", 1);
	check(qinject_start(&q) == -1, "missing program: start fails");

	/* A large envelope cannot deadlock: it is written after the message. */
	setenv("QMAILQUEUE", getenv("QUEUE_INJECT") ? getenv("QUEUE_INJECT") : "", 1);
	{
		char script[64];
		int i, ok = 1;
		snprintf(script, sizeof script, "%s/fake", dir);
		setenv("QUEUE_INJECT", script, 1);
		check(qinject_start(&q) == 0, "start for big envelope");
		qinject_sender(&q, B("s@x"));
		for (i = 0; i < 20000 && ok; i++) ok = qinject_recipient(&q, B("recipient@example.org")) == 0;
		check(ok && qinject_finish(&q) == 0, "200 KB envelope");
	}

	check(qinject_start(&q) == 0, "start for abort");
	qinject_abort(&q);
	check(q.pid == -1 && q.msgfd == -1 && q.envfd == -1, "abort reaps and closes");

	check(!strcmp(qinject_reply(0, &perm), "250 2.0.0 ok") && perm == 0, "reply 0");
	check(!strncmp(qinject_reply(11, &perm), "554 5.1.3", 9) && perm == 1, "reply 11 permanent");
	check(!strncmp(qinject_reply(31, &perm), "554 5.3.0", 9) && perm == 1, "reply 31 permanent");
	check(!strncmp(qinject_reply(33, &perm), "552 5.3.4", 9) && perm == 1, "reply 33 permanent");
	check(!strncmp(qinject_reply(20, &perm), "554 5.3.0", 9) && perm == 1, "reply 11..40 permanent");
	check(!strncmp(qinject_reply(53, &perm), "452 4.3.1", 9) && perm == 0, "reply 53");
	check(!strncmp(qinject_reply(91, &perm), "451 4.3.0", 9) && perm == 0, "reply 91 temporary (caller's bug)");
	check(!strncmp(qinject_reply(QINJECT_CRASHED + 9, &perm), "451", 3) && perm == 0, "crash temporary");
	check(!strncmp(qinject_reply(200, NULL), "451", 3), "unknown temporary");
	unlink(msgpath); unlink(envpath);
	snprintf(buf, sizeof buf, "%s/fake", dir); unlink(buf);
	rmdir(dir);
	return failed;
}
