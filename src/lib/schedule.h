#ifndef TERN_SCHEDULE_H
#define TERN_SCHEDULE_H
#include <stddef.h>
#include <time.h>
/* Retry back-off of the queue manager (doc/queue-manager.md).
   Attempts happen at birth + k^2 * c for k = 1, 2, 3, ... (qmail's
   schedule): with c = 60 seconds at 1, 4, 9, 16 minutes ... and about
   every 3.3 hours after a week. The next attempt is the first such time
   after now, but never later than birth + lifetime, so a message gets a
   last try when it expires. c = 0 is taken as 1. */
time_t schedule_next(time_t birth, time_t now, unsigned long c, unsigned long lifetime);
/* Has a message born at birth outlived lifetime seconds at now? */
int schedule_expired(time_t birth, time_t now, unsigned long lifetime);
/* Integer square root, rounded down. */
unsigned long long schedule_isqrt(unsigned long long n);

/* A min-heap of (time, pointer): what is due next. Grows as needed. */
struct schedule_item { time_t when; void *p; };
struct schedule_heap { struct schedule_item *v; size_t n, a; };
#define SCHEDULE_HEAP_INIT { 0, 0, 0 }
/* 0 or -1 (no memory). */
int schedule_push(struct schedule_heap *h, time_t when, void *p);
/* The earliest item, if any is due at or before now: 1 and *p set, else 0. */
int schedule_pop_due(struct schedule_heap *h, time_t now, void **p);
/* When the earliest item is due; 0 when the heap is empty. */
time_t schedule_first(const struct schedule_heap *h);
/* Makes every item due at when (ALRM: retry everything now). */
void schedule_all_at(struct schedule_heap *h, time_t when);
void schedule_heap_free(struct schedule_heap *h);
#endif
