#ifndef TERN_SPKI_H
#define TERN_SPKI_H
#include <stddef.h>
/* Finds the SubjectPublicKeyInfo (tag, length and contents) in a DER
   X.509 certificate, for public-key pins (tlsclient). The certificate
   comes from the network: the walk checks every length against len.
   0 with *spki and *spki_len set (pointing into cert), or -1 if
   malformed. */
int spki_find(const unsigned char *cert, size_t len, const unsigned char **spki, size_t *spki_len);
#endif
