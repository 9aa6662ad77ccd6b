/* Unit test of relay-remote's time-out memory (src/lib/hostmemo.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "hostmemo.h"
#include "check.h"

int main(void)
{
	char dir[] = "/tmp/test-hostmemo.XXXXXX";
	char path[64];
	str memo = STR_INIT;
	time_t now = time(NULL);
	if (!mkdtemp(dir)) return 1;
	memcpy(path, dir, sizeof dir - 1);
	memcpy(path + sizeof dir - 1, "/t", 3);
	check(hostmemo_load(&memo, path) == 0 && memo.len == 0, "missing file is empty");
	check(hostmemo_update(path, "127.0.0.2", now) == 0, "record");
	check(hostmemo_update(path, "::1", now - 10) == 0, "record another");
	hostmemo_load(&memo, path);
	check(hostmemo_recent(&memo, "127.0.0.2", now + 5) && hostmemo_recent(&memo, "::1", now), "both remembered");
	check(!hostmemo_recent(&memo, "127.0.0.2", now + HOSTMEMO_TTL), "forgotten after the TTL");
	check(!hostmemo_recent(&memo, "127.0.0.", now), "no prefix match");
	check(hostmemo_update(path, "127.0.0.2", 0) == 0, "forget");
	hostmemo_load(&memo, path);
	check(!hostmemo_recent(&memo, "127.0.0.2", now) && hostmemo_recent(&memo, "::1", now), "only that one forgotten");
	/* More entries than HOSTMEMO_MAX: the file stays bounded. */
	for (int i = 0; i < HOSTMEMO_MAX + 20; i++) {
		char ip[32];
		int l = snprintf(ip, sizeof ip, "10.%d.%d.1", i / 256, i % 256);
		(void)l;
		hostmemo_update(path, ip, time(NULL));
	}
	hostmemo_load(&memo, path);
	size_t items = 0;
	for (size_t i = 0; i < memo.len; i++) items += memo.s[i] == 0;
	check(items == HOSTMEMO_MAX, "at most HOSTMEMO_MAX entries kept");
	check(hostmemo_recent(&memo, "10.3.251.1", time(NULL)), "the newest kept");
	unlink(path);
	rmdir(dir);
	str_free(&memo);
	return failed;
}
