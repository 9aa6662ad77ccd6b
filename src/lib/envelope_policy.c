#include <string.h>
#include "control.h"
#include "envelope_policy.h"

const char *envelope_policy_sender(const struct envelope_policy *e, const struct smtp_path *p)
{
	const str *list = e->badmailfrom;
	if (!list || !list->len || !p->addr.len) return NULL;
	if (control_list_has(list, p->addr.s, p->addr.len) ||
	    (p->at < p->addr.len && control_list_has(list, p->addr.s + p->at, p->addr.len - p->at)))
		return "553 5.7.1 sender refused";
	return NULL;
}

/* Local addresses must name a real recipient. NULL if fine. */
static const char *local_check(const struct envelope_policy *e, const struct smtp_path *p,
                               int relay_form)
{
	int r = e->is_local(e->ctx, p->addr.s, p->addr.len);
	if (r < 0) return "451 4.3.0 temporary failure checking the recipient";
	if (r == 0)
		return relay_form && !e->relay
		       ? "553 5.7.1 relaying with %, ! or quoted local parts is refused" : NULL;
	r = e->deliverable(e->ctx, p->addr.s, p->addr.len);
	if (r < 0) return "451 4.3.0 temporary failure checking the recipient";
	return r ? NULL : "550 5.1.1 no such user here";
}

const char *envelope_policy_recipient(const struct envelope_policy *e, struct smtp_path *p)
{
	int r;
	if (p->at == p->addr.len) {
		/* RFC 5321 4.5.1: "postmaster" without a domain must work. */
		if (!e->relay && !smtp_word_is(p->addr.s, p->addr.len, "postmaster"))
			return "553 5.7.1 recipient address needs a domain";
		p->at = p->addr.len;
		if (str_catc(&p->addr, '@') < 0 || str_cats(&p->addr, e->me) < 0)
			return "451 4.3.0 out of memory";
		return local_check(e, p, 0);
	}
	if (e->relay) {
		/* qmail semantics: RELAYCLIENT's value is appended. */
		if (e->relayclient && str_cats(&p->addr, e->relayclient) < 0)
			return "451 4.3.0 out of memory";
		return local_check(e, p, 0);
	}
	r = e->rcpthosts(e->ctx, p->addr.s + p->at + 1, p->addr.len - p->at - 1);
	if (r < 0) return "451 4.3.0 temporary failure checking rcpthosts";
	if (r == 0) return "550 5.7.1 relaying denied";
	return local_check(e, p, smtp_path_relay_form(p));
}

const char *envelope_policy_bad_sender(int parse_result)
{
	if (parse_result == SMTP_PATH_TOO_LONG) return "553 5.1.7 sender address too long";
	if (parse_result == SMTP_PATH_SYNTAX) return "501 5.1.7 bad sender address syntax";
	return "451 4.3.0 out of memory";
}

const char *envelope_policy_bad_recipient(int parse_result)
{
	if (parse_result == SMTP_PATH_TOO_LONG) return "553 5.1.3 recipient address too long";
	if (parse_result == SMTP_PATH_SYNTAX) return "501 5.1.3 bad recipient address syntax";
	return "451 4.3.0 out of memory";
}
