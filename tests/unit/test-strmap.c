/* Unit test of src/lib/strmap.c: SipHash-2-4's published vector, and a
   long random run of puts, gets and removes checked against a plain
   array (removal by backward shift must never lose a key). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "strmap.h"
#include "check.h"

#define N 3000

int main(void)
{
	unsigned char key[16], msg[15];
	uint64_t k0 = 0, k1 = 0;
	struct strmap m;
	static int present[N];
	static long vals[N];
	char k[32];
	int i, ok = 1, step;
	for (i = 0; i < 16; i++) key[i] = (unsigned char)i;
	for (i = 0; i < 15; i++) msg[i] = (unsigned char)i;
	for (i = 7; i >= 0; i--) { k0 = k0 << 8 | key[i]; k1 = k1 << 8 | key[8 + i]; }
	check(strmap_siphash(k0, k1, msg, 15) == 0xa129ca6149be45e5ULL, "SipHash-2-4 reference vector");
	check(strmap_siphash(k0, k1, msg, 0) == 0x726fdb47dd0e0e31ULL, "SipHash-2-4 of the empty string");

	check(strmap_init(&m) == 0 && strmap_get(&m, "x", 1) == NULL && strmap_remove(&m, "x", 1) == NULL,
	      "empty table");
	srand(7);
	for (step = 0; step < 200000 && ok; step++) {
		int j = rand() % N, op = rand() % 3;
		size_t len = (size_t)snprintf(k, sizeof k, "key-%d", j);
		void *old;
		if (op == 0) {
			vals[j] = step;
			if (strmap_put(&m, k, len, &vals[j], &old) < 0) ok = 0;
			if ((old != NULL) != present[j]) ok = 0;
			present[j] = 1;
		} else if (op == 1) {
			void *v = strmap_remove(&m, k, len);
			if ((v != NULL) != present[j]) ok = 0;
			present[j] = 0;
		} else {
			void *v = strmap_get(&m, k, len);
			if (present[j] ? v != &vals[j] : v != NULL) ok = 0;
		}
	}
	check(ok, "200000 random operations agree with the reference");
	for (i = 0, step = 0; i < N; i++) {
		size_t len = (size_t)snprintf(k, sizeof k, "key-%d", i);
		if ((strmap_get(&m, k, len) != NULL) != present[i]) ok = 0;
		step += present[i];
	}
	check(ok && m.n == (size_t)step, "every key there or not as it should be");
	check(strmap_put(&m, "", 0, vals, NULL) == 0 && strmap_get(&m, "", 0) == vals, "empty key");
	strmap_free(&m, NULL);
	check(m.n == 0 && strmap_get(&m, "key-1", 5) == NULL, "freed");
	return failed;
}
