#ifndef TERN_STRMAP_H
#define TERN_STRMAP_H
#include <stddef.h>
#include <stdint.h>

/* A hash table from byte-string keys to pointers (qmail's constmap, but
   growable): loaded once, looked up many times. Keys are copied. The
   hash is SipHash-2-4 with a random key per table, so keys that come
   from the network cannot be chosen to collide. Linear probing with
   backward-shift deletion: no tombstones, lookups stay short. */

struct strmap_slot {
	char *key;          /* NULL: empty */
	size_t len;
	uint64_t hash;
	void *value;
};
struct strmap {
	struct strmap_slot *slot;
	size_t n;           /* keys held */
	size_t a;           /* slots, a power of two (0 before the first put) */
	uint64_t k0, k1;    /* the hash key */
};

/* An empty table with a fresh random hash key. 0 or -1. */
int strmap_init(struct strmap *m);
/* The value stored for key, or NULL. */
void *strmap_get(const struct strmap *m, const char *key, size_t len);
/* Stores value for key, replacing (and returning in *old, if old is not
   NULL) any value there. 0 or -1 (ENOMEM). */
int strmap_put(struct strmap *m, const char *key, size_t len, void *value, void **old);
/* Removes key; its value, or NULL if it was not there. */
void *strmap_remove(struct strmap *m, const char *key, size_t len);
/* Frees the table and its keys; freeval (if not NULL) is called on each value. */
void strmap_free(struct strmap *m, void (*freeval)(void *));
/* SipHash-2-4 of data under the 128-bit key (k0, k1). */
uint64_t strmap_siphash(uint64_t k0, uint64_t k1, const void *data, size_t len);
#endif
