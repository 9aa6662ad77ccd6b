/* Unit test of src/lib/usergroups.c: lookups are cached for the TTL, and
   dropped when the group file changes. Uses root (always there). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "usergroups.h"
#include "check.h"

int main(void)
{
	struct usergroups c;
	char f[] = "/tmp/test-usergroups.XXXXXX";
	const gid_t *g1, *g2;
	int n1, n2, fd = mkstemp(f), has0 = 0, i;
	if (fd < 0 || write(fd, "x\n", 2) != 2) { check(0, "temp file"); return 1; }
	usergroups_init(&c);
	c.group_file = f;
	check(usergroups_get(&c, "root", 0, 1000, &g1, &n1) == 0 && n1 >= 1, "root's groups");
	for (i = 0; i < n1; i++) if (g1[i] == 0) has0 = 1;
	check(has0, "they hold the primary gid");
	check(usergroups_get(&c, "root", 0, 1030, &g2, &n2) == 0 && g2 == g1 && n2 == n1, "cached within the TTL");
	check(c.n == 1, "one entry");
	check(usergroups_get(&c, "root", 0, 1000 + USERGROUPS_TTL, &g2, &n2) == 0 && c.n == 1, "looked up again after the TTL, same entry");
	check(usergroups_get(&c, "root", 1, 1000 + USERGROUPS_TTL, &g2, &n2) == 0 && c.n == 2, "another gid: another entry");
	if (write(fd, "y\n", 2) != 2) check(0, "append");
	check(usergroups_get(&c, "root", 0, 1000 + USERGROUPS_TTL, &g2, &n2) == 0 && c.n == 1, "group file changed: cache dropped");
	for (i = 0; i < 2 * USERGROUPS_MAX; i++) usergroups_get(&c, "root", (gid_t)(100 + i), 2000 + i, &g2, &n2);
	check(c.n == USERGROUPS_MAX, "at most USERGROUPS_MAX entries");
	usergroups_free(&c);
	close(fd);
	unlink(f);
	return failed;
}
