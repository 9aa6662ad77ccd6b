#include <errno.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "dns.h"
#include "ipport.h"

/* Packet encoding and decoding; the network side is dns_lookup.c. */

static int label_byte_ok(unsigned char c)
{
	/* Hostname labels: anything printable but '.', so the presentation
	   form stays unambiguous and safe to log and to put in a reply. */
	return c > 0x20 && c < 0x7f && c != '.';
}

size_t dns_query_build(unsigned char *out, size_t size, uint16_t id,
                       const char *name, size_t len, uint16_t qtype, int rd)
{
	size_t o = 12, i = 0;
	if (len && name[len - 1] == '.') len--;
	if (len == 0 || len > DNS_NAME_MAX || size < 12 + len + 2 + 4) return 0;
	out[0] = (unsigned char)(id >> 8); out[1] = (unsigned char)id;
	out[2] = rd ? 1 : 0; out[3] = 0;
	out[4] = 0; out[5] = 1;                 /* one question */
	memset(out + 6, 0, 6);
	while (i < len) {
		size_t start = i;
		while (i < len && name[i] != '.') {
			if (!label_byte_ok((unsigned char)name[i])) return 0;
			i++;
		}
		if (i == start || i - start > 63) return 0;
		out[o++] = (unsigned char)(i - start);
		memcpy(out + o, name + start, i - start);
		o += i - start;
		if (i < len) { i++; if (i == len) return 0; }
	}
	out[o++] = 0;
	out[o++] = (unsigned char)(qtype >> 8); out[o++] = (unsigned char)qtype;
	out[o++] = 0; out[o++] = 1;             /* class IN */
	return o;
}

int dns_name_read(const unsigned char *msg, size_t len, size_t *pos, char out[DNS_NAME_MAX + 1])
{
	size_t p = *pos, o = 0, after = 0, limit = *pos;
	int jumps = 0;
	for (;;) {
		unsigned int c;
		if (p >= len) return DNS_BAD;
		c = msg[p];
		if ((c & 0xc0) == 0xc0) {
			size_t target;
			if (p + 1 >= len) return DNS_BAD;
			target = ((size_t)(c & 0x3f) << 8) | msg[p + 1];
			/* Each pointer must go below every place visited so far:
			   the walk then strictly descends and must end. */
			if (target >= limit || ++jumps > DNS_JUMPS_MAX) return DNS_BAD;
			if (!after) after = p + 2;
			limit = target;
			p = target;
			continue;
		}
		if (c & 0xc0) return DNS_BAD;       /* 0x40/0x80: extended labels */
		if (c == 0) { p++; break; }
		if (p + 1 + c > len || o + (o ? 1 : 0) + c > DNS_NAME_MAX) return DNS_BAD;
		if (o) out[o++] = '.';
		for (size_t k = 0; k < c; k++) {
			unsigned char b = msg[p + 1 + k];
			if (!label_byte_ok(b)) return DNS_BAD;
			out[o++] = (char)((b >= 'A' && b <= 'Z') ? b + 32 : b);
		}
		p += 1 + c;
	}
	out[o] = 0;
	*pos = after ? after : p;
	return 0;
}

static unsigned int get16(const unsigned char *p) { return ((unsigned int)p[0] << 8) | p[1]; }

/* Skips the question, checking it is ours. */
static int question_check(const unsigned char *msg, size_t len, size_t *pos,
                          const char *name, uint16_t qtype)
{
	char q[DNS_NAME_MAX + 1];
	if (dns_name_read(msg, len, pos, q) < 0) return DNS_BAD;
	if (*pos + 4 > len) return DNS_BAD;
	if (strcasecmp(q, name) != 0 || get16(msg + *pos) != qtype || get16(msg + *pos + 2) != 1)
		return DNS_BAD;
	*pos += 4;
	return 0;
}

/* The names the answer may legitimately talk about: the query name and
   the CNAME targets reached from it. */
#define CHAIN_MAX 8
struct chain { size_t n; char name[CHAIN_MAX][DNS_NAME_MAX + 1]; };

