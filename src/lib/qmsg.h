#ifndef TERN_QMSG_H
#define TERN_QMSG_H
#include <stddef.h>
#include <time.h>
#include "queue.h"
#include "schedule.h"
#include "str.h"
/* The queue manager's model of the queue (doc/queue-manager.md): every
   message it knows, the state of each recipient, the per-domain and
   local queues of pending recipients, the retry schedule, the state
   files in queue/info and the bounces. Used only by queue-manager; kept
   apart so the program file holds the event loop alone. Functions
   return -1 only when out of memory; everything else is logged through
   the log hook and handled (a message that cannot be read now is tried
   again later). */

struct qconfig {
	str me, bouncefrom, bouncehost, dbhost, dbto;   /* NUL-terminated */
	unsigned long long conclocal, concremote, perdomain, lifetime, retrymin;
};

/* Recipient states. */
#define QR_PENDING 0    /* waiting for a job in this pass */
#define QR_BUSY 1       /* in a job */
#define QR_DEFERRED 2   /* temporary failure in this pass */
#define QR_DONE 3       /* delivered, or failed and bounced */
#define QR_FAILED 4     /* permanent failure, not yet bounced */

struct qdomain;
struct qrcpt {
	unsigned char state;
	unsigned char local;
	struct qdomain *dom;   /* remote recipients */
	str dest;              /* local recipients: address for the job */
	str text;              /* failure text, or the last temporary one */
};

/* Message states. */
#define QM_WAITING 0       /* known, not loaded, in the schedule */
#define QM_ACTIVE 1        /* loaded, recipients in queues or jobs */
#define QM_REMOVING 2      /* queue-clean asked to remove it */
#define QM_REMOVE_RETRY 3  /* removal failed; in the schedule again */
#define QM_BROKEN 4        /* unreadable queue file: left alone */

struct qmsg {
	unsigned long long id;
	int status;
	int has_info;              /* queue/info/S/N may exist */
	time_t birth;              /* mtime of the queue file */
	unsigned long long msglen;
	str raw;                   /* envelope bytes; env points into it */
	struct envelope env;
	struct qrcpt *r;
	size_t open;               /* recipients pending or busy */
	unsigned long long gen;    /* load generation (domain queue dedup) */
	struct qmsg *hnext;
};

struct qdomain {
	str name;                  /* lower case, NUL-terminated */
	size_t inflight;           /* jobs */
	size_t refs;               /* loaded recipients at this domain */
	struct qmsg **q;           /* messages with pending recipients here */
	size_t qhead, qlen, qa;
	unsigned long long last_gen;
};

struct qitem { struct qmsg *m; size_t i; };

#define QMSG_HASH 65536
struct qmsg_world {
	struct qconfig cfg;
	unsigned int split;
	struct qmsg *table[QMSG_HASH];
	struct schedule_heap heap;
	struct qdomain **domains;
	size_t ndomains, adomains;
	struct qitem *lq;          /* local recipients waiting for a job */
	size_t lqhead, lqlen, lqa;
	size_t nactive;
	unsigned long long gen;
	/* Hooks set by the program. */
	void (*clean)(char letter, unsigned long long id);   /* ask queue-clean */
	void (*log)(str *line);                               /* emit one log line */
};

void qmsg_world_init(struct qmsg_world *w);
/* (Re)reads the control files. 0 or -1 (an unreadable file: keep old). */
int qmsg_config_read(struct qmsg_world *w);
/* Finds messages in queue/mess that are not known yet and schedules
   them (at their info file's next time, or now). 0 or -1. */
int qmsg_scan_mess(struct qmsg_world *w, time_t now);
/* Removes info files of messages that do not exist (start-up). */
void qmsg_info_cleanup(struct qmsg_world *w);
/* A todo entry: loads a new message. QMSG_BUSY: the id is being
   removed, look again later; else 0 (the todo link may go), -1 no memory
   (fatal, as for qmsg_due). */
#define QMSG_BUSY 1
int qmsg_ingest(struct qmsg_world *w, unsigned long long id);
/* Loads up to max messages whose retry time has come. 0, or -1 when
   out of memory (fatal: queue entries may be half made). */
int qmsg_due(struct qmsg_world *w, time_t now, size_t max);
/* Queues. */
int qmsg_local_next(struct qmsg_world *w, struct qmsg **m, size_t *i);
int qmsg_domain_next(struct qdomain *d, struct qmsg **m);
int qmsg_remote_pending(const struct qmsg *m, size_t i, const struct qdomain *d);
void qmsg_busy(struct qmsg *m, size_t i);
/* Drops domains nobody refers to any more. */
void qmsg_domains_sweep(struct qmsg_world *w);
/* A report: status K, Z or D with its text. */
void qmsg_result(struct qmsg_world *w, struct qmsg *m, size_t i, char status, const char *text, size_t len);
/* queue-clean's answer to X. */
void qmsg_removed(struct qmsg_world *w, unsigned long long id, int ok);
/* ALRM: every waiting message is due now. */
void qmsg_retry_all(struct qmsg_world *w);
/* Shutdown: records what was done so far in info files. */
void qmsg_persist_all(struct qmsg_world *w, time_t now);
#endif
