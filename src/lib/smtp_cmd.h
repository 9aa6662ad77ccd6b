#ifndef TERN_SMTP_CMD_H
#define TERN_SMTP_CMD_H
#include <stddef.h>
#include "str.h"

/* Parsing of SMTP command lines (RFC 5321, with the ESMTP parameters of
   RFC 1870, 1652, 3461, 6531). Pure functions on caller-supplied bytes:
   nothing here reads, writes or allocates beyond the str it is given. */

#define SMTP_LINE_MAX 512      /* command line with CR LF (RFC 5321 4.5.3.1.4) */
#define SMTP_PATH_MAX 256      /* reverse- or forward-path (4.5.3.1.3) */
#define SMTP_LOCAL_MAX 64      /* local part (4.5.3.1.1) */
#define SMTP_DOMAIN_MAX 255    /* domain (4.5.3.1.2) */
#define SMTP_ENVID_MAX 100     /* RFC 3461 4.4 */
#define SMTP_ORCPT_MAX 500     /* RFC 3461 4.2 */

enum smtp_verb {
	SMTP_UNKNOWN, SMTP_HELO, SMTP_EHLO, SMTP_MAIL, SMTP_RCPT, SMTP_DATA,
	SMTP_RSET, SMTP_NOOP, SMTP_QUIT, SMTP_VRFY, SMTP_EXPN, SMTP_HELP,
	SMTP_STARTTLS, SMTP_AUTH
};

/* The verb of a command line (without its line end). *arg and *arglen
   are set to what follows the verb and one space (empty if nothing). */
enum smtp_verb smtp_cmd_verb(const char *line, size_t len, const char **arg, size_t *arglen);

/* Does the line hold a byte that may not appear in a command: NUL, other
   control characters, DEL? (8-bit bytes are allowed: SMTPUTF8.) */
int smtp_cmd_has_control(const char *line, size_t len);

/* If arg starts with prefix (e.g. "FROM:"), ASCII case-insensitive,
   returns its length plus any spaces after it; else 0. */
size_t smtp_cmd_prefix(const char *arg, size_t len, const char *prefix);

/* A parsed path. addr is the mailbox with quotes and any source route
   removed (qmail's convention), local@domain, or empty for <>. */
struct smtp_path {
	str addr;
	size_t at;        /* index of the '@' before the domain; addr.len if none */
	int quoted;       /* the local part was a quoted string */
	int eightbit;     /* a byte >= 0x80 appeared (needs SMTPUTF8) */
};
#define SMTP_PATH_OK 0
#define SMTP_PATH_SYNTAX (-2)
#define SMTP_PATH_TOO_LONG (-3)
/* Parses "<...>" at the start of s. On SMTP_PATH_OK *used is the number of
   bytes up to and including '>'. -1 means no memory. */
int smtp_path_parse(const char *s, size_t len, struct smtp_path *p, size_t *used);
void smtp_path_free(struct smtp_path *p);
/* Does the local part (addr[0..at)) use a relaying form: '%', '!', '@'
   (only possible when quoted), or a quoted string at all? */
int smtp_path_relay_form(const struct smtp_path *p);

/* Iterates the parameters after a path: " KEY=VALUE KEY ...".
   *pos starts at 0. Returns 1 with key/value set (value NULL if there is
   no '='), 0 at the end, -1 on a syntax error. */
int smtp_param_next(const char *s, size_t len, size_t *pos,
                    const char **key, size_t *keylen,
                    const char **value, size_t *valuelen);
/* Case-insensitive comparison of a counted string with a C string. */
int smtp_word_is(const char *s, size_t len, const char *word);

/* RFC 3461 xtext: printable ASCII except '+' and '=', or "+HH" (upper-case
   hex). With utf8, bytes >= 0x80 are also accepted (RFC 6533). */
int smtp_xtext_valid(const char *s, size_t len, int utf8);
/* NOTIFY=NEVER or a comma list of SUCCESS, FAILURE, DELAY. */
int smtp_notify_valid(const char *s, size_t len);
/* ORCPT=addr-type;xtext. */
int smtp_orcpt_valid(const char *s, size_t len, int utf8);
#endif
