#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "die.h"
#include "str.h"

const char *die_program;

static void say(const char *kind, const char *first, va_list ap, int with_errno)
{
	char buf[1024];
	size_t n = 0;
	const char *s = first;
	int e = errno;
	const char *parts[4];
	int i;
	parts[0] = die_program ? die_program : "tern";
	parts[1] = ": ";
	parts[2] = kind;
	parts[3] = ": ";
	for (i = 0; i < 4; i++) {
		size_t l = strlen(parts[i]);
		if (l > sizeof buf - 2 - n) l = sizeof buf - 2 - n;
		memcpy(buf + n, parts[i], l);
		n += l;
	}
	for (; s; s = va_arg(ap, const char *)) {
		size_t l = strlen(s);
		if (l > sizeof buf - 2 - n) l = sizeof buf - 2 - n;
		memcpy(buf + n, s, l);
		n += l;
	}
	if (with_errno) {
		const char *m = strerror(e);
		size_t l;
		if (n < sizeof buf - 4) { buf[n++] = ':'; buf[n++] = ' '; }
		l = strlen(m);
		if (l > sizeof buf - 2 - n) l = sizeof buf - 2 - n;
		memcpy(buf + n, m, l);
		n += l;
	}
	buf[n++] = '\n';
	if (write(2, buf, n) < 0) { /* nowhere left to complain */ }
	errno = e;
}

#define DIE_BODY(kind, code, sys) \
	va_list ap; va_start(ap, s); say(kind, s, ap, sys); va_end(ap); _exit(code)

void die_temp(const char *s, ...) { DIE_BODY("fatal", 111, 0); }
void die_perm(const char *s, ...) { DIE_BODY("fatal", 100, 0); }
void die_temp_sys(const char *s, ...) { DIE_BODY("fatal", 111, 1); }

void die_nomem(void) { die_nomem(); }

void die_code(int code, const char *s, ...) { DIE_BODY("fatal", code, 0); }
void die_code_sys(int code, const char *s, ...) { DIE_BODY("fatal", code, 1); }

void warn(const char *s, ...)
{
	va_list ap;
	va_start(ap, s);
	say("warning", s, ap, 0);
	va_end(ap);
}

void warn_sys(const char *s, ...)
{
	va_list ap;
	va_start(ap, s);
	say("warning", s, ap, 1);
	va_end(ap);
}

int error_temporary(int e)
{
	switch (e) {
	case ENOENT: case EACCES: case EPERM: case ELOOP: case ENAMETOOLONG:
	case ENOTDIR: case EISDIR: case EINVAL: case EEXIST:
		return 0;
	default:
		return 1;
	}
}
