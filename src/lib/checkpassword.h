#ifndef TERN_CHECKPASSWORD_H
#define TERN_CHECKPASSWORD_H
#include "str.h"

/* The checkpassword interface (doc/checkpassword-system.md): the caller
   writes "user\0password\0" (optionally followed by more NUL-terminated
   fields, e.g. a timestamp) to fd 3, at most CHECKPASSWORD_MAX bytes.
   crypt(3) is used, so programs using this module link -lcrypt. */
#define CHECKPASSWORD_MAX 512
#define CHECKPASSWORD_BAD (-2)

struct checkpassword_input {
	char buf[CHECKPASSWORD_MAX + 1];
	const char *user;       /* point into buf */
	const char *password;
};
/* Reads fd to its end. 0 ok, -1 read error (errno), CHECKPASSWORD_BAD
   (more than CHECKPASSWORD_MAX bytes, or fewer than two fields, or an
   empty user). */
int checkpassword_read(int fd, struct checkpassword_input *in);
/* Clears the password from memory. */
void checkpassword_wipe(struct checkpassword_input *in);

/* Does password hash to hash under crypt(3)? The comparison of the
   crypt output is constant-time. Locked or empty hashes ("", "!...",
   "*...", anything not "$...$") never match. 1 yes, 0 no, -1 error. */
int checkpassword_hash_matches(const char *password, const char *hash);
/* A new crypt(3) hash of password for the method prefix ("$y$" yescrypt,
   "$6$" sha512-crypt) with a random salt, into out (NUL-terminated).
   0 or -1 (errno). */
int checkpassword_hash_make(const char *password, const char *prefix, str *out);
#endif
