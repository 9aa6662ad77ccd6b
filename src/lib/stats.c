#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "stats.h"

const char *const stats_role_name[STATS_ROLES] = { "smtpd", "queue", "relay" };

const struct stats_info stats_info[ST_COUNTERS] = {
	[ST_SMTP_SESSIONS] = { "smtp_sessions_total", STATS_SMTPD, "SMTP sessions (QMTP and QMQP connections too)" },
	[ST_SMTP_TLS] = { "smtp_tls_sessions_total", STATS_SMTPD, "sessions that negotiated TLS (STARTTLS or SMTPS)" },
	[ST_SMTP_AUTH] = { "smtp_auth_total", STATS_SMTPD, "successful SMTP AUTH logins" },
	[ST_SMTP_MESSAGES] = { "smtp_messages_accepted_total", STATS_SMTPD, "messages accepted (queued) by the servers" },
	[ST_SMTP_RECIPIENTS] = { "smtp_recipients_accepted_total", STATS_SMTPD, "recipients of accepted messages" },
	[ST_SMTP_REFUSED_RELAY] = { "smtp_refused_relay_total", STATS_SMTPD, "recipients refused: relaying denied" },
	[ST_SMTP_REFUSED_UNKNOWN] = { "smtp_refused_unknown_user_total", STATS_SMTPD, "recipients refused: no such user" },
	[ST_SMTP_REFUSED_SIZE] = { "smtp_refused_size_total", STATS_SMTPD, "messages refused: too large" },
	[ST_SMTP_REFUSED_PROTOCOL] = { "smtp_refused_protocol_total", STATS_SMTPD, "sessions or messages refused for protocol violations (smuggling, pipelining, bare CR/LF)" },
	[ST_SMTP_REFUSED_POLICY] = { "smtp_refused_policy_total", STATS_SMTPD, "refusals by a policy service (limits, greylisting)" },
	[ST_SMTP_TLS_FAILED] = { "smtp_tls_failed_total", STATS_SMTPD, "TLS handshakes that failed" },
	[ST_SMTP_AUTH_FAILED] = { "smtp_auth_failed_total", STATS_SMTPD, "failed SMTP AUTH attempts" },
	[ST_SMTP_REFUSED_OTHER] = { "smtp_refused_other_total", STATS_SMTPD, "other refused commands and messages" },
	[ST_QUEUE_MESSAGES] = { "queue_messages_total", STATS_QUEUE, "messages that entered the queue" },
	[ST_QUEUE_RECIPIENTS] = { "queue_recipients_total", STATS_QUEUE, "recipients that entered the queue" },
	[ST_LOCAL_DELIVERED] = { "local_delivered_total", STATS_QUEUE, "local deliveries done" },
	[ST_LOCAL_DEFERRED] = { "local_deferred_total", STATS_QUEUE, "local delivery attempts deferred" },
	[ST_LOCAL_FAILED] = { "local_failed_total", STATS_QUEUE, "local deliveries failed for good" },
	[ST_REMOTE_DELIVERED] = { "remote_delivered_total", STATS_QUEUE, "remote deliveries done" },
	[ST_REMOTE_DEFERRED] = { "remote_deferred_total", STATS_QUEUE, "remote delivery attempts deferred" },
	[ST_REMOTE_FAILED] = { "remote_failed_total", STATS_QUEUE, "remote deliveries failed for good" },
	[ST_BOUNCES] = { "bounces_total", STATS_QUEUE, "bounce messages sent" },
	[ST_DSN_NOTICES] = { "dsn_notices_total", STATS_QUEUE, "delivery status notices sent (delivered, relayed, delayed)" },
	[ST_RELAY_CONNECTIONS] = { "relay_connections_total", STATS_RELAY, "outgoing connections opened" },
	[ST_RELAY_REUSED] = { "relay_connections_reused_total", STATS_RELAY, "jobs sent over a connection kept from an earlier job" },
	[ST_RELAY_TLS] = { "relay_tls_total", STATS_RELAY, "outgoing connections that negotiated TLS" },
	[ST_RELAY_TRANSACTIONS] = { "relay_transactions_total", STATS_RELAY, "outgoing mail transactions" },
};

static struct stats_file *mine;
static int my_slot = -1;

static int role_path(enum stats_role r, char *buf, size_t size)
{
	static const char pre[] = "run/stats/";
	size_t n = strlen(stats_role_name[r]);
	if (sizeof pre + n > size) return -1;
	memcpy(buf, pre, sizeof pre - 1);
	memcpy(buf + sizeof pre - 1, stats_role_name[r], n + 1);
	return 0;
}

static int valid(const struct stats_file *f)
{
	return !memcmp(f->magic, STATS_MAGIC, 8) && f->version == 1 && f->counters <= STATS_CAP;
}

