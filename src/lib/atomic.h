#ifndef TERN_ATOMIC_H
#define TERN_ATOMIC_H
#include <stddef.h>
#include <sys/types.h>
/* Replaces path with data durably: writes "<path>.tmp.<pid>", fsyncs it,
   renames it over path and fsyncs the directory. Readers see the old or
   the new file, never a part. 0 or -1 with errno (the temp file is
   removed on failure). */
int atomic_write(const char *path, const char *data, size_t len, mode_t mode);
/* As atomic_write but without the directory fsync, for state whose loss
   after a crash only costs a duplicate (documented where used). */
int atomic_write_nodirsync(const char *path, const char *data, size_t len, mode_t mode);
#endif
