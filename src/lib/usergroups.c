#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include "usergroups.h"

#define NGROUPS_CAP 65536   /* the kernel's NGROUPS_MAX */

void usergroups_init(struct usergroups *c)
{
	memset(c, 0, sizeof *c);
}

static void entry_free(struct usergroups_entry *e)
{
	str_free(&e->user);
	free(e->groups);
	memset(e, 0, sizeof *e);
}

void usergroups_free(struct usergroups *c)
{
	size_t i;
	for (i = 0; i < c->n; i++) entry_free(&c->e[i]);
	c->n = 0;
	c->have_st = 0;
}

/* Drops everything when the group file is not what it was. */
static void revalidate(struct usergroups *c)
{
	struct stat st;
	const char *f = c->group_file ? c->group_file : USERGROUPS_GROUP_FILE;
	int ok = stat(f, &st) == 0;
	if (c->have_st && ok && st.st_ino == c->group_st.st_ino && st.st_dev == c->group_st.st_dev &&
	    st.st_size == c->group_st.st_size && st.st_mtim.tv_sec == c->group_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == c->group_st.st_mtim.tv_nsec && st.st_ctim.tv_sec == c->group_st.st_ctim.tv_sec &&
	    st.st_ctim.tv_nsec == c->group_st.st_ctim.tv_nsec)
		return;
	usergroups_free(c);
	if (ok) { c->group_st = st; c->have_st = 1; }
}

/* getgrouplist into a malloc'd array. 0 or -1. */
static int lookup(const char *user, gid_t gid, gid_t **out, int *n)
{
	int want = 64;
	*out = NULL;
	for (;;) {
		gid_t *g = realloc(*out, (size_t)want * sizeof *g);
		int got = want;
		if (!g) { free(*out); *out = NULL; return -1; }
		*out = g;
		if (getgrouplist(user, gid, g, &got) >= 0) { *n = got; return 0; }
		if (got <= want || got > NGROUPS_CAP) { free(*out); *out = NULL; errno = EINVAL; return -1; }
		want = got;
	}
}

/* The entry to fill for user/gid: its old one, a free one, or the oldest. */
static struct usergroups_entry *slot_for(struct usergroups *c, const char *user, gid_t gid)
{
	size_t i, oldest = 0;
	for (i = 0; i < c->n; i++) {
		if (c->e[i].gid == gid && str_equals(&c->e[i].user, user)) return &c->e[i];
		if (c->e[i].at < c->e[oldest].at) oldest = i;
	}
	return c->n < USERGROUPS_MAX ? &c->e[c->n++] : &c->e[oldest];
}

int usergroups_get(struct usergroups *c, const char *user, gid_t gid, time_t now,
                   const gid_t **groups, int *n)
{
	struct usergroups_entry *e;
	revalidate(c);
	e = slot_for(c, user, gid);
	if (e->user.len && now >= e->at && now - e->at < USERGROUPS_TTL) {
		*groups = e->groups;
		*n = e->n;
		return 0;
	}
	entry_free(e);
	if (str_copys(&e->user, user) < 0 || lookup(user, gid, &e->groups, &e->n) < 0) {
		int err = errno;
		entry_free(e);
		*e = c->e[--c->n];   /* keep the table dense */
		memset(&c->e[c->n], 0, sizeof c->e[c->n]);
		errno = err;
		return -1;
	}
	e->gid = gid;
	e->at = now;
	*groups = e->groups;
	*n = e->n;
	return 0;
}
