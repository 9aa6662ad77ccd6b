#ifndef TERN_STATS_H
#define TERN_STATS_H
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* Live counters without a daemon, an fsync or an exec (doc/tern-stat.md).
   Each feeding role has one small file under <home>/run/stats/, owned by
   that role's uid and mapped shared into every process of the role:
   smtpd (smtpd-recv, qmtpd, qmqpd: tern-recv), queue (queue-manager:
   tern-send) and relay (relay-remote: tern-relay). A count is an atomic
   add into the mapping; the kernel writes the pages back in its own time,
   so counts survive a restart of the programs (a machine crash may lose
   the last seconds). Beside the totals, each file keeps the last 16
   minutes in buckets, for rates over 1, 5 and 15 minutes, and a table of
   live sessions (pids), for gauges that a killed process cannot leave
   wrong. Counting never fails a delivery: a missing or unwritable file
   just means nothing is counted. */

enum stats_counter {
	/* smtpd */
	ST_SMTP_SESSIONS, ST_SMTP_TLS, ST_SMTP_AUTH, ST_SMTP_MESSAGES, ST_SMTP_RECIPIENTS,
	ST_SMTP_REFUSED_RELAY, ST_SMTP_REFUSED_UNKNOWN, ST_SMTP_REFUSED_SIZE,
	ST_SMTP_REFUSED_PROTOCOL, ST_SMTP_REFUSED_POLICY, ST_SMTP_TLS_FAILED,
	ST_SMTP_AUTH_FAILED, ST_SMTP_REFUSED_OTHER,
	/* queue */
	ST_QUEUE_MESSAGES, ST_QUEUE_RECIPIENTS,
	ST_LOCAL_DELIVERED, ST_LOCAL_DEFERRED, ST_LOCAL_FAILED,
	ST_REMOTE_DELIVERED, ST_REMOTE_DEFERRED, ST_REMOTE_FAILED,
	ST_BOUNCES, ST_DSN_NOTICES,
	/* relay */
	ST_RELAY_CONNECTIONS, ST_RELAY_REUSED, ST_RELAY_TLS, ST_RELAY_TRANSACTIONS,
	ST_COUNTERS
};

enum stats_role { STATS_SMTPD, STATS_QUEUE, STATS_RELAY, STATS_ROLES };

/* The name (Prometheus style, without the tern_ prefix), the role that
   feeds it and a line of help, for tern-stat. */
struct stats_info { const char *name; enum stats_role role; const char *help; };
extern const struct stats_info stats_info[ST_COUNTERS];
extern const char *const stats_role_name[STATS_ROLES];

#define STATS_MAGIC "TERNST1"
#define STATS_BUCKETS 16
#define STATS_SLOTS 4096
#define STATS_CAP 64                 /* counter places in the file */
struct stats_file {
	char magic[8];
	uint32_t version, counters;
	int64_t created;                 /* when the file was made: the counts' epoch */
	uint64_t total[STATS_CAP];
	struct { uint64_t minute; uint64_t v[STATS_CAP]; } bucket[STATS_BUCKETS];
	int32_t slot[STATS_SLOTS];       /* pids of live sessions, 0 free */
};

/* Maps the role's file (path relative to the home: run/stats/NAME) for
   writing; later calls are no-ops. 0, or -1 (then counting is off). */
int stats_open(enum stats_role role);
/* Adds n to counter c (of the opened role). */
void stats_add(enum stats_counter c, uint64_t n);
/* Claims a live-session slot for this pid; released by stats_session_end
   (or found stale later by its pid). */
void stats_session_begin(void);
void stats_session_end(void);

/* Readers (tern-stat). Maps path read-only into *f; 0 or -1. */
int stats_map(const char *path, const struct stats_file **f);
/* Counter c's sum over the last minutes (1..STATS_BUCKETS) at now. */
uint64_t stats_recent(const struct stats_file *f, enum stats_counter c, unsigned minutes, time_t now);
/* Live sessions: slots whose pid still exists. */
unsigned stats_live(const struct stats_file *f);
/* Creates (or checks) a role's file: for make install. 0 or -1. */
int stats_create(const char *path);
#endif
