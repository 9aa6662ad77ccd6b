/* Fuzz harness for the policy protocol (src/lib/policy.c): parsing any
   bytes as a request stays within them and within the ceilings, what is
   parsed re-encodes to bytes that parse back to the same attributes, and
   any reply's action maps to a verdict whose reply text is one line. */
#include <string.h>
#include "policy.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const char *d = (const char *)data;
	struct policy_request r, r2;
	str enc = STR_INIT, act = STR_INIT, text = STR_INIT, extra = STR_INIT;
	enum policy_verdict v;
	size_t used, used2, i;
	int k = policy_request_parse(d, size, &r, &used);
	if (k == 1) {
		if (used > size || used > POLICY_REQUEST_MAX || r.n > POLICY_ATTRS_MAX) __builtin_trap();
		for (i = 0; i < r.n; i++) {
			str name = STR_INIT;
			str_copyb(&name, r.a[i].name, r.a[i].nlen);
			str_0(&name);
			policy_put(&enc, name.s, r.a[i].value, r.a[i].vlen);
			str_free(&name);
		}
		policy_end(&enc);
		if (policy_request_parse(enc.s, enc.len, &r2, &used2) != 1 || r2.n != r.n || used2 != enc.len) __builtin_trap();
		for (i = 0; i < r.n; i++)
			if (r2.a[i].vlen > r.a[i].vlen || memcmp(r2.a[i].name, r.a[i].name, r.a[i].nlen)) __builtin_trap();
	}
	if (policy_reply_parse(d, size, &act, &used) == 1 &&
	    policy_action(act.s, act.len, &v, &text, &extra) == 0) {
		if (memchr(text.s ? text.s : "", '\n', text.len) || (v >= POLICY_DEFER && text.len < 4)) __builtin_trap();
	}
	str_free(&enc);
	str_free(&act);
	str_free(&text);
	str_free(&extra);
	return 0;
}
