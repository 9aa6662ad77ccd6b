#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "buffer.h"
#include "fmt.h"
#include "mbox.h"
#include "str.h"

/* ---- mboxrd quoting ---- */

static int put_gt(unsigned long long n, int (*put)(void *, const char *, size_t), void *ctx)
{
	static const char gts[] = ">>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>>";
	while (n > 0) {
		size_t k = n < sizeof gts - 1 ? (size_t)n : sizeof gts - 1;
		if (put(ctx, gts, k) < 0) return -1;
		n -= k;
	}
	return 0;
}

/* Emits what a line start held back when it turned out not to be From. */
static int flush_held(struct mbox_quote *q, int (*put)(void *, const char *, size_t), void *ctx)
{
	if (put_gt(q->gt, put, ctx) < 0 || (q->from && put(ctx, "From ", q->from) < 0)) return -1;
	q->gt = 0;
	q->from = 0;
	return 0;
}

int mbox_quote(struct mbox_quote *q, const char *s, size_t len,
               int (*put)(void *, const char *, size_t), void *ctx)
{
	size_t i = 0;
	if (len) q->last = s[len - 1];
	while (i < len) {
		if (q->state == 0) {
			char c = s[i];
			if (q->from == 0 && c == '>') { q->gt++; i++; continue; }
			if (c == "From "[q->from]) {
				i++;
				if (++q->from < 5) continue;
				if (put(ctx, ">", 1) < 0 || flush_held(q, put, ctx) < 0) return -1;
				q->state = 1;
				continue;
			}
			if (flush_held(q, put, ctx) < 0) return -1;
			q->state = 1;
		}
		{
			const char *nl = memchr(s + i, '\n', len - i);
			size_t end = nl ? (size_t)(nl - s) + 1 : len;
			if (put(ctx, s + i, end - i) < 0) return -1;
			i = end;
			if (nl) q->state = 0;
		}
	}
	return 0;
}

int mbox_quote_end(struct mbox_quote *q, int (*put)(void *, const char *, size_t), void *ctx,
                   int *ended_nl)
{
	if (flush_held(q, put, ctx) < 0) return -1;
	*ended_nl = q->last == '\n' && q->state == 0;
	return 0;
}

/* ---- locking ---- */

static void on_alarm(int sig) { (void)sig; }

/* fcntl write lock, waiting at most timeout seconds. */
static int lock_fcntl(int fd, unsigned int timeout)
{
	struct sigaction sa, old;
	struct flock fl;
	int r, e;
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;   /* no SA_RESTART: the alarm interrupts F_SETLKW */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, &old) < 0) return -1;
	alarm(timeout);
	r = fcntl(fd, F_SETLKW, &fl);
	e = errno;
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	if (r < 0 && e == EINTR) e = ETIMEDOUT;
	errno = e;
	return r;
}

/* Creates the dotlock. 1 held, 0 not possible here (no dotlock), -1 error. */
static int lock_dot(const char *lock, unsigned int timeout)
{
	time_t deadline = time(NULL) + (time_t)timeout;
	for (;;) {
		struct stat st;
		int fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd >= 0) { close(fd); return 1; }
		if (errno == EACCES || errno == EROFS || errno == EPERM) return 0;
		if (errno != EEXIST) return -1;
		if (stat(lock, &st) == 0 && st.st_mtime + MBOX_DOTLOCK_STALE < time(NULL)) {
			unlink(lock);   /* stale: its owner died long ago */
			continue;
		}
		if (time(NULL) >= deadline) { errno = ETIMEDOUT; return -1; }
		sleep(1);
	}
}

/* ---- writing ---- */

static int put_buffer(void *ctx, const char *s, size_t n) { return buffer_put(ctx, s, n); }

