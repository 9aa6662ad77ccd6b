#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "address.h"
#include "buffer.h"
#include "control.h"
#include "date822.h"
#include "headers.h"
#include "injectmsg.h"
#include "line.h"
#include "qinject.h"
#include "queue.h"
#include "str.h"
#include "vec.h"

struct field { size_t off, len; int deleted; };

struct ctx {
	const struct inject_opts *o;
	struct inject_error *err;
	int code;                   /* 100 or 111 once failed */
	const char *notify, *ret;   /* normalized DSN values */
	str hdr;                    /* the header lines as read */
	struct field *fields;
	size_t nfields, afields;
	str body_start;             /* a first body line found in the header */
	int at_eof;                 /* the input ended inside the header */
	str defaulthost, idhost;
	str user;                   /* the user's address, once computed */
	str rcpts;                  /* NUL-separated envelope recipients */
	size_t nrcpt;
	int bol, dot, done;         /* the dot-ends state, see body_put */
	buffer in;
	char inspace[65536];
	char outspace[65536];
};

static int fail(struct ctx *c, int code, const char *text, int errnum)
{
	c->code = code;
	c->err->text = text;
	c->err->errnum = errnum;
	return -1;
}
static int oom(struct ctx *c) { return fail(c, 111, "out of memory", 0); }
static int perm(struct ctx *c, const char *text) { return fail(c, 100, text, 0); }
static int temp_sys(struct ctx *c, const char *text) { return fail(c, 111, text, errno); }

static int field_add(struct ctx *c, size_t off, size_t len)
{
	if (VEC_READY(c->fields, c->afields, c->nfields + 1) < 0) return oom(c);
	c->fields[c->nfields].off = off;
	c->fields[c->nfields].len = len;
	c->fields[c->nfields].deleted = 0;
	c->nfields++;
	return 0;
}

static int is_blank(const str *l)
{
	return (l->len == 1 && l->s[0] == '\n') || (l->len == 2 && l->s[0] == '\r' && l->s[1] == '\n');
}

static int is_dot(const str *l)
{
	return (l->len == 2 && l->s[0] == '.' && l->s[1] == '\n') ||
	       (l->len == 3 && l->s[0] == '.' && l->s[1] == '\r' && l->s[2] == '\n');
}

/* Adds one line to the header; 1 if it ends the header, 0, or -1. */
static int header_line(struct ctx *c, str *line, int *first)
{
	if (c->o->dot_ends && is_dot(line)) { c->at_eof = 1; return 1; }
	if (*first && line->len >= 5 && memcmp(line->s, "From ", 5) == 0) { *first = 0; return 0; }
	*first = 0;
	if (is_blank(line)) return 1;
	if (c->hdr.len + line->len > INJECT_HEADER_MAX) return perm(c, "header too large (limit 262144 bytes)");
	if ((line->s[0] == ' ' || line->s[0] == '\t') && c->nfields > 0) {
		c->fields[c->nfields - 1].len += line->len;
	} else if (headers_name_len(line->s, line->len)) {
		if (field_add(c, c->hdr.len, line->len) < 0) return -1;
	} else {
		/* Not a header line: it starts the body, as in Postfix. */
		return str_copy(&c->body_start, line) < 0 ? oom(c) : 1;
	}
	if (str_cat(&c->hdr, line) < 0) return oom(c);
	return c->at_eof;
}

/* Reads the header: field lines and their continuations, up to a blank
   line, the end of input, or a line that cannot be part of a header. */
static int header_read(struct ctx *c)
{
	str line = STR_INIT;
	int first = 1, r = 0;
	while (r == 0) {
		int got = line_read(&c->in, &line, '\n', INJECT_HEADER_MAX);
		if (got == -1) { r = temp_sys(c, "unable to read the message"); break; }
		if (got == LINE_TOO_LONG) { r = perm(c, "header too large (limit 262144 bytes)"); break; }
		if (line.len == 0) { c->at_eof = 1; break; }
		if (got == 0) {           /* a last line without LF */
			c->at_eof = 1;
			if (str_catc(&line, '\n') < 0) { r = oom(c); break; }
		}
		r = header_line(c, &line, &first);
	}
	str_free(&line);
	return r < 0 ? -1 : 0;
}

static int has_field(const struct ctx *c, const char *name)
{
	size_t i;
	for (i = 0; i < c->nfields; i++)
		if (headers_is(c->hdr.s + c->fields[i].off, c->fields[i].len, name)) return 1;
	return 0;
}

/* Checks one address and adds it to the envelope recipients, completing
   a bare local part with @defaulthost. */
