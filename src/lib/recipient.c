#include <cdb.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "address.h"
#include "auto.h"
#include "cdbfile.h"
#include "control.h"
#include "die.h"
#include "dotqmail.h"
#include "recipient.h"
#include "scan.h"

/* The order of the lookups and the file formats are documented in
   doc/local-spawn.md, doc/users-compile.md and doc/newaliases.md. */

void recipient_init(struct recipient *r)
{
	memset(r, 0, sizeof *r);
}

void recipient_free(struct recipient *r)
{
	str_free(&r->user);
	str_free(&r->home);
	str_free(&r->dash);
	str_free(&r->ext);
}

static int set_field(str *x, const char *s, size_t len)
{
	return str_copyb(x, s, len) < 0 || str_0(x) < 0 ? -1 : 0;
}

/* ---- classification by locals and virtualdomains ---- */

/* The prefix of the virtualdomains item whose key equals addr[i..len),
   or NULL. */
static const char *vd_find(const str *list, const char *key, size_t klen)
{
	size_t i = 0;
	while (i < list->len) {
		const char *item = list->s + i;
		size_t l = strlen(item);
		const char *colon = memchr(item, ':', l);
		if (colon && (size_t)(colon - item) == klen && strncasecmp(item, key, klen) == 0)
			return colon + 1;
		i += l + 1;
	}
	return NULL;
}

/* qmail-send's rewrite(): the whole address, then the domain, then each
   ".suffix" of the domain, then the empty key. 1 virtual (local_out set),
   0 not virtual. */
static int vd_rewrite(const str *list, const char *addr, size_t len, size_t at, str *local_out)
{
	size_t i;
	for (i = 0; i <= len; i++) {
		const char *prefix;
		if (!(i == 0 || i == at + 1 || i == len || (i > at && addr[i] == '.'))) continue;
		prefix = vd_find(list, addr + i, len - i);
		if (!prefix) continue;
		if (!*prefix) return 0;   /* an empty prefix: "not virtual" */
		if (str_copys(local_out, prefix) < 0 || str_catc(local_out, '-') < 0 ||
		    str_catb(local_out, addr, at) < 0 || str_0(local_out) < 0)
			return -1;
		return 1;
	}
	return 0;
}

int recipient_classify(const char *addr, size_t len, str *local_out)
{
	str list = STR_INIT;
	size_t at = address_at(addr, len);
	int r;
	if (at == len) {   /* no domain: local, as qmail's envnoathost */
		r = set_field(local_out, addr, len);
		return r < 0 ? -1 : RECIPIENT_LOCAL;
	}
	r = control_read_list(&list, "control/locals");
	if (r >= 0 && control_list_has(&list, addr + at + 1, len - at - 1)) {
		str_free(&list);
		return set_field(local_out, addr, at) < 0 ? -1 : RECIPIENT_LOCAL;
	}
	if (r >= 0) r = control_read_list(&list, "control/virtualdomains");
	if (r >= 0) r = vd_rewrite(&list, addr, len, at, local_out);
	str_free(&list);
	if (r < 0) return -1;
	return r ? RECIPIENT_LOCAL : RECIPIENT_REMOTE;
}

/* ---- resolution ---- */

/* Fills r from a users/cdb record "user\0uid\0gid\0home\0dash\0ext\0",
   appending rest to the extension. 1 ok, 0 uid 0 (never delivered
   directly), -1 malformed (EINVAL) or no memory. */
