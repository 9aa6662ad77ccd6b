#include <errno.h>
#include <string.h>
#include "tlsctl.h"

const char *tlsctl_version_name(unsigned version)
{
	switch (version) {
	case 0x0301: return "TLSv1";
	case 0x0302: return "TLSv1.1";
	case 0x0303: return "TLSv1.2";
	case 0x0304: return "TLSv1.3";
	}
	return 0;
}

static const struct { unsigned id; const char *name; } suites[] = {
	{ 0xC02F, "ECDHE-RSA-AES128-GCM-SHA256" },
	{ 0xC030, "ECDHE-RSA-AES256-GCM-SHA384" },
	{ 0xCCA8, "ECDHE-RSA-CHACHA20-POLY1305" },
	{ 0xC02B, "ECDHE-ECDSA-AES128-GCM-SHA256" },
	{ 0xC02C, "ECDHE-ECDSA-AES256-GCM-SHA384" },
	{ 0xCCA9, "ECDHE-ECDSA-CHACHA20-POLY1305" },
	{ 0xC027, "ECDHE-RSA-AES128-SHA256" },
	{ 0xC028, "ECDHE-RSA-AES256-SHA384" },
	{ 0xC023, "ECDHE-ECDSA-AES128-SHA256" },
	{ 0xC024, "ECDHE-ECDSA-AES256-SHA384" },
	{ 0xC013, "ECDHE-RSA-AES128-SHA" },
	{ 0xC014, "ECDHE-RSA-AES256-SHA" },
	{ 0xC009, "ECDHE-ECDSA-AES128-SHA" },
	{ 0xC00A, "ECDHE-ECDSA-AES256-SHA" },
	{ 0x009C, "AES128-GCM-SHA256" },
	{ 0x009D, "AES256-GCM-SHA384" },
	{ 0x002F, "AES128-SHA" },
	{ 0x0035, "AES256-SHA" },
};

const char *tlsctl_suite_name(unsigned suite)
{
	size_t i;
	for (i = 0; i < sizeof suites / sizeof suites[0]; i++)
		if (suites[i].id == suite) return suites[i].name;
	return 0;
}

static int field_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
	    || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

static int field_valid(const char *s, size_t len, size_t max)
{
	size_t i;
	if (len == 0 || len > max) return 0;
	for (i = 0; i < len; i++)
		if (!field_char(s[i])) return 0;
	return 1;
}

int tlsctl_sni_valid(const char *s, size_t len)
{
	return field_valid(s, len, 255);
}

int tlsctl_line_make(str *out, const char *protocol, const char *cipher, const char *sni)
{
	size_t i;
	if (!field_valid(protocol, strlen(protocol), 31) || !field_valid(cipher, strlen(cipher), 63)) {
		errno = EINVAL;
		return -1;
	}
	if (str_copys(out, protocol) < 0 || str_catc(out, ' ') < 0 || str_cats(out, cipher) < 0)
		return -1;
	if (sni && tlsctl_sni_valid(sni, strlen(sni))) {
		size_t start = out->len + 5;
		if (str_cats(out, " sni=") < 0 || str_cats(out, sni) < 0) return -1;
		for (i = start; i < out->len; i++)
			if (out->s[i] >= 'A' && out->s[i] <= 'Z') out->s[i] += 'a' - 'A';
	}
	return str_catc(out, '\n');
}

/* Copies a field of len bytes into a buffer of size max+1. */
static void field_copy(char *to, const char *s, size_t len)
{
	memcpy(to, s, len);
	to[len] = 0;
}

int tlsctl_line_parse(const char *s, size_t len, struct tlsctl_info *info)
{
	size_t i = 0, field = 0;
	if (len == 0 || len > TLSCTL_LINE_MAX || s[len - 1] != '\n') return 0;
	len--;
	memset(info, 0, sizeof *info);
	while (i < len) {
		size_t j = i;
		while (j < len && s[j] != ' ') j++;
		const char *f = s + i;
		size_t fl = j - i;
		if (field == 0) {
			if (!field_valid(f, fl, sizeof info->protocol - 1)) return 0;
			field_copy(info->protocol, f, fl);
		} else if (field == 1) {
			if (!field_valid(f, fl, sizeof info->cipher - 1)) return 0;
			field_copy(info->cipher, f, fl);
		} else if (fl > 4 && !memcmp(f, "sni=", 4)) {
			if (!tlsctl_sni_valid(f + 4, fl - 4)) return 0;
			field_copy(info->sni, f + 4, fl - 4);
		} else {
			const char *eq = memchr(f, '=', fl);
			size_t k;
			/* Unknown key=value fields are allowed for later additions. */
			if (!eq || eq == f) return 0;
			for (k = 0; k < fl; k++)
				if (!field_char(f[k]) && f[k] != '=') return 0;
		}
		field++;
		i = j;
		if (i < len) {
			i++;   /* the single space */
			if (i == len) return 0;   /* a trailing space */
		}
	}
	return field >= 2;
}
