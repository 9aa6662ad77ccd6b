#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>
#include "delivery.h"
#include "dtline.h"
#include "maildir.h"
#include "mbox.h"
#include "safedir.h"

#define MBOX_TIMEOUT 120   /* seconds to wait for an mbox lock */

/* Sets why to the concatenated strings (NULL-terminated) and returns
   code; out of memory leaves a shorter text (still NUL-terminated when
   there is any), never a wrong code. */
static enum delivery_code say(str *why, enum delivery_code code, const char *s, ...)
	__attribute__((sentinel));
static enum delivery_code say(str *why, enum delivery_code code, const char *s, ...)
{
	va_list ap;
	why->len = 0;
	va_start(ap, s);
	for (; s; s = va_arg(ap, const char *))
		if (str_cats(why, s) < 0) { why->len = 0; str_cats(why, "4.3.0 out of memory"); break; }
	va_end(ap);
	if (str_0(why) < 0 && why->s) why->s[why->len ? why->len - 1 : 0] = 0;
	return code;
}

void delivery_init(struct delivery *d)
{
	memset(d, 0, sizeof *d);
	d->homefd = -1;
}

void delivery_free(struct delivery *d)
{
	str_free(&d->recipient);
	str_free(&d->head);
	if (d->homefd >= 0) close(d->homefd);
	d->homefd = -1;
}

enum delivery_code delivery_start(struct delivery *d, str *why)
{
	struct stat st;
	if (chdir(d->home) < 0)
		return say(why, DELIVERY_TEMP, "4.2.1 cannot chdir to the home directory: ", strerror(errno), NULL);
	if (stat(".", &st) < 0) return say(why, DELIVERY_TEMP, "4.3.0 cannot stat the home directory", NULL);
	if (st.st_mode & S_IWOTH) return say(why, DELIVERY_TEMP, "4.7.0 home directory is world-writable", NULL);
	if ((st.st_mode & S_IWGRP) && !d->allow_group)
		return say(why, DELIVERY_TEMP, "4.7.0 home directory is group-writable ",
		           "(control/allowgroupwritable allows it)", NULL);
	if (st.st_mode & S_ISVTX)
		return say(why, DELIVERY_TEMP, "4.2.1 home directory is sticky: user is editing .qmail files", NULL);
	d->owns_home = st.st_uid == geteuid();
	d->recipient.len = d->head.len = 0;
	if (str_cats(&d->recipient, d->local) < 0 ||
	    (*d->domain && str_catv(&d->recipient, "@", d->domain, NULL) < 0) || str_0(&d->recipient) < 0 ||
	    str_catv(&d->head, "Return-Path: <", d->sender, ">\n", NULL) < 0)
		return say(why, DELIVERY_TEMP, "4.3.0 out of memory", NULL);
	d->rpline_len = d->head.len;
	if (str_catv(&d->head, "Delivered-To: ", d->recipient.s, "\n", NULL) < 0)
		return say(why, DELIVERY_TEMP, "4.3.0 out of memory", NULL);
	return DELIVERY_OK;
}

enum delivery_code delivery_looped(struct delivery *d, str *why)
{
	char buf[8192];
	struct dtline s;
	unsigned long long off = 0;
	dtline_init(&s, d->recipient.s, d->recipient.len);
	while (off < d->msglen && s.state == DTLINE_MORE) {
		size_t want = d->msglen - off < sizeof buf ? (size_t)(d->msglen - off) : sizeof buf;
		ssize_t r = pread(d->msgfd, buf, want, (off_t)off);
		if (r < 0 && errno == EINTR) continue;
		if (r <= 0) return say(why, DELIVERY_TEMP, "4.3.0 cannot read the message", NULL);
		off += (unsigned long long)r;
		dtline_feed(&s, buf, (size_t)r);
	}
	if (dtline_finish(&s) == DTLINE_FOUND)
		return say(why, DELIVERY_PERM, "5.4.6 mail loop: this message was already delivered to ",
		           d->recipient.s, NULL);
	return DELIVERY_OK;
}

enum delivery_code delivery_file_safe(const struct delivery *d, const struct stat *st,
                                      const char *path, str *why)
{
	if (st->st_mode & S_IWOTH) return say(why, DELIVERY_TEMP, "4.7.0 ", path, " is world-writable", NULL);
	if ((st->st_mode & S_IWGRP) && !d->allow_group)
		return say(why, DELIVERY_TEMP, "4.7.0 ", path, " is group-writable ",
		           "(control/allowgroupwritable allows it)", NULL);
	return DELIVERY_OK;
}

/* ---- making a missing mailbox ---- */

/* path relative to the home when it lies inside it, else NULL. */
static const char *in_home(const struct delivery *d, const char *path)
{
	size_t hl = strlen(d->home);
	if (path[0] != '/') return path;   /* the cwd is the home */
	while (hl > 1 && d->home[hl - 1] == '/') hl--;
	if (strncmp(path, d->home, hl) == 0 && path[hl] == '/') return path + hl + 1;
	return NULL;
}

static enum delivery_code create_error(const char *path, int e, str *why)
{
	if (e == ELOOP)
		return say(why, DELIVERY_TEMP, "4.7.0 not creating ", path,
		           ": a part of it is a symbolic link (tern never creates through one)", NULL);
	if (e == EXDEV)
		return say(why, DELIVERY_TEMP, "4.7.0 not creating ", path, ": it leads out of the home directory", NULL);
	if (e == ENOTDIR)
		return say(why, DELIVERY_TEMP, "4.2.0 not creating ", path, ": a part of it is not a directory", NULL);
	return say(why, DELIVERY_TEMP, "4.2.0 cannot create ", path, ": ", strerror(e), NULL);
}

