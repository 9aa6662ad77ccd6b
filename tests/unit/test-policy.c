/* Unit test of src/lib/policy.c: requests and replies framed as Postfix's
   policy servers expect, the parser's ceilings, and what each action
   means for the SMTP reply. */
#include <string.h>
#include "policy.h"
#include "check.h"

#define B(s) s, sizeof(s) - 1

static int action_is(const char *a, enum policy_verdict want, const char *text)
{
	enum policy_verdict v;
	str t = STR_INIT, x = STR_INIT;
	int ok = policy_action(a, strlen(a), &v, &t, &x) == 0 && v == want && str_0(&t) == 0 &&
	         !strcmp(t.s, text);
	str_free(&t);
	str_free(&x);
	return ok;
}

int main(void)
{
	struct policy_request r;
	str out = STR_INIT, act = STR_INIT, big = STR_INIT;
	size_t used, len;
	const char *v;
	int i;
	check(policy_request_parse(B("request=smtpd_access_policy\nprotocol_state=RCPT\nsender=a@b\n\nnext"), &r, &used) == 1 &&
	      r.n == 3 && used == 60, "a request and where it ends");
	v = policy_get(&r, "sender", &len);
	check(v && len == 3 && !memcmp(v, "a@b", 3), "attribute value");
	check(policy_get(&r, "recipient", NULL) == NULL, "missing attribute");
	check(policy_request_parse(B("a=1\r\nb=\r\n\r\n"), &r, &used) == 1 && r.n == 2 && r.a[1].vlen == 0, "CRLF and empty values");
	check(policy_request_parse(B("request=smtpd"), &r, &used) == 0, "partial: read more");
	check(policy_request_parse(B("a=1\nno equals\n\n"), &r, &used) == POLICY_BAD, "line without =");
	check(policy_request_parse(B("=x\n\n"), &r, &used) == POLICY_BAD, "empty name");
	check(policy_request_parse("a=\0\n\n", 5, &r, &used) == POLICY_BAD, "NUL");
	for (i = 0; i < POLICY_ATTRS_MAX + 1; i++) str_cats(&big, "a=b\n");
	str_cats(&big, "\n");
	check(policy_request_parse(big.s, big.len, &r, &used) == POLICY_BAD, "too many attributes");
	big.len = 0;
	str_cats(&big, "a=");
	while (big.len < POLICY_LINE_MAX) str_catc(&big, 'x');
	check(policy_request_parse(big.s, big.len, &r, &used) == POLICY_BAD, "a line over the ceiling, even unfinished");

	check(policy_puts(&out, "sender", "a@b") == 0 && policy_put(&out, "helo_name", "x\ny\r\0", 5) == 0 &&
	      policy_end(&out) == 0 && out.len == 28 && !memcmp(out.s, "sender=a@b\nhelo_name=x?y??\n\n", 28),
	      "encoding replaces framing bytes");
	check(policy_reply_parse(B("action=DEFER_IF_PERMIT greylisted\n\n"), &act, &used) == 1 &&
	      act.len == 26 && !memcmp(act.s, "DEFER_IF_PERMIT greylisted", 26), "reply");
	check(policy_reply_parse(B("foo=bar\n\n"), &act, &used) == POLICY_BAD, "reply without action");
	out.len = 0;
	check(policy_reply(&out, "dunno") == 0 && out.len == 14 && !memcmp(out.s, "action=dunno\n\n", 14), "encode reply");

	check(action_is("DUNNO", POLICY_DUNNO, ""), "dunno");
	check(action_is("ok", POLICY_OK, ""), "ok");
	check(action_is("okay", POLICY_ERROR, "451 4.3.5 Server configuration problem"), "a word that only starts like ok");
	check(action_is("REJECT", POLICY_REJECT, "554 5.7.1 Access denied"), "reject");
	check(action_is("reject go away", POLICY_REJECT, "554 5.7.1 go away"), "reject with text");
	check(action_is("DEFER_IF_PERMIT Greylisted", POLICY_DEFER, "450 4.7.1 Greylisted"), "defer_if_permit");
	check(action_is("defer_if_reject x", POLICY_DUNNO, ""), "defer_if_reject");
	check(action_is("450 4.2.0 Greylisted, try later", POLICY_DEFER, "450 4.2.0 Greylisted, try later"), "4NN with code");
	check(action_is("550 no", POLICY_REJECT, "550 5.7.1 no"), "5NN gets an enhanced code");
	check(action_is("421 4.7.0 too many connections", POLICY_DISCONNECT, "421 4.7.0 too many connections"), "421");
	check(action_is("WARN hmm", POLICY_DUNNO, ""), "warn");
	check(action_is("FILTER smtp:x", POLICY_ERROR, "451 4.3.5 Server configuration problem"), "unsupported");
	check(action_is("600 x", POLICY_ERROR, "451 4.3.5 Server configuration problem"), "not a reply code");
	str_free(&out);
	str_free(&act);
	str_free(&big);
	return failed;
}
