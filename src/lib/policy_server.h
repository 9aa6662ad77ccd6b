#ifndef TERN_POLICY_SERVER_H
#define TERN_POLICY_SERVER_H
#include <sys/types.h>
#include <time.h>
#include "policy.h"
#include "str.h"

/* The driver shared by tern's policy services (tern-limits,
   tern-greylist): a unix socket, a poll loop over its clients, the
   policy protocol, and hooks for what the service decides. Only peers
   whose uid (SO_PEERCRED) is root, the service's own, or the allowed
   one may talk to it. Signals: TERM ends the loop, HUP calls the hook. */

#define POLICY_PEERS_MAX 4096

struct policy_peer {
	int fd;
	str in;          /* bytes not yet parsed */
	void *data;      /* the service's own, per connection */
};

struct policy_server_hooks {
	/* Answers one request with an action ("dunno", "450 4.7.1 ...").
	   0, or -1 to drop the peer. */
	int (*request)(void *ctx, struct policy_peer *p, const struct policy_request *r, str *action);
	/* The peer went away (or was dropped): release what it held. */
	void (*closed)(void *ctx, struct policy_peer *p);
	/* About once a second: expiry, saving state. May be NULL. */
	void (*tick)(void *ctx, time_t now);
	/* SIGHUP: reread settings. May be NULL. */
	void (*hup)(void *ctx);
};

/* Binds a stream socket at path (an old one is removed first), mode 0666
   (peers are checked by uid, not by file mode). The fd, or -1. */
int policy_server_listen(const char *path);
/* Runs until SIGTERM (returns 0) or an error of the listening socket
   (-1). allowed: a uid that may connect besides root and our own. */
int policy_server_run(int listenfd, const struct policy_server_hooks *h, void *ctx, uid_t allowed);
/* Both in one, for a service's main: the allowed uid is that of the user
   $POLICY_CLIENT (default tern-recv, smtpd-recv's). 0 after SIGTERM; -1
   with errno and *why saying which step failed. */
int policy_server_serve(const char *path, const struct policy_server_hooks *h, void *ctx, const char **why);
#endif