static int users_record(const char *d, size_t dlen, const char *rest, size_t restlen,
                        struct recipient *r)
{
	const char *f[6];
	size_t i, n = 0, start = 0;
	unsigned long long uid, gid;
	if (dlen == 0 || d[dlen - 1] != 0) goto bad;
	for (i = 0; i < dlen && n < 6; i++)
		if (d[i] == 0) { f[n++] = d + start; start = i + 1; }
	if (n != 6 || start != dlen) goto bad;
	if (!scan_ulong_all(f[1], &uid) || !scan_ulong_all(f[2], &gid)) goto bad;
	if (uid == 0) return 0;
	r->uid = (uid_t)uid;
	r->gid = (gid_t)gid;
	r->alias = 0;
	if (set_field(&r->user, f[0], strlen(f[0])) < 0 || set_field(&r->home, f[3], strlen(f[3])) < 0 ||
	    set_field(&r->dash, f[4], strlen(f[4])) < 0 || set_field(&r->ext, f[5], strlen(f[5])) < 0 ||
	    str_catb(&r->ext, rest, restlen) < 0 || str_0(&r->ext) < 0)
		return -1;
	return 1;
bad:
	errno = EINVAL;
	return -1;
}

/* Looks key up in an open cdb; 1 found and fills r, 0 not, -1 error. */
static int users_try(struct cdb *c, const str *key, const char *rest, size_t restlen,
                     struct recipient *r)
{
	str data = STR_INIT;
	unsigned dlen;
	int x = cdb_find(c, key->s, (unsigned)key->len);
	if (x <= 0) return x < 0 ? -1 : 0;
	dlen = cdb_datalen(c);
	if (str_ready(&data, (size_t)dlen + 1) < 0) return -1;
	if (cdb_read(c, data.s, dlen, cdb_datapos(c)) != 0) x = -1;
	else x = users_record(data.s, dlen, rest, restlen, r);
	str_free(&data);
	return x;
}

/* users/cdb: "=local" exact, then the longest "+prefix". */
static int resolve_users(const str *lower, const char *local, struct recipient *r)
{
	struct cdb c;
	str key = STR_INIT;
	size_t i;
	int x, fd = open("users/cdb", O_RDONLY | O_CLOEXEC);
	if (fd < 0) return errno == ENOENT ? 0 : -1;
	if (cdb_init(&c, fd) != 0) { close(fd); errno = EINVAL; return -1; }
	x = str_copys(&key, "=") < 0 || str_cat(&key, lower) < 0 ? -1 : 0;
	if (x == 0) x = users_try(&c, &key, "", 0, r);
	for (i = lower->len + 1; x == 0 && i-- > 0;) {
		if (str_copys(&key, "+") < 0 || str_catb(&key, lower->s, i) < 0) { x = -1; break; }
		x = users_try(&c, &key, local + i, lower->len - i, r);
	}
	str_free(&key);
	cdb_free(&c);
	close(fd);
	return x;
}

/* 1 when the home exists and is owned by the user, 0 not, -1 temporary. */
static int home_owned(const struct passwd *pw)
{
	struct stat st;
	if (stat(pw->pw_dir, &st) == 0) return st.st_uid == pw->pw_uid;
	return error_temporary(errno) ? -1 : 0;
}

static int fill_passwd(const struct passwd *pw, const char *ext, size_t extlen, int dash,
                       struct recipient *r)
{
	r->uid = pw->pw_uid;
	r->gid = pw->pw_gid;
	r->alias = 0;
	if (set_field(&r->user, pw->pw_name, strlen(pw->pw_name)) < 0 ||
	    set_field(&r->home, pw->pw_dir, strlen(pw->pw_dir)) < 0 ||
	    set_field(&r->dash, "-", dash ? 1 : 0) < 0 || set_field(&r->ext, ext, extlen) < 0)
		return -1;
	return 1;
}

/* qmail-getpw: the longest prefix ending before a '-' that is a user
   with uid != 0 owning an existing home; the rest is the extension. */
static int resolve_passwd(const str *lower, const char *local, struct recipient *r)
{
	char name[RECIPIENT_USERNAME_MAX + 1];
	size_t i = lower->len;
	for (; i > 0; i--) {
		struct passwd *pw;
		int x;
		if (i != lower->len && lower->s[i] != '-') continue;
		if (i > RECIPIENT_USERNAME_MAX || memchr(lower->s, 0, i)) continue;
		memcpy(name, lower->s, i);
		name[i] = 0;
		errno = 0;
		pw = getpwnam(name);
		if (!pw) {
			if (errno == EIO || errno == ENOMEM || errno == EMFILE || errno == ENFILE || errno == EAGAIN)
				return -1;
			continue;
		}
		if (pw->pw_uid == 0) continue;
		x = home_owned(pw);
		if (x < 0) return -1;
		if (x == 0) continue;
		if (i == lower->len) return fill_passwd(pw, "", 0, 0, r);
		return fill_passwd(pw, local + i + 1, lower->len - i - 1, 1, r);
	}
	return 0;
}

