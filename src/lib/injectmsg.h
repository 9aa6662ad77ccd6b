#ifndef TERN_INJECTMSG_H
#define TERN_INJECTMSG_H
#include <stddef.h>

/* The engine of inject and sendmail (doc/inject.md): reads a message from
   a file descriptor, completes its header (From, Date, Message-ID),
   collects the recipients (arguments, and with extract the To/Cc/Bcc or
   Resent- fields), deletes Bcc, and queues it through qinject. Shared so
   that sendmail does the work in-process instead of exec'ing inject
   (no fork+exec where no trust boundary is crossed, DESIGN.md §12). */

struct inject_opts {
	int extract;            /* -t */
	int dot_ends;           /* a lone "." line ends the message */
	const char *sender;     /* -f; NULL: the user's address; "" or "<>": null sender */
	const char *fullname;   /* -F */
	const char *notify;     /* DSN NOTIFY for every recipient, or NULL */
	const char *ret;        /* DSN RET: FULL or HDRS (any case), or NULL */
	const char *envid;      /* DSN ENVID, or NULL */
};

/* Why inject_message failed: a static text, and errno (0 if it does not
   apply). */
struct inject_error {
	const char *text;
	int errnum;
};

#define INJECT_HEADER_MAX (256 * 1024)

/* Runs the whole job. The current directory must be auto_home (control
   files are read from control/). rcpts: n address lists (arguments).
   Returns 0 (queued), 100 (permanent failure) or 111 (temporary), with
   err filled on failure. The caller should ignore SIGPIPE. */
int inject_message(const struct inject_opts *o, char *const *rcpts, int n, int fd,
                   struct inject_error *err);
#endif
