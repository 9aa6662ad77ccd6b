#ifndef TERN_VEC_H
#define TERN_VEC_H
#include <stddef.h>

/* A bounded, growable array (skalibs' genalloc, qmail's gen_alloc) kept as
   a plain pointer and a capacity beside it, so callers keep their own
   typed structs. No vector ever holds more than VEC_LIMIT bytes, so a
   hostile input can exhaust at most that much memory per array. */
#define VEC_LIMIT ((size_t)1024 * 1024 * 1024)

/* Makes room for at least n elements of size bytes each in *v, whose
   capacity (in elements) is *a. Grows by doubling (from 8), so adding one
   element at a time costs amortised O(1). 0, or -1 with errno ENOMEM when
   the allocation fails, n * size overflows, or it would pass VEC_LIMIT;
   *v and *a are unchanged on failure. */
int vec_ready(void **v, size_t *a, size_t n, size_t size);

/* The typed spelling: VEC_READY(ptr, cap, n) with ptr any T * lvalue. */
#define VEC_READY(p, a, n) vec_ready((void **)&(p), &(a), (n), sizeof *(p))
#endif
