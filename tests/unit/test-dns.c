/* Unit test of the DNS packet code (src/lib/dns.c). */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "dns.h"
#include "check.h"

/* An answer packet under construction. */
static unsigned char pkt[2048];
static size_t plen;

static void put(const void *s, size_t len) { memcpy(pkt + plen, s, len); plen += len; }
static void put16(unsigned int v) { pkt[plen++] = (unsigned char)(v >> 8); pkt[plen++] = (unsigned char)v; }

/* Header + question for name/type with rcode and ancount. */
static void start(const char *name, unsigned int type, unsigned int rcode, unsigned int an)
{
	plen = dns_query_build(pkt, sizeof pkt, 0x1234, name, strlen(name), (uint16_t)type, 1);
	pkt[2] |= 0x80;
	pkt[3] = (unsigned char)rcode;
	pkt[6] = (unsigned char)(an >> 8); pkt[7] = (unsigned char)an;
}

/* A record owned by the question name (pointer to offset 12). */
static void rr(unsigned int type, const void *rdata, size_t rdlen)
{
	put16(0xc00c); put16(type); put16(1); put16(0); put16(60); put16((unsigned int)rdlen);
	put(rdata, rdlen);
}

static void test_query(void)
{
	unsigned char q[300];
	size_t l = dns_query_build(q, sizeof q, 7, "mx.Example.org.", 15, DNS_T_MX, 1);
	check(l == 12 + 16 + 4 && q[12] == 2 && memcmp(q + 13, "mx", 2) == 0 && q[15] == 7, "query encodes labels");
	check(dns_query_build(q, sizeof q, 7, "a..b", 4, DNS_T_A, 1) == 0, "empty label refused");
	check(dns_query_build(q, sizeof q, 7, "", 0, DNS_T_A, 1) == 0, "empty name refused");
	char big[80];
	memset(big, 'a', 64);
	check(dns_query_build(q, sizeof q, 7, big, 64, DNS_T_A, 1) == 0, "64-byte label refused");
	check(dns_query_build(q, sizeof q, 7, "a b", 3, DNS_T_A, 1) == 0, "space in name refused");
}

static void test_mx(void)
{
	struct dns_result res;
	unsigned char rd[64];
	start("example.org", DNS_T_MX, 0, 3);
	rd[0] = 0; rd[1] = 20; memcpy(rd + 2, "\002mx\002b2\300\014", 8);     /* mx.b2.example.org */
	rr(DNS_T_MX, rd, 10);
	rd[0] = 0; rd[1] = 10; memcpy(rd + 2, "\003MX1\300\014", 6);
	rr(DNS_T_MX, rd, 8);
	rr(DNS_T_A, "\001\002\003\004", 4);       /* another type: ignored */
	check(dns_answer_parse(pkt, plen, 0x1234, "example.org", DNS_T_MX, &res) == DNS_OK, "MX answer parses");
	check(res.nmx == 2 && res.mx[1].pref == 10 && strcmp(res.mx[1].name, "mx1.example.org") == 0, "MX name decompressed, lower case");
	check(strcmp(res.mx[0].name, "mx.b2.example.org") == 0, "nested labels then pointer");
	check(res.naddr == 0, "records of another type ignored");
	check(dns_answer_parse(pkt, plen, 0x1235, "example.org", DNS_T_MX, &res) == DNS_BAD, "wrong id is bad");
	check(dns_answer_parse(pkt, plen, 0x1234, "example.com", DNS_T_MX, &res) == DNS_BAD, "other question is bad");
	for (size_t cut = 0; cut < plen; cut++)
		if (dns_answer_parse(pkt, cut, 0x1234, "example.org", DNS_T_MX, &res) == DNS_OK) {
			check(0, "truncated packet accepted");
			return;
		}
	check(1, "every truncation of the packet is refused");
	start("nullmx.test", DNS_T_MX, 0, 1);
	rd[0] = 0; rd[1] = 0; rd[2] = 0;
	rr(DNS_T_MX, rd, 3);
	check(dns_answer_parse(pkt, plen, 0x1234, "nullmx.test", DNS_T_MX, &res) == DNS_OK &&
	      res.nmx == 1 && res.mx[0].name[0] == 0 && res.mx[0].pref == 0, "null MX is an empty name");
}

