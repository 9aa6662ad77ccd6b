#ifndef TERN_DNS_H
#define TERN_DNS_H
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "str.h"

/* A small strict stub resolver for relay-remote: MX, A and AAAA only.
   Names are kept in presentation form without the final dot, lower
   case. Every read of a packet is bounds-checked; compression pointers
   must point strictly backwards and at most DNS_JUMPS_MAX are followed,
   so a hostile answer can neither read out of bounds nor loop. */

#define DNS_T_A 1
#define DNS_T_CNAME 5
#define DNS_T_MX 15
#define DNS_T_AAAA 28

#define DNS_NAME_MAX 255           /* presentation form, without the final dot */
#define DNS_JUMPS_MAX 32
#define DNS_ANSWERS_MAX 64         /* records kept from one answer */
#define DNS_SERVERS_MAX 8
#define DNS_UDP_MAX 1232           /* EDNS-free UDP answers are <= 512; be generous */
#define DNS_TCP_MAX 65535

/* Results of a lookup or parse. */
#define DNS_OK 0           /* records (possibly none: NODATA) */
#define DNS_NXDOMAIN 1     /* the name does not exist: permanent */
#define DNS_TEMP (-1)      /* server failure, timeout, truncation: retry later */
#define DNS_BAD (-2)       /* malformed answer (treated as temporary by callers) */

struct dns_mx {
	unsigned int pref;
	char name[DNS_NAME_MAX + 1];  /* "" for the root (null MX, RFC 7505) */
};
struct dns_addr {
	int family;                  /* AF_INET or AF_INET6 */
	unsigned char ip[16];        /* 4 or 16 bytes used */
};
struct dns_result {
	size_t nmx;
	struct dns_mx mx[DNS_ANSWERS_MAX];
	size_t naddr;
	struct dns_addr addr[DNS_ANSWERS_MAX];
	char cname[DNS_NAME_MAX + 1]; /* last CNAME target seen, "" if none */
	int truncated;               /* TC bit was set */
};

/* Where queries go. */
struct dns_conf {
	size_t n;
	struct sockaddr_storage server[DNS_SERVERS_MAX];
	socklen_t len[DNS_SERVERS_MAX];
	unsigned int timeout;        /* seconds per try, default 5 */
	unsigned int rounds;         /* passes over the server list, default 2 */
};

/* Parses "ip", "ip:port" (IPv4), "[ip6]:port" or a bare IPv6 address
   (whole string) into sa. 1 ok, 0 not an address. */
int dns_server_parse(const char *s, size_t len, struct sockaddr_storage *sa, socklen_t *salen);
/* Fills conf from control/dnsservers (relative to the current
   directory), else the nameserver lines of resolv (normally
   "/etc/resolv.conf"), else 127.0.0.1:53. 0 or -1 (errno). */
int dns_conf_load(struct dns_conf *conf, const char *resolv);

/* Builds a query for name (len bytes, an optional final dot allowed)
   into out. Returns its length or 0 when the name is not a valid
   hostname (empty label, label > 63, name > 255) or out is too small. */
size_t dns_query_build(unsigned char *out, size_t size, uint16_t id,
                       const char *name, size_t len, uint16_t qtype, int rd);

/* Reads a possibly compressed name at msg[*pos]; on success *pos is just
   after it in the original stream and out holds the lower-case
   presentation form. 0 ok, DNS_BAD. */
int dns_name_read(const unsigned char *msg, size_t len, size_t *pos, char out[DNS_NAME_MAX + 1]);

/* Parses an answer to the query (id, name, qtype): checks id, QR, the
   question, RCODE, then collects records of qtype whose owner is name
   or a CNAME target reached from it. DNS_OK, DNS_NXDOMAIN, DNS_TEMP
   (SERVFAIL, REFUSED, ...), DNS_BAD. */
int dns_answer_parse(const unsigned char *msg, size_t len, uint16_t id,
                     const char *name, uint16_t qtype, struct dns_result *res);

/* Full lookup with UDP, TCP after truncation, timeouts and CNAME
   following (a few steps). For MX the records are sorted by
   preference with equal preferences shuffled. */
int dns_lookup(const struct dns_conf *conf, const char *name, uint16_t qtype, struct dns_result *res);

/* "1.2.3.4" or "2001:db8::1" into out (NUL-terminated, 46 bytes). */
#define DNS_IPSTR 46
void dns_addr_str(const struct dns_addr *a, char out[DNS_IPSTR]);
#endif
