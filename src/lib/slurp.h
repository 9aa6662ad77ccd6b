#ifndef TERN_SLURP_H
#define TERN_SLURP_H
#include <stddef.h>
#include "str.h"

/* Whole-file readers with a ceiling (skalibs' slurpn, qmail's
   slurpclose): a file larger than max is an error, never an allocation. */

/* Reads fd to its end into out (replacing what out held). 0, or -1 with
   errno (EFBIG when fd holds more than max bytes). fd stays open. */
int slurp_fd(int fd, str *out, size_t max);
/* Opens path (O_CLOEXEC) and reads it whole into out. 1 read, 0 missing
   (ENOENT; out emptied), -1 error with errno. */
int slurp_path(const char *path, str *out, size_t max);
#endif
