#ifndef TERN_HOSTMEMO_H
#define TERN_HOSTMEMO_H
#include <stddef.h>
#include <time.h>
#include "str.h"

/* relay-remote's memory of addresses that timed out (DESIGN.md §8), in
   a small text file of "ip unixtime\n" lines (default relay/timeouts
   under the home). It is a hint: a lost or garbled file only costs a
   slow retry, so it is rewritten without a directory fsync and without
   a lock (concurrent writers may drop each other's entries). */
#define HOSTMEMO_MAX 1000          /* entries kept, the newest win */
#define HOSTMEMO_TTL 3600          /* seconds an entry counts */

/* Loads the file into memo (missing file = empty). 0 or -1. */
int hostmemo_load(str *memo, const char *path);
/* Did ip time out less than HOSTMEMO_TTL before now? */
int hostmemo_recent(const str *memo, const char *ip, time_t now);
/* Records (ip, now), forgets ip (when now is 0), and rewrites the file:
   entries older than HOSTMEMO_TTL are dropped. 0 or -1. */
int hostmemo_update(const char *path, const char *ip, time_t now);
#endif
