#ifndef TERN_RCPTHOSTS_H
#define TERN_RCPTHOSTS_H
#include <stddef.h>
#include "str.h"

/* Which domains the SMTP server accepts mail for from clients that may
   not relay: control/rcpthosts (exact names, or ".suffix" for every
   subdomain) and control/morercpthosts.cdb (same keys, lower case), as
   qmail. Call after control_chdir_home(). */
struct rcpthosts {
	int present;   /* rcpthosts or morercpthosts.cdb exists */
	str list;      /* rcpthosts items, NUL-separated */
};
/* 0 or -1 (errno). A missing rcpthosts leaves present 0: the caller then
   refuses every remote domain (tern is never an open relay). */
int rcpthosts_init(struct rcpthosts *r);
/* Is domain (len bytes) accepted? 1 yes, 0 no, -1 temporary error. */
int rcpthosts_match(struct rcpthosts *r, const char *domain, size_t len);
void rcpthosts_free(struct rcpthosts *r);
#endif