static int rcpt_add(struct ctx *c, const char *a, size_t len)
{
	if (address_has_control(a, len)) return perm(c, "control character in a recipient address");
	if (str_catb(&c->rcpts, a, len) < 0) return oom(c);
	if (address_at(a, len) == len)
		if (str_catc(&c->rcpts, '@') < 0 || str_cat(&c->rcpts, &c->defaulthost) < 0) return oom(c);
	if (str_cat0(&c->rcpts) < 0) return oom(c);
	c->nrcpt++;
	return 0;
}

static int rcpt_list(struct ctx *c, const char *v, size_t len)
{
	str list = STR_INIT;
	size_t i = 0;
	int r = 0;
	if (headers_addresses(v, len, &list) < 0) r = oom(c);
	while (r == 0 && i < list.len) {
		size_t l = strlen(list.s + i);
		r = rcpt_add(c, list.s + i, l);
		i += l + 1;
	}
	str_free(&list);
	return r;
}

/* With extract: recipients from Resent-To/Cc/Bcc if there are any (a
   resent message), else from To/Cc/Bcc. Bcc fields are always deleted. */
static int header_recipients(struct ctx *c)
{
	static const char *const plain[] = { "To", "Cc", "Bcc" };
	static const char *const resent[] = { "Resent-To", "Resent-Cc", "Resent-Bcc" };
	const char *const *names = plain;
	size_t i, k;
	for (k = 0; k < 3; k++) if (has_field(c, resent[k])) names = resent;
	for (i = 0; i < c->nfields; i++) {
		const char *f = c->hdr.s + c->fields[i].off;
		size_t len = c->fields[i].len;
		if (headers_is(f, len, "Bcc") || headers_is(f, len, "Resent-Bcc")) c->fields[i].deleted = 1;
		if (!c->o->extract) continue;
		for (k = 0; k < 3; k++) {
			size_t n = strlen(names[k]) + 1;
			if (headers_is(f, len, names[k]) && rcpt_list(c, f + n, len - n) < 0) return -1;
		}
	}
	return 0;
}

static int login_name(struct ctx *c, const char **name)
{
	static const char *const vars[] = { "MAILUSER", "USER", "LOGNAME" };
	struct passwd *pw;
	size_t i;
	for (i = 0; i < 3; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v) { *name = v; return 0; }
	}
	pw = getpwuid(getuid());
	if (!pw) return fail(c, 111, "no passwd entry for my uid; set MAILUSER", 0);
	*name = pw->pw_name;
	return 0;
}

/* The login name at MAILHOST or defaulthost (looked up once: a passwd
   lookup costs more than the rest of inject). */
static int user_address(struct ctx *c, str *out)
{
	const char *host = getenv("MAILHOST"), *name;
	if (c->user.len == 0) {
		if (login_name(c, &name) < 0) return -1;
		if (str_copys(&c->user, name) < 0 || str_catc(&c->user, '@') < 0) return oom(c);
		if (host && *host) { if (str_cats(&c->user, host) < 0) return oom(c); }
		else if (str_cat(&c->user, &c->defaulthost) < 0) return oom(c);
	}
	return str_copy(out, &c->user) < 0 ? oom(c) : 0;
}

/* The envelope sender: -f (empty or "<>" is the null sender; a bare name
   gets @defaulthost), else the user's address. */
static int sender_make(struct ctx *c, str *sender)
{
	sender->len = 0;
	if (c->o->sender) {
		str list = STR_INIT;
		int r = 0;
		if (headers_addresses(c->o->sender, strlen(c->o->sender), &list) < 0) r = oom(c);
		else if (list.len > 0 && str_copys(sender, list.s) < 0) r = oom(c);
		str_free(&list);
		if (r < 0) return -1;
		if (sender->len && address_at(sender->s, sender->len) == sender->len)
			if (str_catc(sender, '@') < 0 || str_cat(sender, &c->defaulthost) < 0) return oom(c);
	} else if (user_address(c, sender) < 0) {
		return -1;
	}
	if (address_has_control(sender->s, sender->len))
		return perm(c, "control character in the sender address");
	if (sender->len > ENVELOPE_ADDR_MAX) return perm(c, "sender address too long");
	return 0;
}

/* "From: [\"Name\" ]<addr>" with the name quoted and stripped of control
   characters, so -F or $NAME cannot add header lines. */
