#ifndef TERN_POLICY_CLIENT_H
#define TERN_POLICY_CLIENT_H
#include <sys/types.h>
#include "policy.h"
#include "str.h"

/* The SMTP server's side of the policy protocol (doc/policy.md): the
   services named in control/smtpdpolicy, one connection (or one child
   program) per SMTP session, kept open and asked at each stage the line
   names. Every question has a deadline: a slow or dead service is a
   temporary failure, never a hung session. */

enum policy_stage {
	POLICY_CONNECT = 1, POLICY_HELO = 2, POLICY_MAIL = 4, POLICY_RCPT = 8, POLICY_DATA = 16
};
#define POLICY_SERVICES_MAX 8

struct policy_service {
	unsigned stages;          /* enum policy_stage bits */
	int program;              /* 1: a program run per session; 0: a unix socket */
	str target;               /* socket path, or argv as NUL-separated words */
	size_t argc;
	int fd;                   /* -1 until opened */
	pid_t pid;
	str in;
};

/* Parses control/smtpdpolicy's items (a control_read_list result): each
   "[STAGES] TARGET", STAGES a comma list of connect, helo, mail, rcpt,
   data (default rcpt), TARGET "unix:/path" or an absolute program path
   with arguments (split at spaces, no shell). 0, or -1 with errno EINVAL
   for a line that does not parse (the session must then refuse, not
   skip the policy). */
int policy_config(const str *items, struct policy_service *svc, size_t *n);
/* Opens the service (connects, or starts the program with the socket as
   its fd 0 and 1 and an empty environment). 0 or -1. */
int policy_open(struct policy_service *p);
/* Sends req and reads the reply within timeout_ms, opening the service
   first if needed. 1 action read; 0 timed out; -1 error. After 0 or -1
   the service is closed (and reopened by the next question). */
int policy_ask(struct policy_service *p, const str *req, int timeout_ms, str *action);
void policy_close(struct policy_service *p);
#endif
