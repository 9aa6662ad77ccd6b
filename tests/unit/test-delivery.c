/* Unit test of src/lib/delivery.c: the home checks, the loop check, and
   Maildir/mbox lines with the creation rules (inside the home, the
   recipient's home, never through a link). Runs as root (make test). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "delivery.h"
#include "check.h"

static char home[] = "/tmp/test-delivery.XXXXXX";
static str why;

static int message(const char *text)
{
	char p[256];
	int fd;
	snprintf(p, sizeof p, "%s.msg", home);
	fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0600);
	unlink(p);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) return -1;
	return fd;
}

static void start(struct delivery *d, int fd, size_t len)
{
	delivery_init(d);
	d->user = "joe"; d->home = home; d->local = "joe"; d->domain = "example.org"; d->sender = "s@x";
	d->msgfd = fd; d->msglen = len;
}

static int says(const char *prefix) { return why.s && strncmp(why.s, prefix, strlen(prefix)) == 0; }

static void test_home(int fd)
{
	struct delivery d;
	start(&d, fd, 5);
	check(delivery_start(&d, &why) == DELIVERY_OK, "start");
	check(d.head.len == 49 && !memcmp(d.head.s, "Return-Path: <s@x>\nDelivered-To: joe@example.org\n", 49) &&
	      d.rpline_len == 19, "RPLINE and DTLINE");
	check(d.owns_home, "root's home is root's");
	delivery_free(&d);
	chmod(home, 0775);
	start(&d, fd, 5);
	check(delivery_start(&d, &why) == DELIVERY_TEMP && says("4.7.0 home directory is group-writable"), "group-writable");
	d.allow_group = 1;
	check(delivery_start(&d, &why) == DELIVERY_OK, "group-writable allowed");
	chmod(home, 0777);
	check(delivery_start(&d, &why) == DELIVERY_TEMP && says("4.7.0 home directory is world-writable"), "world-writable");
	chmod(home, 01755);
	check(delivery_start(&d, &why) == DELIVERY_TEMP && says("4.2.1 "), "sticky");
	chmod(home, 0755);
	delivery_free(&d);
}

static void test_files(int fd)
{
	struct delivery d;
	struct stat st;
	char p[256];
	start(&d, fd, 5);
	delivery_start(&d, &why);
	check(delivery_file(&d, DOTQMAIL_MAILDIR, "./Maildir/", &why) == DELIVERY_OK, "missing Maildir made");
	check(stat("Maildir/new", &st) == 0 && (st.st_mode & 0777) == 0700, "Maildir/new 0700");
	snprintf(p, sizeof p, "%s/a/b/M/", home);
	check(delivery_file(&d, DOTQMAIL_MAILDIR, p, &why) == DELIVERY_OK, "absolute path in the home, parents made");
	check(delivery_file(&d, DOTQMAIL_MAILDIR, "/tmp/tern-test-delivery-outside/", &why) == DELIVERY_TEMP &&
	      says("4.2.0 /tmp/tern-test-delivery-outside/ does not exist (tern creates"), "outside the home");
	check(access("/tmp/tern-test-delivery-outside", F_OK) < 0, "nothing made outside");
	check(delivery_file(&d, DOTQMAIL_MAILDIR, "./../x/", &why) == DELIVERY_TEMP &&
	      says("4.7.0 not creating ./../x/: it leads out"), "..");
	check(symlink("/tmp/tern-test-delivery-nowhere", "dangling") == 0, "symlink");
	check(delivery_file(&d, DOTQMAIL_MAILDIR, "./dangling/", &why) == DELIVERY_TEMP &&
	      says("4.7.0 not creating ./dangling/: a part of it is a symbolic link"), "dangling link");
	check(delivery_file(&d, DOTQMAIL_MBOX, "./mail/box", &why) == DELIVERY_OK, "missing mbox made");
	check(stat("mail/box", &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_size > 5, "mbox 0600, written");
	check(symlink("mail/box", "boxlink") == 0, "symlink");
	check(delivery_file(&d, DOTQMAIL_MBOX, "./boxlink", &why) == DELIVERY_TEMP &&
	      says("4.7.0 ./boxlink is a symbolic link"), "mbox link refused");
	check(chown(home, 12345, 12345) == 0, "chown");
	delivery_free(&d);
	start(&d, fd, 5);
	delivery_start(&d, &why);
	check(!d.owns_home && delivery_file(&d, DOTQMAIL_MAILDIR, "./New/", &why) == DELIVERY_TEMP &&
	      says("4.2.0 ./New/ does not exist and the home directory is not owned by joe"), "home of someone else");
	check(delivery_file(&d, DOTQMAIL_MAILDIR, "./Maildir/", &why) == DELIVERY_OK, "an existing Maildir still works");
	check(chown(home, 0, 0) == 0, "chown back");
	st.st_mode = S_IFREG | 0664;
	check(delivery_file_safe(&d, &st, "./.qmail", &why) == DELIVERY_TEMP && says("4.7.0 ./.qmail is group-writable"),
	      ".qmail group-writable");
	st.st_mode = S_IFREG | 0644;
	check(delivery_file_safe(&d, &st, "./.qmail", &why) == DELIVERY_OK, ".qmail 0644");
	delivery_free(&d);
}

static void test_loop(void)
{
	struct delivery d;
	int fd = message("Delivered-To: JOE@example.org\n\nx\n");
	start(&d, fd, 33);
	delivery_start(&d, &why);
	check(delivery_looped(&d, &why) == DELIVERY_PERM && says("5.4.6 mail loop"), "loop");
	delivery_free(&d);
	close(fd);
	fd = message("Subject: x\n\nDelivered-To: joe@example.org\n");
	start(&d, fd, 43);
	delivery_start(&d, &why);
	check(delivery_looped(&d, &why) == DELIVERY_OK, "body is no loop");
	delivery_free(&d);
	close(fd);
	fd = message("Subject: x\n");
	start(&d, fd, 1000);
	delivery_start(&d, &why);
	check(delivery_looped(&d, &why) == DELIVERY_TEMP && says("4.3.0 cannot read"), "shorter than msglen: temporary");
	delivery_free(&d);
	close(fd);
}

int main(void)
{
	int fd;
	umask(077);
	if (!mkdtemp(home)) { check(0, "mkdtemp"); return 1; }
	chmod(home, 0755);
	fd = message("hello");
	test_home(fd);
	test_files(fd);
	test_loop();
	close(fd);
	str_free(&why);
	if (chdir("/") == 0 && fork() == 0) execl("/bin/rm", "rm", "-rf", home, (char *)0);
	return failed;
}
