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

/* The kinds of delivery instruction (doc/dot-qmail.md). */
enum dotqmail_kind {
	DOTQMAIL_PROGRAM = 'P',   /* |command: the text after '|' */
	DOTQMAIL_MAILDIR = 'M',   /* a path ending in '/' */
	DOTQMAIL_MBOX = 'F',      /* another path starting with '/' or '.' */
	DOTQMAIL_FORWARD = 'A'    /* an address (after '&', or a bare line) */
};

/* The kind of one target as written in /etc/aliases, .forward or a
   .qmail line without '&': "|program", "/file" or "./file" (a Maildir
   when it ends in '/'), anything else an address. *skip = bytes of
   syntax before the text (1 for '|', else 0). */
enum dotqmail_kind dotqmail_target(const char *s, size_t len, size_t *skip);

/* qmail-local's reading of .qmail text s[0..len): per line, trailing
   spaces, tabs and CRs removed; empty lines and lines starting with '#'
   ignored; '&' forwards to the rest; else dotqmail_target. Calls
   add(ctx, kind, text, textlen) for each instruction, in order (text is
   not NUL-terminated; textlen may be 0 for a lone '|' or '&'). Stops at
   the first add that returns non-zero and returns that value; 0 when
   every line was given. */
int dotqmail_parse(const char *s, size_t len,
                   int (*add)(void *ctx, enum dotqmail_kind kind, const char *text, size_t textlen),
                   void *ctx);
#endif