static int resolve_catchall(const char *local, size_t len, struct recipient *r)
{
	struct passwd *pw;
	errno = 0;
	pw = getpwnam(RECIPIENT_ALIAS_USER);
	if (!pw) { if (!errno) errno = ENOENT; return -1; }
	r->uid = pw->pw_uid;
	r->gid = pw->pw_gid;
	r->alias = 1;
	if (set_field(&r->user, RECIPIENT_ALIAS_USER, strlen(RECIPIENT_ALIAS_USER)) < 0 ||
	    str_copys(&r->home, auto_home) < 0 || str_cats(&r->home, "/alias") < 0 || str_0(&r->home) < 0 ||
	    set_field(&r->dash, "-", 1) < 0 || set_field(&r->ext, local, len) < 0)
		return -1;
	return 1;
}

int recipient_alias_targets(const char *local, size_t len, str *targets)
{
	str key = STR_INIT;
	int x;
	if (str_copyb(&key, local, len) < 0) return -1;
	str_lower(&key);
	x = cdbfile_get(RECIPIENT_ALIASES_CDB, key.s, key.len, targets);
	str_free(&key);
	return x;
}

int recipient_resolve(const char *local, size_t len, struct recipient *r)
{
	str lower = STR_INIT, targets = STR_INIT;
	int x;
	if (str_copyb(&lower, local, len) < 0) return -1;
	str_lower(&lower);
	x = resolve_users(&lower, local, r);
	if (x == 0) {
		x = cdbfile_get(RECIPIENT_ALIASES_CDB, lower.s, lower.len, &targets);
		if (x == 1) x = resolve_catchall(local, len, r);
	}
	if (x == 0) x = resolve_passwd(&lower, local, r);
	if (x == 0) x = resolve_catchall(local, len, r);
	str_free(&lower);
	str_free(&targets);
	return x;
}

/* ---- would it be delivered? ---- */

/* control/recipients.cdb: 1 listed, 0 not (or no file), -1 error. */
static int listed(const char *addr, size_t len)
{
	str key = STR_INIT, value = STR_INIT;
	int x;
	if (str_copyb(&key, addr, len) < 0) return -1;
	str_lower(&key);
	x = cdbfile_get("control/recipients.cdb", key.s, key.len, &value);
	str_free(&key);
	str_free(&value);
	return x;
}

int recipient_has_instructions(const struct recipient *r)
{
	str path = STR_INIT, targets = STR_INIT;
	size_t at;
	int x;
	if (r->dash.len == 0) return 1;   /* default delivery always applies */
	if (r->alias) {
		x = recipient_alias_targets(r->ext.s, r->ext.len, &targets);
		str_free(&targets);
		if (x != 0) return x;
	}
	x = dotqmail_search(r->home.s, r->dash.s, r->ext.s, &path, &at);
	if (x < 0 && (errno == EACCES || errno == EPERM)) x = 1;  /* cannot look: accept */
	str_free(&path);
	return x;
}

int recipient_deliverable(const char *addr, size_t len)
{
	str local = STR_INIT;
	struct recipient r;
	int x = listed(addr, len);
	if (x != 0) return x;
	x = recipient_classify(addr, len, &local);
	if (x == RECIPIENT_REMOTE) { str_free(&local); return 1; }
	recipient_init(&r);
	if (x == RECIPIENT_LOCAL) x = recipient_resolve(local.s, local.len, &r);
	if (x == 1) x = recipient_has_instructions(&r);
	recipient_free(&r);
	str_free(&local);
	return x;
}
