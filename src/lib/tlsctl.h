#ifndef TERN_TLSCTL_H
#define TERN_TLSCTL_H
#include <stddef.h>
#include "str.h"

/* The UCSPI-TLS control line (doc/tls-server.md): after a successful
   handshake tls-server writes on the control fd one line
       <protocol> <cipher>[ sni=<name>]\n
   e.g. "TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 sni=mx.example.org\n".
   Fields are separated by one space; every field is made of
   [A-Za-z0-9._-] (and '=' after a key); the line is at most
   TLSCTL_LINE_MAX bytes with its newline. Readers ignore key=value fields
   they do not know, so fields can be added. No bearssl needed here. */
#define TLSCTL_LINE_MAX 512

struct tlsctl_info {
	char protocol[32];   /* "TLSv1.2" */
	char cipher[64];     /* OpenSSL name, e.g. "ECDHE-RSA-AES128-GCM-SHA256" */
	char sni[256];       /* lower case host name the client asked for, or "" */
};

/* Names for a BearSSL/IANA protocol version and cipher suite number;
   NULL when unknown. */
const char *tlsctl_version_name(unsigned version);
const char *tlsctl_suite_name(unsigned suite);
/* Is s a host name we are willing to repeat: 1..255 bytes of
   [A-Za-z0-9.-_]? */
int tlsctl_sni_valid(const char *s, size_t len);
/* Builds the line (with its "\n") into out. An invalid sni is left out
   (an empty or NULL one too). 0, or -1 (no memory, or protocol or cipher
   not a valid field). */
int tlsctl_line_make(str *out, const char *protocol, const char *cipher, const char *sni);
/* Parses len bytes holding one whole line, "\n" included.
   1 parsed into *info, 0 malformed. */
int tlsctl_line_parse(const char *s, size_t len, struct tlsctl_info *info);
#endif
