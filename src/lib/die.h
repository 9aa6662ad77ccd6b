#ifndef TERN_DIE_H
#define TERN_DIE_H
/* Printing to fd 2 and exiting, for main() only: library code returns
   errors and never exits. Arguments are NUL-terminated strings ending
   with NULL (spelled NULL everywhere). The message is "<prog>: <kind>: <strings>\n". */
extern const char *die_program;   /* set by main(); "tern" if unset */

/* Exit 111: a temporary failure, the caller should retry. */
void die_temp(const char *s, ...) __attribute__((noreturn, sentinel));
/* Exit 100: a permanent failure. */
void die_perm(const char *s, ...) __attribute__((noreturn, sentinel));
/* Exit with the given code. */
void die_code(int code, const char *s, ...) __attribute__((noreturn, sentinel));
/* Same as above, with ": <strerror(errno)>" appended. */
void die_temp_sys(const char *s, ...) __attribute__((noreturn, sentinel));
void die_code_sys(int code, const char *s, ...) __attribute__((noreturn, sentinel));
/* Exit 111 with "out of memory": the one spelling of the commonest death. */
void die_nomem(void) __attribute__((noreturn));
/* Prints "<prog>: warning: ...", does not exit. */
void warn(const char *s, ...) __attribute__((sentinel));
void warn_sys(const char *s, ...) __attribute__((sentinel));

/* Is this errno a temporary condition (retry later) rather than a
   permanent one? ENOENT, EACCES, ELOOP, ENAMETOOLONG, ENOTDIR, EISDIR,
   EROFS? are treated as permanent; resource and I/O trouble as temporary. */
int error_temporary(int e);
#endif
