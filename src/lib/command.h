#ifndef TERN_COMMAND_H
#define TERN_COMMAND_H
#include <stddef.h>
#include "str.h"

/* Runs "/bin/sh -c cmd" (the text of a .qmail line, never envelope
   data) with fd 0 = infd rewound to offset 0, fd 1 and 2 = a pipe whose
   first outmax bytes are kept in output, environment envp, in the
   current directory. Waits for it. Returns its exit code (0..255),
   256 + signal number if it was killed, or -1 with errno if it could
   not be run. */
#define COMMAND_KILLED 256
int command_run(const char *cmd, int infd, char *const envp[], str *output, size_t outmax);

/* qmail-command(8)'s meaning of an exit code: 0 delivered, 99 delivered
   and stop, 100 and 64, 65, 70, 76, 77, 78, 112 permanent, anything
   else (a signal too) temporary. */
#define COMMAND_OK 0
#define COMMAND_STOP 1
#define COMMAND_PERM 2
#define COMMAND_TEMP 3
int command_result(int code);
#endif