static int from_make(const struct ctx *c, str *out, const str *addr)
{
	const char *name = c->o->fullname, *p;
	if (!name || !*name) name = getenv("MAILNAME");
	if (!name || !*name) name = getenv("NAME");
	if (str_cats(out, "From: ") < 0) return -1;
	if (name && *name) {
		if (str_catc(out, '"') < 0) return -1;
		for (p = name; *p; p++) {
			if ((unsigned char)*p < 0x20 || *p == 0x7f) continue;
			if ((*p == '"' || *p == '\\') && str_catc(out, '\\') < 0) return -1;
			if (str_catc(out, *p) < 0) return -1;
		}
		if (str_cats(out, "\" ") < 0) return -1;
	}
	return str_catc(out, '<') < 0 || str_cat(out, addr) < 0 || str_cats(out, ">\n") < 0 ? -1 : 0;
}

/* The fields to add at the end of the header. */
static int header_complete(struct ctx *c, str *out, const str *sender)
{
	char date[DATE822_LEN];
	struct timespec ts;
	out->len = 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (!has_field(c, "From")) {
		str a = STR_INIT;
		int r = 0;
		if (c->o->sender && sender->len) { if (str_copy(&a, sender) < 0) r = oom(c); }
		else r = user_address(c, &a);
		if (r == 0 && from_make(c, out, &a) < 0) r = oom(c);
		str_free(&a);
		if (r < 0) return -1;
	}
	if (!has_field(c, "Date")) {
		date822_fmt(date, ts.tv_sec);
		if (str_catv(out, "Date: ", date, "\n", NULL) < 0) return oom(c);
	}
	if (!has_field(c, "Message-ID")) {
		if (str_cats(out, "Message-ID: <") < 0 ||
		    str_catnum(out, (unsigned long long)ts.tv_sec) < 0 || str_catc(out, '.') < 0 ||
		    str_catnum(out, (unsigned long long)getpid()) < 0 || str_catc(out, '.') < 0 ||
		    str_catnum(out, (unsigned long long)ts.tv_nsec) < 0 || str_catc(out, '@') < 0 ||
		    str_cat(out, &c->idhost) < 0 || str_cats(out, ">\n") < 0) return oom(c);
	}
	return 0;
}

/* control/me, defaulthost and idhost; me falls back to the host name. */
static int controls_read(struct ctx *c)
{
	str me = STR_INIT;
	struct utsname u;
	int r = 0;
	if (control_read_line(&me, "control/me") < 0) r = temp_sys(c, "unable to read control/me");
	else if (me.len == 0 && (uname(&u) < 0 || str_copys(&me, u.nodename) < 0)) r = oom(c);
	else if (str_0(&me) < 0) r = oom(c);
	else if (control_read_string(&c->defaulthost, "control/defaulthost", me.s) < 0)
		r = temp_sys(c, "unable to read control/defaulthost");
	else if (control_read_string(&c->idhost, "control/idhost", me.s) < 0)
		r = temp_sys(c, "unable to read control/idhost");
	str_free(&me);
	return r;
}

/* DSN values: control characters and lengths checked, RET and NOTIFY
   upper-cased (sendmail users write "success,failure"). */
static int dsn_check(struct ctx *c)
{
	const char *v[3];
	int i;
	v[0] = c->o->notify; v[1] = c->o->ret; v[2] = c->o->envid;
	for (i = 0; i < 3; i++)
		if (v[i] && (address_has_control(v[i], strlen(v[i])) || strlen(v[i]) > ENVELOPE_PARAM_MAX))
			return perm(c, "bad DSN parameter");
	if (c->o->ret) {
		if (!strcasecmp(c->o->ret, "FULL")) c->ret = "FULL";
		else if (!strcasecmp(c->o->ret, "HDRS")) c->ret = "HDRS";
		else return perm(c, "DSN RET must be FULL or HDRS");
	}
	if (c->o->notify) {
		char *p = strdup(c->o->notify);
		if (!p) return oom(c);
		for (c->notify = p; *p; p++) if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 32);
	}
	return 0;
}

/* Body output. With dot_ends a line holding only "." ends the message,
   so a small state machine sees lines across chunk boundaries: dot 1 =
   "." at the start of a line, 2 = ".\r". */
static int body_put(struct ctx *c, buffer *out, const char *s, size_t len)
{
	size_t i;
	if (!c->o->dot_ends) return buffer_put(out, s, len);
	for (i = 0; i < len && !c->done; i++) {
		char ch = s[i];
		if (c->dot == 1 && ch == '\r') { c->dot = 2; continue; }
		if (c->dot && ch == '\n') { c->done = 1; break; }
		if (c->dot && buffer_put(out, ".\r", (size_t)c->dot) < 0) return -1;
		if (c->dot) { c->dot = 0; c->bol = 0; }
		if (c->bol && ch == '.') { c->dot = 1; continue; }
		if (buffer_put(out, &ch, 1) < 0) return -1;
		c->bol = ch == '\n';
	}
	return 0;
}