/* "From sender Sun Nov 22 01:23:45 2026\n" (ctime's format). */
static int from_line(buffer *b, const char *sender, size_t senderlen)
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	char d[32], num[FMT_ULONG];
	time_t now = time(NULL);
	struct tm tm;
	if (!localtime_r(&now, &tm)) { errno = EINVAL; return -1; }
	memcpy(d, days + 3 * tm.tm_wday, 3);
	d[3] = ' ';
	memcpy(d + 4, months + 3 * tm.tm_mon, 3);
	d[7] = ' ';
	d[8] = tm.tm_mday < 10 ? ' ' : (char)('0' + tm.tm_mday / 10);
	d[9] = (char)('0' + tm.tm_mday % 10);
	d[10] = ' ';
	fmt_ulong0(d + 11, (unsigned long long)tm.tm_hour, 2); d[13] = ':';
	fmt_ulong0(d + 14, (unsigned long long)tm.tm_min, 2); d[16] = ':';
	fmt_ulong0(d + 17, (unsigned long long)tm.tm_sec, 2); d[19] = ' ';
	if (buffer_puts(b, "From ") < 0) return -1;
	if (senderlen ? buffer_put(b, sender, senderlen) : buffer_puts(b, "MAILER-DAEMON")) return -1;
	return buffer_puts(b, " ") < 0 || buffer_put(b, d, 20) < 0 ||
	       buffer_put(b, num, fmt_ulong(num, (unsigned long long)tm.tm_year + 1900)) < 0 ||
	       buffer_puts(b, "\n") < 0 ? -1 : 0;
}

static int append(int fd, const char *sender, size_t senderlen, const char *head, size_t headlen,
                  int msgfd, unsigned long long msglen)
{
	char out[65536], in[65536];
	buffer b;
	struct mbox_quote q;
	unsigned long long off = 0;
	int nl;
	memset(&q, 0, sizeof q);
	buffer_init(&b, fd, out, sizeof out);
	if (from_line(&b, sender, senderlen) < 0 || buffer_put(&b, head, headlen) < 0) return -1;
	while (off < msglen) {
		size_t want = msglen - off < sizeof in ? (size_t)(msglen - off) : sizeof in;
		ssize_t r = pread(msgfd, in, want, (off_t)off);
		if (r < 0) { if (errno == EINTR) continue; return -1; }
		if (r == 0) { errno = EIO; return -1; }
		if (mbox_quote(&q, in, (size_t)r, put_buffer, &b) < 0) return -1;
		off += (unsigned long long)r;
	}
	if (mbox_quote_end(&q, put_buffer, &b, &nl) < 0) return -1;
	if (!nl && buffer_puts(&b, "\n") < 0) return -1;
	if (buffer_puts(&b, "\n") < 0 || buffer_flush(&b) < 0) return -1;
	return fsync(fd);
}

/* The file we opened must be what the recipient owns: a regular file
   (not a fifo that would hang us, not a device), the recipient's, with
   no other name (a hard link could make the mailbox someone else's
   file). */
static int check_mbox(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0) return -1;
	if (!S_ISREG(st.st_mode)) { errno = EINVAL; return -1; }
	if (st.st_uid != geteuid()) { errno = EPERM; return -1; }
	if (st.st_nlink != 1) { errno = EMLINK; return -1; }
	return 0;
}

/* O_NONBLOCK only for the open (a fifo without a reader then fails at
   once instead of blocking); writes block as usual. */
static int safe_fd(int fd)
{
	int e;
	if (fd < 0) return -1;
	if (check_mbox(fd) == 0 && fcntl(fd, F_SETFL, O_WRONLY | O_APPEND) == 0) return fd;
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

int mbox_open(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENXIO) errno = EINVAL;   /* a fifo without a reader */
	return safe_fd(fd);
}

int mbox_create_at(int dirfd, const char *name)
{
	int e, fd = openat(dirfd, name, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW |
	                   O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0600);
	fd = safe_fd(fd);
	if (fd >= 0 && fsync(dirfd) < 0) {
		e = errno;
		close(fd);
		unlinkat(dirfd, name, 0);
		errno = e;
		return -1;
	}
	return fd;
}

int mbox_deliver(int fd, const char *path, const char *sender, size_t senderlen,
                 const char *head, size_t headlen, int msgfd, unsigned long long msglen,
                 unsigned int timeout)
{
	str lock = STR_INIT;
	struct stat st;
	int e = 0, dot = 0, r = -1;
	if (lock_fcntl(fd, timeout) < 0) goto done;
	if (str_copys(&lock, path) < 0 || str_cats(&lock, ".lock") < 0 || str_0(&lock) < 0) goto done;
	dot = lock_dot(lock.s, timeout);
	if (dot < 0) { dot = 0; goto done; }
	if (fstat(fd, &st) < 0) goto done;
	if (append(fd, sender, senderlen, head, headlen, msgfd, msglen) < 0) {
		e = errno;
		if (ftruncate(fd, st.st_size) == 0) fsync(fd);   /* undo the partial message */
		errno = e;
		goto done;
	}
	r = 0;
done:
	e = errno;
	if (dot) unlink(lock.s);
	close(fd);   /* releases the fcntl lock */
	str_free(&lock);
	errno = e;
	return r;
}
