#ifndef TERN_BUFFER_H
#define TERN_BUFFER_H
#include <stddef.h>
#include <sys/types.h>

/* Buffered I/O on a caller-supplied fixed buffer (qmail's substdio).
   One buffer is either for reading or for writing. With timeout > 0
   (seconds) every read or write first waits at most that long; on expiry
   the call fails with errno ETIMEDOUT. No allocation, ever. */
typedef struct buffer {
	char *x;        /* the space */
	size_t size;    /* its size */
	size_t p;       /* read: next unread byte; write: bytes pending */
	size_t n;       /* read: bytes held */
	int fd;
	int timeout;    /* seconds, 0 = none */
} buffer;

void buffer_init(buffer *b, int fd, char *space, size_t size);
/* Reading. buffer_get: up to len bytes; >0 count, 0 EOF, -1 error. */
ssize_t buffer_get(buffer *b, char *out, size_t len);
/* Refills when empty: >0 bytes now held, 0 EOF, -1 error. */
ssize_t buffer_feed(buffer *b);
/* The held bytes, without consuming them. */
static inline char *buffer_peek(buffer *b) { return b->x + b->p; }
static inline size_t buffer_held(const buffer *b) { return b->n - b->p; }
static inline void buffer_skip(buffer *b, size_t len) { b->p += len; }
/* Writing. 0 ok, -1 error. */
int buffer_put(buffer *b, const char *s, size_t len);
int buffer_puts(buffer *b, const char *s);
int buffer_putnum(buffer *b, unsigned long long n);
int buffer_flush(buffer *b);
/* Convenience: several NUL-terminated strings, then NULL. */
int buffer_putsv(buffer *b, ...);
#endif
