#ifndef TERN_IPPORT_H
#define TERN_IPPORT_H
#include <stddef.h>
#include <sys/socket.h>

/* A server address as control files write it (dnsservers, qmqpservers):
   "ip" or "ip:port" (IPv4), "[ip6]:port", or a bare IPv6 address (the
   whole string: "::1:53" is an address, not a port). dflt is the port
   when none is given. 1 ok (sa, *salen set), 0 not such an address. */
int ipport_parse(const char *s, size_t len, unsigned int dflt,
                 struct sockaddr_storage *sa, socklen_t *salen);
#endif
