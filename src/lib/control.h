#ifndef TERN_CONTROL_H
#define TERN_CONTROL_H
#include "str.h"

/* Control files (DESIGN.md §4): one value or item per line; blank lines
   and lines starting with '#' are ignored; leading and trailing spaces
   and tabs of a line are dropped; a missing file means the default.
   Paths are relative to the current directory: programs chdir to
   auto_home first (control_chdir_home). Files are read with a size cap
   (CONTROL_MAX) so a huge file is an error, not an allocation. */
#define CONTROL_MAX (16 * 1024 * 1024)

/* chdir(auto_home). 0 or -1. */
int control_chdir_home(void);
/* First item of the file into out, NUL-terminated (the NUL is not
   counted in len), so it can go straight to C APIs.
   1 read, 0 file missing or empty (out unchanged), -1 error. */
int control_read_line(str *out, const char *path);
/* Like control_read_line, but copies dflt into out when missing. 0 or -1. */
int control_read_string(str *out, const char *path, const char *dflt);
/* A number; dflt when missing. 0 ok, -1 error (errno EINVAL: not a number). */
int control_read_ulong(unsigned long long *out, const char *path, unsigned long long dflt);
/* All items, each followed by a NUL byte, into out.
   1 read, 0 missing (out emptied), -1 error. */
int control_read_list(str *out, const char *path);
/* Whether item (length len) is in a NUL-separated list, compared without
   regard to ASCII case. */
int control_list_has(const str *list, const char *item, size_t len);
#endif
