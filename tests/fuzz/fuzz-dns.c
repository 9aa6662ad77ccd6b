/* libFuzzer harness: DNS answers (src/lib/dns.c) must never read out of
   bounds or loop, whatever the packet. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "dns.h"

static unsigned char pkt[70000];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_result res;
	static const uint16_t types[3] = { DNS_T_MX, DNS_T_A, DNS_T_AAAA };
	char name[DNS_NAME_MAX + 1];
	size_t pos, q;
	uint16_t type;
	if (size < 2 || size > 65000) return 0;
	type = types[data[0] % 3];
	/* Raw: the whole input is the packet (id taken from it). */
	dns_answer_parse(data + 1, size - 1, size >= 3 ? (uint16_t)((data[1] << 8) | data[2]) : 0,
	                 "example.org", type, &res);
	/* Framed: a valid header and question, then the input as the answer
	   section with data[1] records, so the record code is reached. */
	q = dns_query_build(pkt, sizeof pkt, 0x4242, "example.org", 11, type, 1);
	pkt[2] |= 0x80;
	pkt[7] = data[1];
	memcpy(pkt + q, data + 2, size - 2);
	if (dns_answer_parse(pkt, q + size - 2, 0x4242, "example.org", type, &res) == DNS_OK &&
	    (res.nmx > DNS_ANSWERS_MAX || res.naddr > DNS_ANSWERS_MAX))
		__builtin_trap();
	for (pos = 0; pos < size && pos < 64; pos++) {
		size_t p = pos;
		if (dns_name_read(data, size, &p, name) == 0 && (p > size || strlen(name) > DNS_NAME_MAX))
			__builtin_trap();
	}
	return 0;
}