static int body_end(struct ctx *c, buffer *out)
{
	if (c->o->dot_ends && !c->done && c->dot && buffer_put(out, ".\r", (size_t)c->dot) < 0)
		return -1;
	return buffer_flush(out);
}

/* Writes header, added fields, blank line and body to queue-inject.
   Returns 0; 1 if the pipe broke (queue-inject's exit code says why);
   -1 on a read error of our input (err set). */
static int message_write(struct ctx *c, struct qinject *q, const str *added)
{
	buffer out;
	size_t i;
	buffer_init(&out, q->msgfd, c->outspace, sizeof c->outspace);
	for (i = 0; i < c->nfields; i++)
		if (!c->fields[i].deleted && buffer_put(&out, c->hdr.s + c->fields[i].off, c->fields[i].len) < 0)
			return 1;
	if (added->len && buffer_put(&out, added->s, added->len) < 0) return 1;
	if (buffer_put(&out, "\n", 1) < 0) return 1;
	if (c->body_start.len && body_put(c, &out, c->body_start.s, c->body_start.len) < 0) return 1;
	while (!c->at_eof && !c->done) {
		ssize_t r = buffer_feed(&c->in);
		if (r < 0) return temp_sys(c, "unable to read the message");
		if (r == 0) break;
		if (body_put(c, &out, buffer_peek(&c->in), (size_t)r) < 0) return 1;
		buffer_skip(&c->in, (size_t)r);
	}
	return body_end(c, &out) < 0 ? 1 : 0;
}

static int envelope_make(struct ctx *c, struct qinject *q, const str *sender)
{
	size_t i = 0;
	if (qinject_sender(q, sender->s, sender->len) < 0) return oom(c);
	if (c->o->envid && qinject_record(q, 'E', c->o->envid, strlen(c->o->envid)) < 0) return oom(c);
	if (c->ret && qinject_record(q, 'R', c->ret, strlen(c->ret)) < 0) return oom(c);
	while (i < c->rcpts.len) {
		size_t l = strlen(c->rcpts.s + i);
		if (qinject_recipient(q, c->rcpts.s + i, l) < 0) return oom(c);
		if (c->notify && qinject_record(q, 'N', c->notify, strlen(c->notify)) < 0) return oom(c);
		i += l + 1;
	}
	return 0;
}

/* Hands the prepared message to queue-inject; returns -1 (err set) or 0. */
static int queue(struct ctx *c, const str *sender, const str *added)
{
	struct qinject q;
	int code, permanent;
	if (qinject_start(&q) < 0) return temp_sys(c, "unable to run queue-inject");
	if (message_write(c, &q, added) < 0 || envelope_make(c, &q, sender) < 0) {
		qinject_abort(&q);
		return -1;
	}
	code = qinject_finish(&q);
	if (code < 0) return temp_sys(c, "unable to wait for queue-inject");
	if (code == 0) return 0;
	/* Skip "NNN " of the SMTP reply: keep the enhanced code and text. */
	return fail(c, qinject_reply(code, &permanent) && permanent ? 100 : 111,
	            qinject_reply(code, NULL) + 4, 0);
}

static int run(struct ctx *c, char *const *rcpts, int n)
{
	str sender = STR_INIT, added = STR_INIT;
	int i, r = -1;
	if (dsn_check(c) < 0 || controls_read(c) < 0 || header_read(c) < 0) goto out;
	for (i = 0; i < n; i++)
		if (rcpt_list(c, rcpts[i], strlen(rcpts[i])) < 0) goto out;
	if (header_recipients(c) < 0) goto out;
	if (c->nrcpt == 0) { perm(c, "no recipients"); goto out; }
	if (sender_make(c, &sender) < 0 || header_complete(c, &added, &sender) < 0) goto out;
	r = queue(c, &sender, &added);
out:
	str_free(&sender);
	str_free(&added);
	return r;
}

int inject_message(const struct inject_opts *o, char *const *rcpts, int n, int fd,
                   struct inject_error *err)
{
	struct ctx *c = calloc(1, sizeof *c);
	int code;
	if (!c) { err->text = "out of memory"; err->errnum = 0; return 111; }
	c->o = o;
	c->err = err;
	c->bol = 1;
	buffer_init(&c->in, fd, c->inspace, sizeof c->inspace);
	code = run(c, rcpts, n) < 0 ? c->code : 0;
	free((char *)c->notify);
	free(c->fields);
	str_free(&c->hdr);
	str_free(&c->body_start);
	str_free(&c->defaulthost);
	str_free(&c->idhost);
	str_free(&c->user);
	str_free(&c->rcpts);
	free(c);
	return code;
}