static int chain_has(const struct chain *c, const char *s)
{
	for (size_t i = 0; i < c->n; i++) if (strcmp(c->name[i], s) == 0) return 1;
	return 0;
}

static int record_take(const unsigned char *msg, size_t len, size_t rd, size_t rdlen,
                       unsigned int type, uint16_t qtype, struct chain *ch, struct dns_result *res)
{
	size_t end = rd + rdlen, p = rd;
	if (type == DNS_T_CNAME) {
		char t[DNS_NAME_MAX + 1];
		if (dns_name_read(msg, len, &p, t) < 0 || p != end) return DNS_BAD;
		if (ch->n < CHAIN_MAX && !chain_has(ch, t)) {
			memcpy(ch->name[ch->n++], t, sizeof t);
			memcpy(res->cname, t, sizeof t);
		}
		return 0;
	}
	if (type != qtype) return 0;
	if (type == DNS_T_MX) {
		struct dns_mx *m;
		if (rdlen < 3) return DNS_BAD;
		if (res->nmx >= DNS_ANSWERS_MAX) return 0;
		m = &res->mx[res->nmx];
		m->pref = get16(msg + rd);
		p = rd + 2;
		if (dns_name_read(msg, len, &p, m->name) < 0 || p != end) return DNS_BAD;
		res->nmx++;
		return 0;
	}
	if ((type == DNS_T_A && rdlen != 4) || (type == DNS_T_AAAA && rdlen != 16)) return DNS_BAD;
	if (res->naddr >= DNS_ANSWERS_MAX) return 0;
	res->addr[res->naddr].family = type == DNS_T_A ? AF_INET : AF_INET6;
	memcpy(res->addr[res->naddr].ip, msg + rd, rdlen);
	res->naddr++;
	return 0;
}

int dns_answer_parse(const unsigned char *msg, size_t len, uint16_t id,
                     const char *name, uint16_t qtype, struct dns_result *res)
{
	struct chain ch;
	size_t nlen = strlen(name);
	size_t pos = 12;
	unsigned int an, rcode;
	memset(res, 0, sizeof *res);
	if (len < 12 || get16(msg) != id || !(msg[2] & 0x80) || (msg[2] & 0x78)) return DNS_BAD;
	if (msg[2] & 0x02) { res->truncated = 1; return DNS_TEMP; }
	if (get16(msg + 4) != 1) return DNS_BAD;
	if (question_check(msg, len, &pos, name, qtype) < 0) return DNS_BAD;
	rcode = msg[3] & 0x0f;
	if (rcode == 3) return DNS_NXDOMAIN;
	if (rcode != 0) return DNS_TEMP;
	an = get16(msg + 6);
	if (nlen > DNS_NAME_MAX) return DNS_BAD;
	ch.n = 1;
	for (size_t i = 0; i <= nlen; i++)
		ch.name[0][i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ? name[i] + 32 : name[i]);
	for (unsigned int i = 0; i < an; i++) {
		char owner[DNS_NAME_MAX + 1];
		unsigned int type, klass, rdlen;
		if (dns_name_read(msg, len, &pos, owner) < 0 || pos + 10 > len) return DNS_BAD;
		type = get16(msg + pos);
		klass = get16(msg + pos + 2);
		rdlen = get16(msg + pos + 8);
		pos += 10;
		if (pos + rdlen > len) return DNS_BAD;
		if (klass == 1 && chain_has(&ch, owner) &&
		    record_take(msg, len, pos, rdlen, type, qtype, &ch, res) < 0)
			return DNS_BAD;
		pos += rdlen;
	}
	return DNS_OK;
}

void dns_addr_str(const struct dns_addr *a, char out[DNS_IPSTR])
{
	if (!inet_ntop(a->family, a->ip, out, DNS_IPSTR)) { out[0] = '?'; out[1] = 0; }
}

int dns_server_parse(const char *s, size_t len, struct sockaddr_storage *sa, socklen_t *salen)
{
	return ipport_parse(s, len, 53, sa, salen);
}
