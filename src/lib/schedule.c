#include <errno.h>
#include <stdlib.h>
#include "schedule.h"
#include "vec.h"

unsigned long long schedule_isqrt(unsigned long long n)
{
	unsigned long long lo = 0, hi = 4294967295ULL, mid;
	/* Binary search: (hi+1)^2 would overflow past 2^32, so hi stays below. */
	while (lo < hi) {
		mid = lo + (hi - lo + 1) / 2;
		if (mid * mid <= n) lo = mid; else hi = mid - 1;
	}
	return lo;
}

time_t schedule_next(time_t birth, time_t now, unsigned long c, unsigned long lifetime)
{
	unsigned long long age, k, step, end;
	if (c == 0) c = 1;
	if (now < birth) birth = now;   /* clock went back: count from now */
	age = (unsigned long long)(now - birth);
	k = schedule_isqrt(age / c) + 1;
	step = k * k * c;               /* k <= 2^32, c small: no overflow in practice */
	if (step / c / k != k) step = lifetime;
	end = (unsigned long long)lifetime;
	if (step > end) step = end;
	if (step <= age) return now + 1;
	return birth + (time_t)step;
}

int schedule_expired(time_t birth, time_t now, unsigned long lifetime)
{
	if (now < birth) return 0;
	return (unsigned long long)(now - birth) >= (unsigned long long)lifetime;
}

int schedule_push(struct schedule_heap *h, time_t when, void *p)
{
	size_t i, parent;
	if (VEC_READY(h->v, h->a, h->n + 1) < 0) return -1;
	i = h->n++;
	while (i > 0) {
		parent = (i - 1) / 2;
		if (h->v[parent].when <= when) break;
		h->v[i] = h->v[parent];
		i = parent;
	}
	h->v[i].when = when;
	h->v[i].p = p;
	return 0;
}

int schedule_pop_due(struct schedule_heap *h, time_t now, void **p)
{
	struct schedule_item last;
	size_t i = 0, c;
	if (h->n == 0 || h->v[0].when > now) return 0;
	*p = h->v[0].p;
	last = h->v[--h->n];
	for (;;) {
		c = 2 * i + 1;
		if (c >= h->n) break;
		if (c + 1 < h->n && h->v[c + 1].when < h->v[c].when) c++;
		if (last.when <= h->v[c].when) break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n) h->v[i] = last;
	return 1;
}

time_t schedule_first(const struct schedule_heap *h) { return h->n ? h->v[0].when : 0; }

void schedule_all_at(struct schedule_heap *h, time_t when)
{
	size_t i;
	for (i = 0; i < h->n; i++) h->v[i].when = when;
}

void schedule_heap_free(struct schedule_heap *h)
{
	free(h->v);
	h->v = NULL;
	h->n = h->a = 0;
}
