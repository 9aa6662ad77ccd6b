/* Fuzzes spki_find (src/lib/spki.c): the DER walk over a certificate
   sent by a remote server, for tlsclient's public-key pins. The result
   must lie inside the input and start with a SEQUENCE. */
#include <stdlib.h>
#include <string.h>
#include "spki.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const unsigned char *spki;
	size_t len;
	unsigned char *copy = malloc(size ? size : 1);
	if (!copy) return 0;
	memcpy(copy, data, size);
	if (spki_find(copy, size, &spki, &len) == 0) {
		if (spki < copy || len < 2 || len > size || (size_t)(spki - copy) > size - len) abort();
		if (spki[0] != 0x30) abort();
	}
	free(copy);
	return 0;
}
