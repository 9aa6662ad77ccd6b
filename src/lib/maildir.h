#ifndef TERN_MAILDIR_H
#define TERN_MAILDIR_H
#include <stddef.h>
#include "str.h"

/* Maildir delivery (DESIGN.md §5): a unique name
   "<sec>.M<usec>P<pid>Q<n>.<host>" in dir/tmp, the header text head
   (Return-Path, Delivered-To) then bytes [0, msglen) of msgfd written
   there, fsync, link into dir/new, unlink the tmp name, fsync dir/new:
   exactly two fsyncs. dir may end in '/'. On success 0 and the path of
   the new file in name (if not NULL); else -1 with errno, nothing left
   in new/ and the tmp file removed. Every failure is temporary to qmail
   (the caller decides). */
int maildir_deliver(const char *dir, const char *head, size_t headlen,
                    int msgfd, unsigned long long msglen, str *name);

/* Copies bytes [0, len) of fd (by pread, so the offset of fd is not
   used) to out through a 64 KiB buffer. 0 or -1 with errno (EIO when
   the file is shorter). */
int maildir_copy(int out, int fd, unsigned long long len);

/* Makes what is missing of tmp/, new/ and cur/ (mode 0700) in the open
   directory dirfd, never through a symbolic link (safedir_make), and
   fsyncs dirfd when it made any. 0, or -1 with errno (ELOOP: one of them
   is a symbolic link; ENOTDIR: something else). For deliveries to a
   missing Maildir and for maildirmake. */
int maildir_make_at(int dirfd);
#endif
