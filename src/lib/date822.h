#ifndef TERN_DATE822_H
#define TERN_DATE822_H
#include <time.h>
/* RFC 5322 date-time in local time with numeric zone, e.g.
   "Sun, 22 Nov 2026 01:23:45 +0100". out needs DATE822_LEN bytes;
   the result is NUL-terminated. Returns its length. */
#define DATE822_LEN 40
unsigned int date822_fmt(char out[DATE822_LEN], time_t t);
#endif
