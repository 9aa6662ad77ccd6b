#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include "strmap.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do { \
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32); \
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32); \
} while (0)

uint64_t strmap_siphash(uint64_t k0, uint64_t k1, const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
	uint64_t m, b = (uint64_t)len << 56;
	size_t i, left = len & 7;
	int k;
	for (i = 0; i + 8 <= len; i += 8) {
		for (m = 0, k = 7; k >= 0; k--) m = m << 8 | p[i + (size_t)k];
		v3 ^= m; SIPROUND; SIPROUND; v0 ^= m;
	}
	for (k = (int)left - 1; k >= 0; k--) b |= (uint64_t)p[i + (size_t)k] << (8 * k);
	v3 ^= b; SIPROUND; SIPROUND; v0 ^= b;
	v2 ^= 0xff;
	SIPROUND; SIPROUND; SIPROUND; SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

int strmap_init(struct strmap *m)
{
	uint64_t k[2];
	memset(m, 0, sizeof *m);
	if (getrandom(k, sizeof k, 0) != (ssize_t)sizeof k) return -1;
	m->k0 = k[0];
	m->k1 = k[1];
	return 0;
}

static size_t find(const struct strmap *m, const char *key, size_t len, uint64_t h)
{
	size_t mask = m->a - 1, i = (size_t)h & mask;
	while (m->slot[i].key) {
		if (m->slot[i].hash == h && m->slot[i].len == len && !memcmp(m->slot[i].key, key, len)) return i;
		i = (i + 1) & mask;
	}
	return i;
}

void *strmap_get(const struct strmap *m, const char *key, size_t len)
{
	size_t i;
	if (!m->a) return NULL;
	i = find(m, key, len, strmap_siphash(m->k0, m->k1, key, len));
	return m->slot[i].key ? m->slot[i].value : NULL;
}

/* Doubles the slots (keeping the load under 1/2). 0 or -1. */
static int grow(struct strmap *m)
{
	size_t na = m->a ? m->a * 2 : 16, i;
	struct strmap_slot *old = m->slot, *s;
	if (na > SIZE_MAX / sizeof *s || !(s = calloc(na, sizeof *s))) { errno = ENOMEM; return -1; }
	m->slot = s;
	for (i = 0; i < m->a; i++)
		if (old[i].key) {
			size_t j = (size_t)old[i].hash & (na - 1);
			while (s[j].key) j = (j + 1) & (na - 1);
			s[j] = old[i];
		}
	m->a = na;
	free(old);
	return 0;
}

int strmap_put(struct strmap *m, const char *key, size_t len, void *value, void **old)
{
	uint64_t h = strmap_siphash(m->k0, m->k1, key, len);
	size_t i;
	char *k;
	if (old) *old = NULL;
	if ((m->n + 1) * 2 > m->a && grow(m) < 0) return -1;
	i = find(m, key, len, h);
	if (m->slot[i].key) {
		if (old) *old = m->slot[i].value;
		m->slot[i].value = value;
		return 0;
	}
	if (!(k = malloc(len ? len : 1))) { errno = ENOMEM; return -1; }
	memcpy(k, key, len);
	m->slot[i].key = k;
	m->slot[i].len = len;
	m->slot[i].hash = h;
	m->slot[i].value = value;
	m->n++;
	return 0;
}

void *strmap_remove(struct strmap *m, const char *key, size_t len)
{
	size_t mask, i, j;
	void *v;
	if (!m->a) return NULL;
	mask = m->a - 1;
	i = find(m, key, len, strmap_siphash(m->k0, m->k1, key, len));
	if (!m->slot[i].key) return NULL;
	v = m->slot[i].value;
	free(m->slot[i].key);
	m->slot[i].key = NULL;
	m->n--;
	/* Shift back the run after i so that no lookup stops early. */
	for (j = (i + 1) & mask; m->slot[j].key; j = (j + 1) & mask) {
		size_t home = (size_t)m->slot[j].hash & mask;
		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->slot[i] = m->slot[j];
			m->slot[j].key = NULL;
			i = j;
		}
	}
	return v;
}

void strmap_free(struct strmap *m, void (*freeval)(void *))
{
	size_t i;
	for (i = 0; i < m->a; i++)
		if (m->slot[i].key) {
			free(m->slot[i].key);
			if (freeval) freeval(m->slot[i].value);
		}
	free(m->slot);
	m->slot = NULL;
	m->n = m->a = 0;
}
