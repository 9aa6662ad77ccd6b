#ifndef TERN_TLSCLIENT_H
#define TERN_TLSCLIENT_H
#include <stddef.h>
#include <sys/types.h>
#include <bearssl.h>
#include "str.h"

/* A TLS client over a connected fd, with BearSSL (link -lbearssl), for
   relay-remote's STARTTLS (DESIGN.md §7, doc/tls.md). Synchronous: every
   call waits at most `timeout` seconds for each read or write on the fd.
   The struct is large (~40 KB, the record buffers): allocate it once.

   Policies:
     TLSCLIENT_MAY      no verification; the caller falls back to
                        cleartext when STARTTLS is missing or fails
     TLSCLIENT_ENCRYPT  TLS required, no verification
     TLSCLIENT_VERIFY   chain checked against the trust store (default
                        /etc/ssl/certs/ca-certificates.crt, or cafile)
                        and the name against servername
     TLSCLIENT_PIN      the leaf's public key must hash (SHA-256 of its
                        SubjectPublicKeyInfo, as `openssl pkey -pubout
                        -outform DER | sha256sum`) to one of the pins;
                        the chain is not checked
   pins: "sha256:<64 hex digits or 44 base64 chars>", several separated
   by ',' or ' '. */
enum tlsclient_policy {
	TLSCLIENT_MAY, TLSCLIENT_ENCRYPT, TLSCLIENT_VERIFY, TLSCLIENT_PIN
};
#define TLSCLIENT_PIN_MAX 8
#define TLSCLIENT_LEAF_MAX 16384
#define TLSCLIENT_DEFAULT_CAFILE "/etc/ssl/certs/ca-certificates.crt"

/* Results of tlsclient_start: 0 ok, or one of these with error[] set. */
#define TLSCLIENT_TEMP (-1)   /* network trouble, time-out: try later/elsewhere */
#define TLSCLIENT_PERM (-2)   /* the peer cannot satisfy the policy (bad chain, name, pin) */

struct tlsclient_x509 {
	const br_x509_class *vtable;      /* first: BearSSL calls through it */
	const br_x509_class **inner;      /* the chain validator, NULL: none */
	unsigned cert_index;
	size_t leaf_len;                  /* bytes of the leaf in leaf[] */
	int leaf_overflow;
	unsigned char leaf[TLSCLIENT_LEAF_MAX];
	br_x509_decoder_context dc;       /* decodes the leaf's public key */
	int pin_policy;
	size_t npins;
	unsigned char pins[TLSCLIENT_PIN_MAX][32];
	int pin_ok;
};

struct tlsclient {
	/* Set by the caller after tlsclient_init, before tlsclient_start. */
	const char *cafile;               /* NULL: TLSCLIENT_DEFAULT_CAFILE */
	/* Private. */
	br_ssl_client_context cc;
	br_x509_minimal_context xc;
	struct tlsclient_x509 x;
	br_sslio_context io;
	unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
	int fd;
	int timeout;
	time_t deadline;                  /* during the handshake or close, else 0 */
	int policy;
	int verified;
	char error[200];                  /* why start failed, for the log/bounce */
};

void tlsclient_init(struct tlsclient *c);
/* Runs the handshake on fd. 0, TLSCLIENT_TEMP or TLSCLIENT_PERM. */
int tlsclient_start(struct tlsclient *c, int fd, const char *servername,
                    enum tlsclient_policy policy, const char *pins, int timeout);
/* Up to len decrypted bytes: >0, 0 at the peer's close, -1 error/time-out. */
ssize_t tlsclient_read(struct tlsclient *c, void *buf, size_t len);
/* Queues len bytes; they are sent when the buffer fills or at
   tlsclient_flush. 0 or -1. */
int tlsclient_write(struct tlsclient *c, const void *buf, size_t len);
int tlsclient_flush(struct tlsclient *c);
/* Sends close_notify (bounded by the timeout). Does not close fd. */
int tlsclient_close(struct tlsclient *c);
/* "TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 verified=yes|no|pin" into out. */
int tlsclient_describe(struct tlsclient *c, str *out);
/* Parses pins into 32-byte hashes; how many, or -1 when malformed. */
int tlsclient_pins_parse(const char *pins, unsigned char out[][32], size_t max);
#endif
