#ifndef RELRO_H
#define RELRO_H
/* Make the program's PT_GNU_RELRO pages read-only: 0, or -1 (errno set by
   mprotect). relro.c's constructor calls it at start in the musl build. */
int relro_protect(void);
#endif