static void test_addr_cname(void)
{
	struct dns_result res;
	char ip[DNS_IPSTR];
	unsigned char a6[16] = { 0 };
	start("www.example.org", DNS_T_AAAA, 0, 2);
	rr(DNS_T_CNAME, "\004host\300\020", 7);           /* host.example.org */
	/* owner host.example.org: pointer to the CNAME's rdata (offset 12+17+4+12) */
	put16(0xc000 | (12 + 17 + 4 + 12)); put16(DNS_T_AAAA); put16(1); put16(0); put16(60); put16(16);
	a6[15] = 1;
	put(a6, 16);
	check(dns_answer_parse(pkt, plen, 0x1234, "www.example.org", DNS_T_AAAA, &res) == DNS_OK, "CNAME + AAAA parses");
	dns_addr_str(&res.addr[0], ip);
	check(res.naddr == 1 && strcmp(ip, "::1") == 0, "AAAA of the CNAME target kept");
	check(strcmp(res.cname, "host.example.org") == 0, "CNAME target reported");
	start("x.test", DNS_T_A, 0, 1);
	rr(DNS_T_A, "\001\002\003", 3);
	check(dns_answer_parse(pkt, plen, 0x1234, "x.test", DNS_T_A, &res) == DNS_BAD, "A of 3 bytes is bad");
	start("many.test", DNS_T_A, 0, 70);
	for (int i = 0; i < 70; i++) { unsigned char ip4[4] = { 10, 0, 0, (unsigned char)i }; rr(DNS_T_A, ip4, 4); }
	check(dns_answer_parse(pkt, plen, 0x1234, "many.test", DNS_T_A, &res) == DNS_OK && res.naddr == DNS_ANSWERS_MAX,
	      "more records than DNS_ANSWERS_MAX: the first ones kept");
	start("x.test", DNS_T_A, 3, 0);
	check(dns_answer_parse(pkt, plen, 0x1234, "x.test", DNS_T_A, &res) == DNS_NXDOMAIN, "NXDOMAIN");
	start("x.test", DNS_T_A, 2, 0);
	check(dns_answer_parse(pkt, plen, 0x1234, "x.test", DNS_T_A, &res) == DNS_TEMP, "SERVFAIL is temporary");
	start("x.test", DNS_T_A, 0, 0);
	pkt[2] |= 0x02;
	check(dns_answer_parse(pkt, plen, 0x1234, "x.test", DNS_T_A, &res) == DNS_TEMP && res.truncated, "TC flagged");
}

static void test_pointers(void)
{
	char out[DNS_NAME_MAX + 1];
	unsigned char loop[] = { 0, 0, 0, 0, 0xc0, 4 };          /* points at itself */
	unsigned char fwd[] = { 0xc0, 2, 1, 'a', 0 };             /* points forward */
	unsigned char two[] = { 1, 'a', 0xc0, 0 };                /* a label then back to itself */
	unsigned char ok[] = { 1, 'a', 0, 1, 'b', 0xc0, 0 };
	size_t pos = 4;
	check(dns_name_read(loop, sizeof loop, &pos, out) == DNS_BAD, "self pointer refused");
	pos = 0;
	check(dns_name_read(fwd, sizeof fwd, &pos, out) == DNS_BAD, "forward pointer refused");
	pos = 0;
	check(dns_name_read(two, sizeof two, &pos, out) == DNS_BAD, "pointer loop through a label refused");
	pos = 3;
	check(dns_name_read(ok, sizeof ok, &pos, out) == 0 && strcmp(out, "b.a") == 0 && pos == 7, "backward pointer followed");
	unsigned char longname[600];
	size_t l = 0;
	for (int i = 0; i < 100; i++) { longname[l++] = 3; memcpy(longname + l, "abc", 3); l += 3; }
	longname[l++] = 0;
	pos = 0;
	check(dns_name_read(longname, l, &pos, out) == DNS_BAD, "name over 255 bytes refused");
}

static void test_server(void)
{
	struct sockaddr_storage sa;
	socklen_t len;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&sa;
	check(dns_server_parse("127.0.0.1:5353", 14, &sa, &len) && v4->sin_family == AF_INET && ntohs(v4->sin_port) == 5353, "ip:port");
	check(dns_server_parse("10.0.0.1", 8, &sa, &len) && ntohs(v4->sin_port) == 53, "ip alone is port 53");
	check(dns_server_parse("[::1]:5353", 10, &sa, &len) && v6->sin6_family == AF_INET6 && ntohs(v6->sin6_port) == 5353, "[ip6]:port");
	check(dns_server_parse("::1", 3, &sa, &len) && v6->sin6_family == AF_INET6 && ntohs(v6->sin6_port) == 53, "bare IPv6");
	check(!dns_server_parse("1.2.3.4:0", 9, &sa, &len), "port 0 refused");
	check(!dns_server_parse("1.2.3.4:99999", 13, &sa, &len), "port too big refused");
	check(!dns_server_parse("localhost", 9, &sa, &len), "names refused");
}

int main(void)
{
	test_query();
	test_mx();
	test_addr_cname();
	test_pointers();
	test_server();
	return failed;
}
