#include <string.h>
#include <strings.h>
#include "smtproutes.h"
#include "tlspolicy.h"

static int word_is(const char *s, size_t len, const char *w)
{
	return strlen(w) == len && strncasecmp(s, w, len) == 0;
}

/* Each pin must at least look like one; tlsclient decodes them and
   refuses a bad digit at connection time (a deferral, not a downgrade). */
static int pins_copy(const char *s, size_t len, struct tlspolicy *p)
{
	size_t i = 0;
	if (len == 0 || len >= sizeof p->pins) return 0;
	while (i < len) {
		const char *comma = memchr(s + i, ',', len - i);
		size_t n = comma ? (size_t)(comma - (s + i)) : len - i;
		if (n <= 7 || strncmp(s + i, "sha256:", 7) != 0) return 0;
		i += n + (comma != NULL);
		if (comma && i == len) return 0;
	}
	memcpy(p->pins, s, len);
	p->pins[len] = 0;
	return 1;
}

static int level_parse(const char *s, size_t len, struct tlspolicy *p)
{
	if (word_is(s, len, "none")) p->level = TLSPOLICY_NONE;
	else if (word_is(s, len, "may")) p->level = TLSPOLICY_MAY;
	else if (word_is(s, len, "encrypt")) p->level = TLSPOLICY_ENCRYPT;
	else if (word_is(s, len, "verify")) p->level = TLSPOLICY_VERIFY;
	else if (len > 4 && strncasecmp(s, "pin=", 4) == 0 && pins_copy(s + 4, len - 4, p)) p->level = TLSPOLICY_PIN;
	else return 0;
	return 1;
}

int tlspolicy_parse(const char *s, size_t len, struct tlspolicy *p)
{
	size_t i = 0;
	int words = 0;
	p->level = TLSPOLICY_MAY;
	p->cleartext_auth = 0;
	p->pins[0] = 0;
	while (i < len) {
		size_t n = 0;
		while (i < len && (s[i] == ' ' || s[i] == '\t')) i++;
		while (i + n < len && s[i + n] != ' ' && s[i + n] != '\t') n++;
		if (n == 0) break;
		if (words == 0 && !level_parse(s + i, n, p)) return 0;
		if (words > 0) {
			if (!word_is(s + i, n, "cleartext-auth")) return 0;
			p->cleartext_auth = 1;
		}
		words++;
		i += n;
	}
	return words > 0;
}

int tlspolicy_find(const str *items, const char *domain, size_t len, struct tlspolicy *p)
{
	size_t vlen = 0;
	const char *v = smtproutes_lookup(items, domain, len, &vlen);
	if (!v) {
		p->level = TLSPOLICY_MAY;
		p->cleartext_auth = 0;
		p->pins[0] = 0;
		return 0;
	}
	return tlspolicy_parse(v, vlen, p) ? 1 : -1;
}

const char *tlspolicy_name(enum tlspolicy_level level)
{
	static const char *const names[] = { "none", "may", "encrypt", "verify", "pin" };
	return (unsigned)level < 5 ? names[level] : "?";
}
