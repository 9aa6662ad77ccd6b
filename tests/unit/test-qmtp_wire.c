/* Unit test of src/lib/qmtp_wire.c: responses, raw addresses through
   smtpd's path parser, and the client's package pieces. */
#include <string.h>
#include "qmtp_wire.h"
#include "check.h"

static int is(const str *x, const char *s)
{
	return x->len == strlen(s) && !memcmp(x->s, s, x->len);
}

static void test_responses(void)
{
	str x = STR_INIT;
	qmtp_response_cat(&x, "250 2.0.0 ok");
	check(is(&x, "12:Kok (#2.0.0),"), "K with the enhanced code");
	x.len = 0;
	qmtp_response_cat(&x, "550 5.1.1 no such user here");
	check(is(&x, "27:Dno such user here (#5.1.1),"), "D");
	x.len = 0;
	qmtp_response_cat(&x, "452 4.5.3 too many # recipients");
	check(is(&x, "31:Ztoo many _ recipients (#4.5.3),"), "Z, and '#' kept out of the text");
	x.len = 0;
	qmtp_response_cat(&x, "554 no code here");
	check(is(&x, "13:Dno code here,"), "no enhanced code");
	check(qmtp_response_kind("Kok", 3) == 'K' && qmtp_response_kind("Dno", 3) == 'D' &&
	      qmtp_response_kind("Z", 1) == 'Z', "kinds");
	check(qmtp_response_kind("", 0) == 0 && qmtp_response_kind("X", 1) == 0, "no kind");
	str_free(&x);
}

static int addr(const char *a, const char *want, int quoted)
{
	struct smtp_path p = { STR_INIT, 0, 0, 0 };
	str t = STR_INIT;
	int r = qmtp_address_parse(a, strlen(a), &p, &t), ok;
	ok = want ? r == SMTP_PATH_OK && p.addr.len == strlen(want) && (!p.addr.len || !memcmp(p.addr.s, want, p.addr.len)) &&
	            p.quoted == quoted
	          : r != SMTP_PATH_OK;
	smtp_path_free(&p);
	str_free(&t);
	return ok;
}

static void test_addresses(void)
{
	struct smtp_path p = { STR_INIT, 0, 0, 0 };
	str t = STR_INIT;
	char longer[300];
	check(addr("user@example.com", "user@example.com", 0), "plain");
	check(addr("", "", 0), "null sender");
	check(addr("postmaster", "postmaster", 0), "no domain");
	check(addr("Hate.The Quoting@silverton.berkeley.edu", "Hate.The Quoting@silverton.berkeley.edu", 1),
	      "space in the local part: quoted, as SMTP would");
	check(addr("\\Backslashes!@silverton.berkeley.EDU", "\\Backslashes!@silverton.berkeley.EDU", 1),
	      "backslash: quoted");
	check(addr("a\"b@x.test", "a\"b@x.test", 1), "quote char");
	check(addr("user@other@host.test", "user@other@host.test", 0), "the last @ is the domain's");
	check(addr("user%other@x.test", "user%other@x.test", 0), "percent is plain");
	check(addr("@x.test", NULL, 0), "empty local part refused");
	check(addr("a@", NULL, 0), "empty domain refused");
	check(addr("a@x..test", NULL, 0), "empty label refused");
	check(addr("a@x test", NULL, 0), "space in the domain refused");
	check(addr("a@x>y", NULL, 0), "'>' in the domain refused");
	check(addr("a\r@x.test", NULL, 0) && addr("a@x.test\n", NULL, 0), "control characters refused");
	check(qmtp_address_parse("a\0b@x.test", 10, &p, &t) == SMTP_PATH_SYNTAX, "NUL refused");
	memset(longer, 'a', sizeof longer);
	memcpy(longer + 280, "@x.test", 8);
	check(qmtp_address_parse(longer, 287, &p, &t) == SMTP_PATH_TOO_LONG, "over 256 is too long");
	memcpy(longer + 65, "@x.test", 8);
	check(qmtp_address_parse(longer, 72, &p, &t) == SMTP_PATH_TOO_LONG, "local part over 64");
	smtp_path_free(&p);
	str_free(&t);
}

static void test_client(void)
{
	str x = STR_INIT;
	const char rcpts[] = "djb@silverton.berkeley.edu";
	qmtp_envelope_cat(&x, "God-DSN-37@heaven.af.mil", 24, rcpts, 1);
	/* The example of qmtp.txt section 8. */
	check(is(&x, "24:God-DSN-37@heaven.af.mil,30:26:djb@silverton.berkeley.edu,,"), "QMTP envelope");
	x.len = 0;
	qmqp_envelope_cat(&x, "a@b", 3, "c@d\0e@f", 2);
	check(is(&x, "3:a@b,3:c@d,3:e@f,"), "QMQP envelope");
	x.len = 0;
	qmqp_head_cat(&x, 5, 18);
	check(is(&x, "26:5:"), "QMQP head: outer length counts the message netstring");
	str_free(&x);
}

int main(void)
{
	test_responses();
	test_addresses();
	test_client();
	return failed;
}