/* Opens the directory dir[0..len) of the home, making what is missing.
   -1 with why set. */
static int home_dir(struct delivery *d, const char *path, const char *dir, size_t len, str *why)
{
	int fd;
	if (d->homefd < 0) d->homefd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	fd = d->homefd < 0 ? -1 : safedir_open(d->homefd, dir, len, 1, NULL);
	if (fd < 0) create_error(path, errno, why);
	return fd;
}

/* May a missing path be made? OK, or TEMP with why. */
static enum delivery_code may_create(const struct delivery *d, const char *path, const char **rel,
                                     str *why)
{
	*rel = in_home(d, path);
	if (!*rel)
		return say(why, DELIVERY_TEMP, "4.2.0 ", path, " does not exist (tern creates mailboxes ",
		           "only inside the home directory)", NULL);
	if (!d->owns_home)
		return say(why, DELIVERY_TEMP, "4.2.0 ", path, " does not exist and the home directory is ",
		           "not owned by ", d->user, ": not creating it", NULL);
	return DELIVERY_OK;
}

static enum delivery_code make_maildir(struct delivery *d, const char *path, str *why)
{
	const char *rel;
	int fd, e;
	enum delivery_code c = may_create(d, path, &rel, why);
	if (c != DELIVERY_OK) return c;
	fd = home_dir(d, path, rel, strlen(rel), why);
	if (fd < 0) return DELIVERY_TEMP;
	if (maildir_make_at(fd) < 0) {
		e = errno;
		close(fd);
		return create_error(path, e, why);
	}
	close(fd);
	return DELIVERY_OK;
}

/* An fd of the missing mbox path, made empty (0600); -1 with why set. */
static int make_mbox(struct delivery *d, const char *path, str *why)
{
	const char *rel, *slash;
	int dir, fd, e;
	if (may_create(d, path, &rel, why) != DELIVERY_OK) return -1;
	slash = strrchr(rel, '/');
	dir = home_dir(d, path, rel, slash ? (size_t)(slash - rel) : 0, why);
	if (dir < 0) return -1;
	fd = mbox_create_at(dir, slash ? slash + 1 : rel);
	if (fd < 0 && errno == EEXIST) fd = mbox_open(path);   /* made meanwhile by another delivery */
	e = errno;
	close(dir);
	if (fd < 0) create_error(path, e, why);
	return fd;
}

/* ---- delivering ---- */

static enum delivery_code write_error(const char *path, int e, str *why)
{
	if (e == EDQUOT) return say(why, DELIVERY_TEMP, "4.2.2 mailbox full: ", path, NULL);
	if (e == ETIMEDOUT) return say(why, DELIVERY_TEMP, "4.2.0 mailbox ", path, " is locked", NULL);
	return say(why, DELIVERY_TEMP, "4.2.0 cannot deliver to ", path, ": ", strerror(e), NULL);
}

static enum delivery_code open_error(const struct delivery *d, const char *path, int e, str *why)
{
	if (e == ELOOP) return say(why, DELIVERY_TEMP, "4.7.0 ", path, " is a symbolic link: not delivering", NULL);
	if (e == EPERM) return say(why, DELIVERY_TEMP, "4.7.0 ", path, " is not owned by ", d->user, NULL);
	if (e == EMLINK) return say(why, DELIVERY_TEMP, "4.7.0 ", path, " has more than one hard link", NULL);
	if (e == EINVAL || e == EISDIR) return say(why, DELIVERY_TEMP, "4.2.0 ", path, " is not a regular file", NULL);
	return write_error(path, e, why);
}

static enum delivery_code to_maildir(struct delivery *d, const char *path, str *why)
{
	enum delivery_code c;
	int r = maildir_deliver(path, d->head.s, d->head.len, d->msgfd, d->msglen, NULL);
	if (r < 0 && errno == ENOENT) {   /* tmp/ or new/ missing: make the Maildir, once */
		c = make_maildir(d, path, why);
		if (c != DELIVERY_OK) return c;
		r = maildir_deliver(path, d->head.s, d->head.len, d->msgfd, d->msglen, NULL);
	}
	return r < 0 ? write_error(path, errno, why) : DELIVERY_OK;
}

static enum delivery_code to_mbox(struct delivery *d, const char *path, str *why)
{
	int fd = mbox_open(path);
	if (fd < 0 && errno == ENOENT) {
		fd = make_mbox(d, path, why);
		if (fd < 0) return DELIVERY_TEMP;
	}
	if (fd < 0) return open_error(d, path, errno, why);
	if (mbox_deliver(fd, path, d->sender, strlen(d->sender), d->head.s, d->head.len, d->msgfd,
	                 d->msglen, MBOX_TIMEOUT) < 0)
		return write_error(path, errno, why);
	return DELIVERY_OK;
}

enum delivery_code delivery_file(struct delivery *d, enum dotqmail_kind kind, const char *path,
                                 str *why)
{
	return kind == DOTQMAIL_MAILDIR ? to_maildir(d, path, why) : to_mbox(d, path, why);
}
