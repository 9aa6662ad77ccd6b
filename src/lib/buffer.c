#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include "buffer.h"
#include "fmt.h"
#include "io.h"

void buffer_init(buffer *b, int fd, char *space, size_t size)
{
	b->x = space;
	b->size = size;
	b->p = 0;
	b->n = 0;
	b->fd = fd;
	b->timeout = 0;
}

ssize_t buffer_feed(buffer *b)
{
	ssize_t r;
	if (b->p < b->n) return (ssize_t)(b->n - b->p);
	b->p = b->n = 0;
	if (b->timeout > 0 && io_wait(b->fd, POLLIN, b->timeout * 1000) <= 0)
		return -1;
	r = io_read(b->fd, b->x, b->size);
	if (r <= 0) return r;
	b->n = (size_t)r;
	return r;
}

ssize_t buffer_get(buffer *b, char *out, size_t len)
{
	ssize_t r = buffer_feed(b);
	if (r <= 0) return r;
	if (len > (size_t)r) len = (size_t)r;
	memcpy(out, b->x + b->p, len);
	b->p += len;
	return (ssize_t)len;
}

static int write_out(buffer *b, const char *s, size_t len)
{
	return io_write_all_timeout(b->fd, s, len, b->timeout);
}

int buffer_flush(buffer *b)
{
	size_t n = b->p;
	b->p = 0;
	return n ? write_out(b, b->x, n) : 0;
}

int buffer_put(buffer *b, const char *s, size_t len)
{
	if (len > b->size - b->p) {
		if (buffer_flush(b) < 0) return -1;
		if (len >= b->size) return write_out(b, s, len);
	}
	memcpy(b->x + b->p, s, len);
	b->p += len;
	return 0;
}

int buffer_puts(buffer *b, const char *s)
{
	return buffer_put(b, s, strlen(s));
}

int buffer_putnum(buffer *b, unsigned long long n)
{
	char num[FMT_ULONG];
	return buffer_put(b, num, fmt_ulong(num, n));
}

int buffer_putsv(buffer *b, ...)
{
	va_list ap;
	const char *s;
	int r = 0;
	va_start(ap, b);
	while ((s = va_arg(ap, const char *)) != NULL)
		if (buffer_puts(b, s) < 0) { r = -1; break; }
	va_end(ap);
	return r;
}
