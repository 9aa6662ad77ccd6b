/* Unit test of src/lib/die.c: each death exits with its code and says
   "<prog>: <kind>: <text>" on fd 2; warn does not exit; error_temporary
   sorts errno values. */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "die.h"
#include "check.h"

/* Runs fn in a child with fd 2 on a pipe: its exit code and what it said. */
static int run(void (*fn)(void), char *said, size_t size)
{
	int p[2], st;
	ssize_t n, got = 0;
	pid_t k;
	if (pipe(p) < 0) return -1;
	if ((k = fork()) == 0) { dup2(p[1], 2); close(p[0]); fn(); _exit(0); }
	close(p[1]);
	while (got < (ssize_t)size - 1 && (n = read(p[0], said + got, size - 1 - (size_t)got)) > 0) got += n;
	said[got] = 0;
	close(p[0]);
	waitpid(k, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void nomem(void) { die_nomem(); }
static void temp(void) { die_temp("a", "b", NULL); }
static void perm(void) { die_perm("c", NULL); }
static void code(void) { die_code(33, "d", NULL); }
static void sys(void) { errno = ENOENT; die_temp_sys("e", NULL); }
static void warning(void) { warn("f", NULL); }

int main(void)
{
	char said[256];
	die_program = "test";
	check(run(nomem, said, sizeof said) == 111 && !strcmp(said, "test: fatal: out of memory\n"), "die_nomem");
	check(run(temp, said, sizeof said) == 111 && !strcmp(said, "test: fatal: ab\n"), "die_temp");
	check(run(perm, said, sizeof said) == 100 && !strcmp(said, "test: fatal: c\n"), "die_perm");
	check(run(code, said, sizeof said) == 33 && !strcmp(said, "test: fatal: d\n"), "die_code");
	check(run(sys, said, sizeof said) == 111 && !strcmp(said, "test: fatal: e: No such file or directory\n"), "die_temp_sys");
	check(run(warning, said, sizeof said) == 0 && !strcmp(said, "test: warning: f\n"), "warn returns");
	check(error_temporary(EIO) && error_temporary(ENOMEM) && !error_temporary(ENOENT) && !error_temporary(EACCES),
	      "error_temporary");
	return failed;
}
