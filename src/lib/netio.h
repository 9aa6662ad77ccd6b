#ifndef TERN_NETIO_H
#define TERN_NETIO_H
#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>
#include "smtp_reply.h"
#include "str.h"

/* The network side of an SMTP client connection. All reads and writes
   of relay-remote go through netio_read/netio_write, so a TLS layer
   slots in by setting the two hooks (it then reads and writes the fd
   itself). Every wait is bounded by timeout seconds. */
struct netio {
	int fd;
	unsigned int timeout;
	char buf[4096];
	size_t p, n;
	/* TLS slot: NULL means plain reads and writes on fd. */
	ssize_t (*hook_read)(struct netio *io, char *out, size_t len);
	int (*hook_write)(struct netio *io, const char *s, size_t len);
	void *hook_data;
};

/* A TCP connection to sa within timeout seconds, with TCP_NODELAY set
   (the final dot must not wait for an ACK). fd, or -1 with errno
   (ETIMEDOUT on time-out). */
int netio_connect(const struct sockaddr *sa, socklen_t len, unsigned int timeout);
void netio_init(struct netio *io, int fd, unsigned int timeout);
/* Some bytes: >0, 0 at EOF, -1 error (errno ETIMEDOUT on time-out). */
ssize_t netio_read(struct netio *io, char *out, size_t len);
/* All len bytes or -1. */
int netio_write(struct netio *io, const char *s, size_t len);
/* One line ending in LF, without CR LF / LF, at most max bytes kept
   (the rest of an overlong line is read and dropped). 1 a line, 0 EOF
   before a complete line, -1 error. */
int netio_line(struct netio *io, str *line, size_t max);
/* One whole SMTP reply into r. 0 ok, -1 I/O error or EOF,
   SMTP_REPLY_BAD protocol error. */
int netio_reply(struct netio *io, struct smtp_reply *r);
/* Whether the peer has sent bytes not read yet (buffered here or waiting
   on the socket), without blocking. Before a TLS handshake any such
   byte is an injection attempt (CVE-2011-0411's client side). */
int netio_pending(struct netio *io);

/* TLS (src/lib/netio_tls.c, which needs -lbearssl): runs the handshake
   of c on io's fd (tlsclient_start with io's time limit) and then routes
   netio_read/netio_write through c. policy is an enum tlsclient_policy.
   0, or tlsclient_start's TLSCLIENT_TEMP / TLSCLIENT_PERM (c->error). */
struct tlsclient;
int netio_tls_start(struct netio *io, struct tlsclient *c, const char *servername, int policy, const char *pins);
#endif
