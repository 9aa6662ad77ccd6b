#ifndef TERN_LOGLINE_H
#define TERN_LOGLINE_H
#include <stddef.h>
#include "str.h"
/* One log line per event, " key=value" pairs (DESIGN.md §10). Values are
   escaped so a hostile value cannot forge a field or a line: bytes below
   0x21, 0x7f and above, '"', '\\' and '=' become \xHH. 0 or -1. */
int logline_kv(str *line, const char *key, const char *value, size_t len);
int logline_kvs(str *line, const char *key, const char *value);
int logline_kvnum(str *line, const char *key, unsigned long long n);
/* Appends "\n" and writes the line to fd 2 in one write; empties it. */
int logline_emit(str *line);
#endif
