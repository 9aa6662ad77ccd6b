#ifndef TERN_LINE_H
#define TERN_LINE_H
#include "buffer.h"
#include "str.h"

/* Reads one line ending in sep from b into line (replacing its contents).
   At most max bytes are kept, sep included.
   Returns  1: a whole line, ending in sep;
            0: end of input; line holds what came before it (maybe nothing);
           -1: read error or timeout (errno says which);
   LINE_TOO_LONG: the line had more than max bytes; the rest of it, up to
           and including sep, has been read and thrown away, so the caller
           can answer and carry on in step with the peer. line holds the
           first max bytes. */
#define LINE_TOO_LONG (-2)
int line_read(buffer *b, str *line, int sep, size_t max);
#endif
