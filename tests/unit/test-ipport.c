/* Unit test of src/lib/ipport.c (dnsservers, qmqpservers). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include "ipport.h"
#include "check.h"

static int port_of(const char *s, unsigned int dflt)
{
	struct sockaddr_storage sa;
	socklen_t len;
	if (!ipport_parse(s, strlen(s), dflt, &sa, &len)) return -1;
	if (sa.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&sa)->sin_port);
	return 100000 + ntohs(((struct sockaddr_in6 *)&sa)->sin6_port);
}

int main(void)
{
	check(port_of("10.1.2.3", 628) == 628, "default port");
	check(port_of("10.1.2.3:6628", 628) == 6628, "ip:port");
	check(port_of("::1", 628) == 100628, "bare IPv6, default port");
	check(port_of("[::1]:7", 628) == 100007, "[ip6]:port");
	check(port_of("::1:7", 628) == 100628, "::1:7 is an address");
	check(port_of("hub.example", 628) == -1 && port_of("1.2.3.4:", 628) == -1 &&
	      port_of("[::1]x", 628) == -1, "refused");
	return failed;
}
