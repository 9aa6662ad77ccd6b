#ifndef TERN_QUEUE_H
#define TERN_QUEUE_H
#include <stddef.h>
#include <sys/types.h>
#include "str.h"

/* The queue file format and paths; doc/queue.md is the full contract.
   A queued message is one file, queue/mess/S/N (N = its inode number,
   S = N % auto_split), holding
       the message bytes (M of them),
       the envelope (E bytes, records below),
       a 32-byte trailer "TERNQ1 <M as 20 digits> END\n".
   One fsync covers message and envelope together. */
#define QUEUE_TRAILER_LEN 32
#define QUEUE_TRAILER_MAGIC "TERNQ1 "

/* Envelope limits enforced by queue-inject and every reader. */
#define ENVELOPE_ADDR_MAX 1000        /* bytes in one address; exit 11 past it */
#define ENVELOPE_PARAM_MAX 1000       /* bytes in one DSN parameter record */
#define ENVELOPE_RCPT_MAX 100000      /* recipients of one message */

/* Writes the trailer for a message of msglen bytes into out[32]. */
void queue_trailer_make(char out[QUEUE_TRAILER_LEN], unsigned long long msglen);
/* Parses a trailer; 1 ok with *msglen set, 0 malformed. */
int queue_trailer_parse(const char t[QUEUE_TRAILER_LEN], unsigned long long *msglen);

/* "<dir>/<id % auto_split>/<id>" into out, NUL-terminated (len excludes it). */
int queue_path(str *out, const char *dir, unsigned long long id);

/* A parsed envelope. Pointers point into the parsed buffer.
   Records: F<sender>\0 first; then optionally E<envid>\0 and
   R<FULL|HDRS>\0 (DSN ENVID and RET); then per recipient T<addr>\0
   followed optionally by N<notify>\0 and O<orcpt>\0 (DSN NOTIFY and
   ORCPT, as given at RCPT); then a final \0. */
struct envelope_rcpt {
	const char *addr;
	size_t len;
	const char *notify;  /* NULL if not given */
	const char *orcpt;   /* NULL if not given */
};
struct envelope {
	const char *sender;
	size_t sender_len;
	const char *envid;   /* NULL if not given */
	const char *ret;     /* NULL if not given */
	size_t nrcpt;
	struct envelope_rcpt *rcpt;  /* malloc'd; envelope_free */
};
/* Strictly parses len bytes. 0 ok; ENVELOPE_BAD (format error: qmail-queue
   exit 91), ENVELOPE_TOO_LONG (an address too long: exit 11) or -1 with
   errno (no memory). Control characters (< 0x20, 0x7f) in any field are a
   format error. */
#define ENVELOPE_BAD (-2)
#define ENVELOPE_TOO_LONG (-3)
int envelope_parse(const char *buf, size_t len, struct envelope *env);
void envelope_free(struct envelope *env);

/* Reads the envelope of an open queue file. On success 0, with *msglen
   and the raw envelope bytes in raw (parse it with envelope_parse).
   ENVELOPE_BAD if the file is not a complete queue file; -1 on I/O error. */
int queue_file_read_envelope(int fd, unsigned long long *msglen, str *raw);
#endif
