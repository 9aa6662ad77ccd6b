#ifndef TERN_SAFEDIR_H
#define TERN_SAFEDIR_H
#include <stddef.h>

/* Walking to a directory below an open directory without ever following
   a symbolic link (openat with O_NOFOLLOW | O_DIRECTORY, one component
   at a time), optionally creating what is missing. For mailboxes that
   tern creates in a recipient's home (doc/deliver-local.md) and for
   maildirmake: a link planted anywhere on the way cannot redirect the
   creation.

   rel[0..len) is a relative path: components separated by '/', empty
   and "." components skipped, ".." refused. With create, a missing
   component is made with mode 0700 (then the umask) and its parent
   directory fsynced before the walk goes on, so a created mailbox
   survives a crash.
   Returns an fd of the directory (O_RDONLY | O_DIRECTORY | O_CLOEXEC),
   or -1 with errno: ELOOP a component is a symbolic link, ENOTDIR one
   is not a directory, EXDEV the path holds "..", ENAMETOOLONG a component
   is over 255 bytes, EINVAL one holds a NUL, ENOENT one is missing
   (and not create), or what openat/mkdirat/fsync said. *created (if not
   NULL) is set to 1 when something was made. */
int safedir_open(int dirfd, const char *rel, size_t len, int create, int *created);

/* mkdirat(dirfd, name, 0700) that accepts an existing real directory:
   0 made (the caller fsyncs dirfd), 1 was there already, -1 with errno
   (ELOOP: name is a symbolic link; ENOTDIR: it is something else). */
int safedir_make(int dirfd, const char *name);
#endif
