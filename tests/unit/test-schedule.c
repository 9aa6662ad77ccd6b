/* Unit test of the retry back-off (src/lib/schedule.c). */
#include <string.h>
#include <unistd.h>
#include "fmt.h"
#include "schedule.h"
#include "check.h"

int main(void)
{
	time_t b = 1000000, t;
	int increasing = 1, after = 1, i;
	unsigned long long k;
	int sq = 1;
	for (k = 0; k < 100000; k++) {
		unsigned long long r = schedule_isqrt(k);
		if (r * r > k || (r + 1) * (r + 1) <= k) sq = 0;
	}
	check(sq, "isqrt of 0..99999");
	check(schedule_isqrt(18446744073709551615ULL) == 4294967295ULL, "isqrt of the largest value");
	check(schedule_next(b, b, 60, 604800) == b + 60, "first retry after c");
	check(schedule_next(b, b + 60, 60, 604800) == b + 240, "second at 4c");
	check(schedule_next(b, b + 239, 60, 604800) == b + 240, "still 4c just before");
	check(schedule_next(b, b + 240, 60, 604800) == b + 540, "third at 9c");
	t = b;
	for (i = 0; i < 200; i++) {
		time_t nx = schedule_next(b, t, 60, 604800);
		if (nx <= t) after = 0;
		if (i > 0 && nx - t < 1) increasing = 0;
		t = nx;
		if (t >= b + 604800) break;
	}
	check(after && increasing, "each attempt is later than now");
	check(t == b + 604800, "the last attempt is at the lifetime");
	check(i < 120, "about a hundred attempts in a week");
	check(schedule_next(b, b + 604800 + 5, 60, 604800) == b + 604806, "past the lifetime: now + 1");
	check(schedule_next(b, b - 100, 60, 604800) == b - 40, "clock went back");
	check(schedule_next(b, b, 0, 604800) == b + 1, "c = 0 is 1");
	check(schedule_next(b, b + 3, 1, 604800) == b + 4, "c = 1 retries within seconds");
	check(!schedule_expired(b, b + 604799, 604800), "not expired just before");
	check(schedule_expired(b, b + 604800, 604800), "expired at the lifetime");
	check(!schedule_expired(b, b - 10, 604800), "clock back: not expired");
	{
		struct schedule_heap h = SCHEDULE_HEAP_INIT;
		long vals[1000];
		void *p;
		int ordered = 1, count = 0;
		time_t last = 0;
		for (i = 0; i < 1000; i++) {
			vals[i] = (i * 7919) % 1000;
			schedule_push(&h, (time_t)vals[i], &vals[i]);
		}
		check(schedule_first(&h) == 0, "heap: first is the minimum");
		check(!schedule_pop_due(&h, -1, &p), "heap: nothing due before the first");
		while (schedule_pop_due(&h, 499, &p)) {
			if (*(long *)p < last) ordered = 0;
			last = *(long *)p;
			count++;
		}
		check(ordered && count == 500 && h.n == 500, "heap: pops what is due, in order");
		schedule_all_at(&h, 5);
		count = 0;
		while (schedule_pop_due(&h, 5, &p)) count++;
		check(count == 500 && h.n == 0, "heap: all made due at once");
		schedule_heap_free(&h);
	}
	return failed;
}
