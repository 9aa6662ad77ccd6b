/* Unit test of bounds-checked copies: in the musl build src/lib/fortify.h
   and fortify.c, in the glibc build glibc's _FORTIFY_SOURCE=2. Either way
   a copy past the end of a buffer of known size must abort the process
   before it writes (under ASan, ASan may stop it first), and a copy that
   fits must work. Lengths come through
   volatile variables, so the compiler cannot see them (a length it can
   see to be too long is a compile error with -Werror instead). */
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "check.h"

/* What Debian's libbearssl.a calls (it was compiled with glibc's
   fortification): the entry points themselves, with an explicit room. */
void *__memcpy_chk(void *, const void *, size_t, size_t);
void *__memmove_chk(void *, const void *, size_t, size_t);
void *__memset_chk(void *, int, size_t, size_t);

static volatile size_t big = 16, small = 4, two = 2;
static const char *volatile longstr = "sixteen chars ..";
static const char *volatile shortstr = "abc";
static char sink[64];

static int aborts(void (*fn)(void))
{
	pid_t pid = fork();
	int st;
	if (pid < 0) return 0;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0) dup2(null, 2);   /* the "overflow detected" line */
		fn();
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid) return 0;
#ifdef __SANITIZE_ADDRESS__
	/* Under ASan (make SANITIZE=1) its own check may catch the overflow
	   first: it reports and exits non-zero instead of aborting. */
	if (WIFEXITED(st) && WEXITSTATUS(st) != 0) return 1;
#endif
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
}

static void over_memcpy(void) { char b[8]; memcpy(b, sink, big); memcpy(sink, b, 8); }
static void over_memmove(void) { char b[8]; memmove(b, sink, big); memcpy(sink, b, 8); }
static void over_memset(void) { char b[8]; memset(b, 'x', big); memcpy(sink, b, 8); }
static void over_mempcpy(void) { char b[8]; mempcpy(b, sink, big); memcpy(sink, b, 8); }
static void over_strcpy(void) { char b[8]; strcpy(b, longstr); memcpy(sink, b, 8); }
static void over_stpcpy(void) { char b[8]; stpcpy(b, longstr); memcpy(sink, b, 8); }
static void over_strncpy(void) { char b[8]; strncpy(b, shortstr, big); memcpy(sink, b, 8); }
static void over_strcat(void) { char b[8] = "abcde"; strcat(b, shortstr); memcpy(sink, b, 8); }
static void over_strncat(void) { char b[8] = "abcde"; strncat(b, longstr, small); memcpy(sink, b, 8); }
static void over_bzero(void) { char b[8]; explicit_bzero(b, big); memcpy(sink, b, 8); }
static void over_read(void)
{
	char b[8];
	int fd = open("/dev/zero", O_RDONLY);
	if (read(fd, b, big) > 0) memcpy(sink, b, 8);
}
static void over_pread(void)
{
	char b[8];
	int fd = open("/dev/zero", O_RDONLY);
	if (pread(fd, b, big, 0) > 0) memcpy(sink, b, 8);
}
static void over_recv(void)
{
	char b[8];
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) return;
	if (write(sv[1], sink, 16) < 0) return;
	if (recv(sv[0], b, big, 0) > 0) memcpy(sink, b, 8);
}
static void over_gethostname(void) { char b[2]; if (gethostname(b, big) == 0) memcpy(sink, b, 2); }
static void over_poll(void)
{
	struct pollfd p[1] = { { .fd = -1 } };
	poll(p, two, 0);
}
static void over_bearssl_memcpy(void) { char b[8]; __memcpy_chk(b, sink, big, sizeof b); memcpy(sink, b, 8); }
static void over_bearssl_memmove(void) { char b[8]; __memmove_chk(b, sink, big, sizeof b); memcpy(sink, b, 8); }
static void over_bearssl_memset(void) { char b[8]; __memset_chk(b, 0, big, sizeof b); memcpy(sink, b, 8); }

static void fits(void)
{
	char b[8], c[8];
	int fd;
	memset(sink, 'y', sizeof sink);
	memcpy(b, sink, small); check(b[3] == 'y', "memcpy that fits");
	memset(b, 'z', small + 4); check(b[7] == 'z', "memset that fits");
	memmove(b + 1, b, small); check(b[4] == 'z', "memmove that fits");
	strcpy(c, shortstr); strcat(c, shortstr); check(!strcmp(c, "abcabc"), "strcpy, strcat that fit");
	strncpy(c, shortstr, small); check(!strcmp(c, "abc") && c[3] == 0, "strncpy that fits");
	strncat(c, longstr, small); check(!strcmp(c, "abcsixt"), "strncat that fits");
	explicit_bzero(b, 8); check(b[0] == 0 && b[7] == 0, "explicit_bzero that fits");
	fd = open("/dev/zero", O_RDONLY);
	b[0] = 1; check(read(fd, b, small) == 4 && b[0] == 0, "read that fits");
	close(fd);
	__memcpy_chk(b, sink, 8, 8); check(b[7] == 'y', "__memcpy_chk with room");
	__memset_chk(b, 0, 8, 8); check(b[7] == 0, "__memset_chk with room");
	__memmove_chk(b, sink, 8, 8); check(b[7] == 'y', "__memmove_chk with room");
}

int main(void)
{
	fits();
	check(aborts(over_memcpy), "memcpy past the end aborts");
	check(aborts(over_memmove), "memmove past the end aborts");
	check(aborts(over_memset), "memset past the end aborts");
	check(aborts(over_mempcpy), "mempcpy past the end aborts");
	check(aborts(over_strcpy), "strcpy past the end aborts");
	check(aborts(over_stpcpy), "stpcpy past the end aborts");
	check(aborts(over_strncpy), "strncpy past the end aborts");
	check(aborts(over_strcat), "strcat past the end aborts");
	check(aborts(over_strncat), "strncat past the end aborts");
	check(aborts(over_bzero), "explicit_bzero past the end aborts");
	check(aborts(over_read), "read past the end aborts");
	check(aborts(over_pread), "pread past the end aborts");
	check(aborts(over_recv), "recv past the end aborts");
	check(aborts(over_gethostname), "gethostname past the end aborts");
	check(aborts(over_poll), "poll with more fds than the array aborts");
	check(aborts(over_bearssl_memcpy), "__memcpy_chk without room aborts");
	check(aborts(over_bearssl_memmove), "__memmove_chk without room aborts");
	check(aborts(over_bearssl_memset), "__memset_chk without room aborts");
	return failed;
}
