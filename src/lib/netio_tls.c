#include "netio.h"
#include "tlsclient.h"

static ssize_t tls_read(struct netio *io, char *out, size_t len)
{
	return tlsclient_read(io->hook_data, out, len);
}

/* Each netio_write is one flight (a pipelined batch, a body chunk with
   the final dot): flushed at once so nothing waits in the record buffer
   while we wait for a reply. */
static int tls_write(struct netio *io, const char *s, size_t len)
{
	return tlsclient_write(io->hook_data, s, len) == 0 && tlsclient_flush(io->hook_data) == 0 ? 0 : -1;
}

int netio_tls_start(struct netio *io, struct tlsclient *c, const char *servername, int policy, const char *pins)
{
	int k = tlsclient_start(c, io->fd, servername, (enum tlsclient_policy)policy, pins, (int)io->timeout);
	if (k) return k;
	io->p = io->n = 0;
	io->hook_data = c;
	io->hook_read = tls_read;
	io->hook_write = tls_write;
	return 0;
}
