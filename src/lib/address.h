#ifndef TERN_ADDRESS_H
#define TERN_ADDRESS_H
#include <stddef.h>
/* Envelope address helpers. An address is "local@domain" or, for the
   null sender, empty. */
/* Position of the last '@', or len if there is none. */
size_t address_at(const char *addr, size_t len);
/* Does domain (len bytes) equal or, for a pattern starting with '.',
   end with the pattern? ASCII case-insensitive. */
int address_domain_matches(const char *domain, size_t len, const char *pattern);
/* Does the string hold a byte below 0x20 or 0x7f? */
int address_has_control(const char *s, size_t len);
#endif
