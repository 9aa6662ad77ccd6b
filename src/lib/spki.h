#ifndef TERN_SPKI_H
#define TERN_SPKI_H
#include <stddef.h>
#include "str.h"
/* Finds the SubjectPublicKeyInfo (tag, length and contents) in a DER
   X.509 certificate, for public-key pins (tlsclient). The certificate
   comes from the network: the walk checks every length against len.
   0 with *spki and *spki_len set (pointing into cert), or -1 if
   malformed. */
int spki_find(const unsigned char *cert, size_t len, const unsigned char **spki, size_t *spki_len);
/* The DER SubjectPublicKeyInfo of an RSA public key (modulus n and
   exponent e, big-endian), into out: what DKIM publishes in p= and what
   spki_find finds in a certificate. 0 or -1 (ENOMEM). */
int spki_encode_rsa(str *out, const unsigned char *n, size_t nlen, const unsigned char *e, size_t elen);
#endif
