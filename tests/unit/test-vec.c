/* Unit test of src/lib/vec.c: growth by doubling, the ceiling, overflow. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include "vec.h"
#include "check.h"

struct pair { int a, b; };

int main(void)
{
	struct pair *v = NULL;
	size_t a = 0, i, reallocs = 0, last = 0;
	int ok = 1;
	check(VEC_READY(v, a, 0) == 0 && v == NULL && a == 0, "0 elements needs nothing");
	check(VEC_READY(v, a, 1) == 0 && v && a == 8, "first growth is 8");
	for (i = 0; i < 100000; i++) {
		if (VEC_READY(v, a, i + 1) < 0) { ok = 0; break; }
		if (a != last) { reallocs++; last = a; }
		v[i].a = (int)i;
		v[i].b = -(int)i;
	}
	check(ok, "one element at a time to 100000");
	check(reallocs <= 15, "doubling: few reallocations");
	for (i = 0, ok = 1; i < 100000; i++) ok &= v[i].a == (int)i && v[i].b == -(int)i;
	check(ok, "contents kept across growth");
	last = a;
	errno = 0;
	check(VEC_READY(v, a, SIZE_MAX / 4) == -1 && errno == ENOMEM && a == last, "overflow refused, unchanged");
	errno = 0;
	check(VEC_READY(v, a, VEC_LIMIT / sizeof *v + 1) == -1 && errno == ENOMEM, "over the ceiling refused");
	check(VEC_READY(v, a, a) == 0 && a == last, "no growth when it fits");
	free(v);
	return failed;
}
