#ifndef TERN_DOTQMAIL_H
#define TERN_DOTQMAIL_H
#include <stddef.h>
#include "str.h"

/* Finding a user's .qmail file the way qmail-local does (doc/dot-qmail.md).
   For dash "-" and ext "a-b-c" the candidates are, in order,
       .qmail-a-b-c  .qmail-a-b-default  .qmail-a-default  .qmail-default
   and for an empty dash just ".qmail". The extension is lower-cased and
   '.' becomes ':' in file names; a candidate whose name would hold a '/'
   is skipped (an address must not walk the file system). */

/* The name of one candidate, relative to the home, into out (NUL-
   terminated, len excludes it): ".qmail" dash ext[0..extlen), followed
   by "default" when with_default. Returns 0, or -1 (errno ENOMEM) or
   1 when the name would hold a '/' (not a valid candidate). */
int dotqmail_name(str *out, const char *dash, const char *ext, size_t extlen, int with_default);

/* Searches the candidates in directory dir ("." when already there).
   1: found; path = "<dir>/<name>" NUL-terminated, *default_at = the
      position in ext where $DEFAULT starts for a -default match, or
      (size_t)-1 for an exact match.
   0: none exists.
  -1: a candidate could not be checked (errno: EACCES when the directory
      is not readable, or a temporary error). */
int dotqmail_search(const char *dir, const char *dash, const char *ext,
                    str *path, size_t *default_at);
#endif
