#ifndef TERN_INFOFILE_H
#define TERN_INFOFILE_H
#include <stddef.h>
#include <time.h>
#include "str.h"
/* The manager's per-message state file queue/info/S/N
   (doc/queue-manager.md). NUL-terminated records:
     V1                      format version, first
     B<birth>                mtime of the queue file it belongs to
     W<next>                 time of the next attempt (seconds)
     D<index>                recipient done (delivered, or bounced)
     F<index> <text>         permanent failure not yet bounced
     Z<index> <text>         last temporary failure (for the expiry bounce)
   Indices are envelope recipient positions, 0-based, each at most once
   among D and F. A recipient with no D or F record is pending. */
#define INFO_PENDING 0
#define INFO_DONE 1
#define INFO_FAILED 2
#define INFO_BAD (-2)
/* state[i] is INFO_*, text[i] the failure or last temporary text. */
int infofile_encode(str *out, time_t birth, time_t next, size_t nrcpt,
                    const unsigned char *state, const str *text);
/* Strict: any malformed record or an index >= nrcpt is INFO_BAD.
   Fills state[0..nrcpt) and text[0..nrcpt) (texts are copied).
   0 ok, INFO_BAD, -1 no memory. */
int infofile_parse(const char *buf, size_t len, size_t nrcpt, time_t *birth, time_t *next,
                   unsigned char *state, str *text);
/* Only the next attempt time (for the start-up scan). 0 ok or INFO_BAD. */
int infofile_next(const char *buf, size_t len, time_t *next);
#endif
