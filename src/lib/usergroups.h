#ifndef TERN_USERGROUPS_H
#define TERN_USERGROUPS_H
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include "str.h"

/* A user's supplementary groups (getgrouplist, i.e. NSS), cached for
   local-spawn: on a glibc system with "group: files systemd" every
   lookup also probes systemd's userdb directories (~45 opens), once per
   delivery. An entry is kept USERGROUPS_TTL seconds, and the whole cache
   is dropped when /etc/group changes (its inode, size, mtime or ctime),
   so an edit of the group file takes effect for the next delivery and a
   change in another NSS source within the TTL, as nscd does with a
   longer one. At most USERGROUPS_MAX users are kept (the oldest goes). */
#define USERGROUPS_TTL 60
#define USERGROUPS_MAX 64
#define USERGROUPS_GROUP_FILE "/etc/group"

struct usergroups_entry {
	str user;
	gid_t gid;
	gid_t *groups;
	int n;
	time_t at;
};
struct usergroups {
	struct usergroups_entry e[USERGROUPS_MAX];
	size_t n;
	struct stat group_st;        /* of /etc/group when the entries were made */
	int have_st;
	const char *group_file;      /* NULL: USERGROUPS_GROUP_FILE (tests set another) */
};
void usergroups_init(struct usergroups *c);
void usergroups_free(struct usergroups *c);

/* The groups of user (primary gid) at time now: *groups (valid until the
   next call) and *n. 0, or -1 with errno (the lookup failed: a temporary
   failure for the delivery). */
int usergroups_get(struct usergroups *c, const char *user, gid_t gid, time_t now,
                   const gid_t **groups, int *n);
#endif