int stats_open(enum stats_role role)
{
	char path[64];
	struct stats_file *f;
	int fd;
	if (mine) return 0;
	if (role_path(role, path, sizeof path) < 0) return -1;
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) return -1;
	f = mmap(NULL, sizeof *f, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (f == MAP_FAILED) return -1;
	if (!valid(f)) { munmap(f, sizeof *f); errno = EINVAL; return -1; }
	mine = f;
	return 0;
}

void stats_add(enum stats_counter c, uint64_t n)
{
	uint64_t m, seen;
	unsigned b;
	if (!mine || (unsigned)c >= ST_COUNTERS) return;
	__atomic_fetch_add(&mine->total[c], n, __ATOMIC_RELAXED);
	m = (uint64_t)time(NULL) / 60;
	b = (unsigned)(m % STATS_BUCKETS);
	seen = __atomic_load_n(&mine->bucket[b].minute, __ATOMIC_ACQUIRE);
	/* The first writer of a new minute clears the bucket. A count made by
	   another process in the instant between can be lost from the rate
	   (never from the total): rates are approximate by design. */
	if (seen != m && __atomic_compare_exchange_n(&mine->bucket[b].minute, &seen, m, 0,
	                                             __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		unsigned i;
		for (i = 0; i < STATS_CAP; i++) __atomic_store_n(&mine->bucket[b].v[i], 0, __ATOMIC_RELAXED);
	}
	__atomic_fetch_add(&mine->bucket[b].v[c], n, __ATOMIC_RELAXED);
}

void stats_session_begin(void)
{
	int32_t pid = (int32_t)getpid();
	unsigned i, start;
	if (!mine || my_slot >= 0) return;
	start = (unsigned)pid % STATS_SLOTS;
	for (i = 0; i < STATS_SLOTS; i++) {
		unsigned k = (start + i) % STATS_SLOTS;
		int32_t old = __atomic_load_n(&mine->slot[k], __ATOMIC_RELAXED);
		/* a slot is free, or held by a pid that is gone (killed) */
		if ((old == 0 || (kill(old, 0) < 0 && errno == ESRCH)) &&
		    __atomic_compare_exchange_n(&mine->slot[k], &old, pid, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
			my_slot = (int)k;
			return;
		}
	}
}

void stats_session_end(void)
{
	if (!mine || my_slot < 0) return;
	__atomic_store_n(&mine->slot[my_slot], 0, __ATOMIC_RELEASE);
	my_slot = -1;
}

int stats_map(const char *path, const struct stats_file **out)
{
	struct stats_file *f;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) return -1;
	if (fstat(fd, &st) < 0 || st.st_size < (off_t)sizeof *f) { close(fd); errno = EINVAL; return -1; }
	f = mmap(NULL, sizeof *f, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (f == MAP_FAILED) return -1;
	if (!valid(f)) { munmap(f, sizeof *f); errno = EINVAL; return -1; }
	*out = f;
	return 0;
}

uint64_t stats_recent(const struct stats_file *f, enum stats_counter c, unsigned minutes, time_t now)
{
	uint64_t m = (uint64_t)now / 60, sum = 0;
	unsigned i;
	if (minutes > STATS_BUCKETS) minutes = STATS_BUCKETS;
	for (i = 0; i < minutes && i <= m; i++) {
		unsigned b = (unsigned)((m - i) % STATS_BUCKETS);
		if (__atomic_load_n(&f->bucket[b].minute, __ATOMIC_ACQUIRE) == m - i)
			sum += __atomic_load_n(&f->bucket[b].v[c], __ATOMIC_RELAXED);
	}
	return sum;
}

unsigned stats_live(const struct stats_file *f)
{
	unsigned i, n = 0;
	for (i = 0; i < STATS_SLOTS; i++) {
		int32_t p = __atomic_load_n(&f->slot[i], __ATOMIC_RELAXED);
		if (p > 0 && (kill(p, 0) == 0 || errno == EPERM)) n++;
	}
	return n;
}

int stats_create(const char *path)
{
	struct stats_file f;
	struct stat st;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640), e;
	if (fd < 0) return -1;
	if (fstat(fd, &st) < 0) goto fail;
	if (st.st_size == (off_t)sizeof f && read(fd, &f, sizeof f) == (ssize_t)sizeof f && valid(&f)) {
		close(fd);
		return 0;   /* kept: its counts go on */
	}
	memset(&f, 0, sizeof f);
	memcpy(f.magic, STATS_MAGIC, 8);
	f.version = 1;
	f.counters = ST_COUNTERS;
	f.created = (int64_t)time(NULL);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, &f, sizeof f, 0) != (ssize_t)sizeof f || fsync(fd) < 0) goto fail;
	close(fd);
	return 0;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}
