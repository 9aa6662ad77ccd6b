#ifndef TERN_MSGFD_H
#define TERN_MSGFD_H
#include <stddef.h>

/* A sealed in-memory copy of a message, for local delivery: what a
   recipient (and its programs) may read, and nothing else. */

/* A memfd (close-on-exec) holding head[0..headlen) then bytes [0, len)
   of fd (copied with sendfile where the kernel can, else pread/write;
   the offset of fd is not used), sealed against writes, growth,
   shrinking and further seals (F_SEAL_*): one reader cannot change what
   the next one reads. Its offset is 0. -1 with errno. */
int msgfd_make(const char *head, size_t headlen, int fd, unsigned long long len);

/* The message length of an open queue file, from its 32-byte trailer
   (doc/queue.md); the envelope after the message is not read. 0, or -1
   with errno (EINVAL: not a complete queue file). */
int msgfd_queue_length(int fd, unsigned long long *len);
#endif
