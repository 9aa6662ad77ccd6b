#include <errno.h>
#include <stdlib.h>
#include "vec.h"

int vec_ready(void **v, size_t *a, size_t n, size_t size)
{
	size_t na;
	void *p;
	if (n <= *a) return 0;
	if (size == 0 || n > VEC_LIMIT / size) { errno = ENOMEM; return -1; }
	na = *a ? *a : 8;
	while (na < n) na = na > VEC_LIMIT / 2 ? VEC_LIMIT : na * 2;
	if (na > VEC_LIMIT / size) na = VEC_LIMIT / size;
	p = realloc(*v, na * size);
	if (!p) { errno = ENOMEM; return -1; }
	*v = p;
	*a = na;
	return 0;
}
