#ifndef TERN_MBOX_H
#define TERN_MBOX_H
#include <stddef.h>

/* mbox delivery (DESIGN.md §5, doc/deliver-local.md).

   Opening, safely even in a shared spool: mbox_open opens an existing
   file for appending with O_NOFOLLOW and accepts it only if it is a
   regular file owned by the caller's euid with one link. -1 with errno:
   ENOENT missing, ELOOP a symbolic link, EINVAL not a regular file (a
   fifo, a device, a directory: EISDIR), EPERM owned by someone else,
   EMLINK more than one hard link. mbox_create_at makes a missing one,
   mode 0600, in the open directory dirfd (O_EXCL | O_NOFOLLOW, then
   fsyncs dirfd); EEXIST when it appeared meanwhile (open it then).

   mbox_deliver locks as Debian does: an fcntl write lock on the whole
   file, then the dotlock "<path>.lock" (O_EXCL; one older than
   MBOX_DOTLOCK_STALE seconds is removed). A directory where no dotlock
   can be created (EACCES, EROFS) is locked with fcntl only. Waiting for
   either lock is bounded by timeout seconds (errno ETIMEDOUT).
   Then appends "From <sender or MAILER-DAEMON> <ctime date>\n", head
   (Return-Path, Delivered-To), bytes [0, msglen) of msgfd with mboxrd
   quoting (a line matching ">*From " gets one more '>'), a newline if
   the message lacks a final one, and a blank line; fsyncs. On any error
   the file is truncated back to its size before the delivery. It closes
   fd in every case. 0 ok, -1 with errno. */
#define MBOX_DOTLOCK_STALE 300
int mbox_open(const char *path);
int mbox_create_at(int dirfd, const char *name);
int mbox_deliver(int fd, const char *path, const char *sender, size_t senderlen,
                 const char *head, size_t headlen, int msgfd, unsigned long long msglen,
                 unsigned int timeout);

/* The quoting state machine, exposed for the unit test: feeds len bytes
   of message text, writing the quoted text with put(ctx, bytes, n).
   State starts at 0 (line start); mbox_quote_end flushes what is held
   and says whether the text ended with a newline. put returns 0 or -1;
   so do these. */
struct mbox_quote { int state; unsigned long long gt; size_t from; char last; };
int mbox_quote(struct mbox_quote *q, const char *s, size_t len,
               int (*put)(void *, const char *, size_t), void *ctx);
int mbox_quote_end(struct mbox_quote *q, int (*put)(void *, const char *, size_t), void *ctx,
                   int *ended_nl);
#endif
