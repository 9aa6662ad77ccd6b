#ifndef TERN_CDBFILE_H
#define TERN_CDBFILE_H
#include <stddef.h>
#include "str.h"

/* Lookups in cdb files through tinycdb (libcdb-dev).
   cdbfile_get: the first value for key into value.
   1 found, 0 not found or file missing, -1 error (errno). */
int cdbfile_get(const char *path, const char *key, size_t klen, str *value);
/* All values for key, each followed by a NUL byte, into values.
   Returns how many were found (0 if none or file missing), -1 on error. */
int cdbfile_get_all(const char *path, const char *key, size_t klen, str *values);

/* Building a cdb durably: cdbfile_make_start opens "<path>.tmp",
   cdbfile_make_add adds records, cdbfile_make_finish writes, fsyncs and
   renames it over path, so readers never see a part. 0 or -1. */
struct cdbfile_make;
struct cdbfile_make *cdbfile_make_start(const char *path);
int cdbfile_make_add(struct cdbfile_make *m, const char *key, size_t klen, const char *data, size_t dlen);
int cdbfile_make_finish(struct cdbfile_make *m);
void cdbfile_make_abort(struct cdbfile_make *m);
#endif
