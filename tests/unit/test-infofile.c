/* Unit test of the manager's state file format (src/lib/infofile.c). */
#include <string.h>
#include <unistd.h>
#include "fmt.h"
#include "infofile.h"
#include "str.h"
#include "check.h"

#define B(lit) lit, sizeof(lit) - 1

int main(void)
{
	str out = STR_INIT;
	unsigned char st[4] = { INFO_DONE, INFO_PENDING, INFO_FAILED, INFO_PENDING };
	str tx[4] = { STR_INIT, STR_INIT, STR_INIT, STR_INIT };
	unsigned char st2[4];
	str tx2[4] = { STR_INIT, STR_INIT, STR_INIT, STR_INIT };
	time_t birth = 0, next = 0;
	str_copys(&tx[1], "451 4.3.0 try later");
	str_copys(&tx[2], "550 5.1.1 no");
	check(infofile_encode(&out, 1000, 2000, 4, st, tx) == 0, "encodes");
	check(out.len == sizeof("V1\0B1000\0W2000\0D0\0Z1 451 4.3.0 try later\0F2 550 5.1.1 no") &&
	      memcmp(out.s, "V1\0B1000\0W2000\0D0\0Z1 451 4.3.0 try later\0F2 550 5.1.1 no\0", out.len) == 0,
	      "the documented records");
	check(infofile_parse(out.s, out.len, 4, &birth, &next, st2, tx2) == 0, "parses");
	check(birth == 1000 && next == 2000, "birth and next");
	check(memcmp(st, st2, 4) == 0, "states");
	check(tx2[1].len == 19 && memcmp(tx2[1].s, "451 4.3.0 try later", 19) == 0 && tx2[3].len == 0, "texts");
	check(infofile_next(out.s, out.len, &next) == 0 && next == 2000, "next alone");
	check(infofile_parse(out.s, out.len, 2, &birth, &next, st2, tx2) == INFO_BAD, "index beyond the recipients");
	check(infofile_parse(B("V1\0D0\0D0\0"), 2, &birth, &next, st2, tx2) == INFO_BAD, "index twice");
	check(infofile_parse(B("V2\0"), 2, &birth, &next, st2, tx2) == INFO_BAD, "unknown version");
	check(infofile_parse(B("V1\0Dx\0"), 2, &birth, &next, st2, tx2) == INFO_BAD, "non-decimal index");
	check(infofile_parse(B("V1\0F1\0"), 2, &birth, &next, st2, tx2) == INFO_BAD, "failure without text");
	check(infofile_parse(B("V1\0Q1\0"), 2, &birth, &next, st2, tx2) == INFO_BAD, "unknown record");
	check(infofile_parse(B("V1\0D1"), 2, &birth, &next, st2, tx2) == INFO_BAD, "truncated record");
	check(infofile_parse(B("V1\0B5\0"), 2, &birth, &next, st2, tx2) == 0 && st2[0] == INFO_PENDING &&
	      st2[1] == INFO_PENDING && birth == 5, "no marks: all pending");
	for (int i = 0; i < 4; i++) { str_free(&tx[i]); str_free(&tx2[i]); }
	str_free(&out);
	return failed;
}
