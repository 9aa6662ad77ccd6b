#ifndef TERN_RECEIVED_H
#define TERN_RECEIVED_H
#include <stddef.h>
#include <time.h>
#include "str.h"

/* The Received: line a network receiver puts at the top of a message
   (RFC 5321 4.4), in tern's one format for every protocol:

       Received: from HELO (HOST ident=INFO [IP])
       	by ME with PROTOCOL id PID.TIME
       	(TLS-INFO)
       	(authenticated user USER);
       	DATE

   with LF line ends, like the rest of a queued message. Without a HELO
   (QMTP, QMQP) the "from" name is the address literal [IP]. HOST, INFO,
   TLS and USER lines appear only when known. Every client-supplied piece
   is sanitised: bytes outside printable ASCII and ( ) \ ; become '_'.
   qmtpd and qmqpd use it; smtpd-recv's line (src/lib/smtpd_message.c)
   has the same format and can be built by this module too. */
struct received {
	const char *helo;        /* NULL or empty: none */
	size_t helolen;
	const char *remotehost;  /* TCPREMOTEHOST, NULL if unknown */
	const char *remoteinfo;  /* TCPREMOTEINFO, NULL if unknown */
	const char *remoteip;    /* TCPREMOTEIP */
	const char *me;          /* control/me */
	const char *protocol;    /* ESMTPS, QMTP, QMQP, ... */
	const char *tlsinfo;     /* "<protocol> <cipher>", NULL without TLS */
	size_t tlsinfolen;
	const char *authuser;    /* NULL if not authenticated */
	size_t authuserlen;
};
/* Replaces x with the line (ending in LF) for a message received now by
   process pid. 0 or -1 (no memory). */
int received_format(str *x, const struct received *r, unsigned long long pid, time_t now);
#endif
