/* newaliases: compiles /etc/aliases (or -f FILE) into
   <home>/users/aliases.cdb. See doc/newaliases.md. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include "buffer.h"
#include "cdbfile.h"
#include "control.h"
#include "die.h"
#include "fmt.h"
#include "line.h"
#include "recipient.h"
#include "str.h"

#define ALIAS_LINE_MAX 65536           /* one physical line */
#define ALIAS_ENTRY_MAX (1024 * 1024)   /* one entry with its continuations */
#define ALIAS_TARGETS_MAX 1000          /* targets of one alias */
#define ALIAS_ADDR_MAX 1000             /* = ENVELOPE_ADDR_MAX */

static const char *input = "/etc/aliases";
static unsigned long long entry_line;   /* where the current entry began */

static void die_at(const char *why) __attribute__((noreturn));
static void die_at(const char *why)
{
	char num[FMT_ULONG + 1];
	num[fmt_ulong(num, entry_line)] = 0;
	die_perm(input, " line ", num, ": ", why, NULL);
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* Trims s[*start..*end) of spaces. */
static void trim(const char *s, size_t *start, size_t *end)
{
	while (*start < *end && is_space(s[*start])) (*start)++;
	while (*end > *start && is_space(s[*end - 1])) (*end)--;
}

/* Checks one target and appends it, NUL-terminated, to out. */
static void add_target(const char *t, size_t len, str *out, unsigned *count)
{
	size_t i;
	if (len >= 2 && t[0] == '"') {
		if (t[len - 1] != '"') die_at("unbalanced '\"'");
		t++; len -= 2;
	}
	if (len >= 2 && t[0] == '<' && t[len - 1] == '>') { t++; len -= 2; }
	if (len == 0) return;
	if (len >= 9 && memcmp(t, ":include:", 9) == 0)
		die_at(":include: is not supported; list the addresses in the alias or use a .qmail file");
	if (t[0] == '\\') die_at("'\\user' is not supported; write the user's address without '\\'");
	for (i = 0; i < len; i++)
		if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f) die_at("control character in a target");
	if (t[0] != '|' && t[0] != '/') {
		if (len > ALIAS_ADDR_MAX) die_at("address too long");
		for (i = 0; i < len; i++) if (t[i] == ' ') die_at("space in an address");
	}
	if (++*count > ALIAS_TARGETS_MAX) die_at("more than 1000 targets");
	if (str_catb(out, t, len) < 0 || str_cat0(out) < 0) die_nomem();
}

/* Splits the targets at commas outside double quotes. */
static void split_targets(const char *s, size_t len, str *out)
{
	size_t i, start = 0;
	unsigned count = 0;
	int quoted = 0;
	out->len = 0;
	for (i = 0; i <= len; i++) {
		size_t a = start, b = i;
		if (i < len && s[i] == '"') quoted = !quoted;
		if (i < len && (s[i] != ',' || quoted)) continue;
		trim(s, &a, &b);
		add_target(s + a, b - a, out, &count);
		start = i + 1;
	}
	if (quoted) die_at("unbalanced '\"'");
	if (count == 0) die_at("no targets");
}

static void add_entry(struct cdbfile_make *m, const str *entry, str *names)
{
	str key = STR_INIT, targets = STR_INIT;
	const char *colon = memchr(entry->s, ':', entry->len);
	size_t a = 0, b, i;
	if (!colon) die_at("no ':' after the name");
	b = (size_t)(colon - entry->s);
	trim(entry->s, &a, &b);
	if (a == b) die_at("empty name");
	for (i = a; i < b; i++)
		if (entry->s[i] == '@' || is_space(entry->s[i]) || (unsigned char)entry->s[i] < 0x20)
			die_at("the name must be a bare local part");
	if (str_copyb(&key, entry->s + a, b - a) < 0 || str_0(&key) < 0) die_nomem();
	str_lower(&key);
	if (control_list_has(names, key.s, key.len)) die_at("duplicate name");
	if (str_cat(names, &key) < 0 || str_cat0(names) < 0) die_nomem();
	i = (size_t)(colon - entry->s) + 1;
	split_targets(entry->s + i, entry->len - i, &targets);
	if (cdbfile_make_add(m, key.s, key.len, targets.s, targets.len) < 0)
		die_temp_sys("cannot write ", RECIPIENT_ALIASES_CDB, ".tmp", NULL);
	str_free(&key);
	str_free(&targets);
}

static void compile(buffer *b, struct cdbfile_make *m)
{
	str line = STR_INIT, entry = STR_INIT, names = STR_INIT;
	unsigned long long lineno = 0;
	for (;;) {
		int r = line_read(b, &line, '\n', ALIAS_LINE_MAX);
		lineno++;
		if (r < 0 && r != LINE_TOO_LONG) die_temp_sys("cannot read ", input, NULL);
		if (r == LINE_TOO_LONG) { entry_line = lineno; die_at("line too long"); }
		if (r == 1) line.len--;
		if (line.len > 0 && is_space(line.s[0]) && entry.len > 0) {
			if (entry.len + line.len > ALIAS_ENTRY_MAX) die_at("entry too long");
			if (str_catb(&entry, line.s, line.len) < 0) die_nomem();
		} else if (line.len > 0 && line.s[0] != '#' && !(is_space(line.s[0]))) {
			if (entry.len > 0) add_entry(m, &entry, &names);
			entry_line = lineno;
			if (str_copy(&entry, &line) < 0) die_nomem();
		} else if (line.len > 0 && line.s[0] != '#') {
			size_t s = 0, e = line.len;
			trim(line.s, &s, &e);
			entry_line = lineno;
			if (s < e) die_at("continuation line without an entry");
		}
		if (r == 0) break;
	}
	if (entry.len > 0) add_entry(m, &entry, &names);
	str_free(&line);
	str_free(&entry);
	str_free(&names);
}

int main(int argc, char **argv)
{
	char space[8192];
	buffer b;
	struct cdbfile_make *m;
	int fd;
	die_program = "newaliases";
	if (argc == 3 && strcmp(argv[1], "-f") == 0) input = argv[2];
	else if (argc != 1) die_code(100, "usage: newaliases [-f file]", NULL);
	fd = open(input, O_RDONLY | O_CLOEXEC);
	if (fd < 0) die_temp_sys("cannot open ", input, NULL);
	if (control_chdir_home() < 0) die_temp_sys("cannot chdir to home", NULL);
	buffer_init(&b, fd, space, sizeof space);
	m = cdbfile_make_start(RECIPIENT_ALIASES_CDB);
	if (!m) die_temp_sys("cannot create ", RECIPIENT_ALIASES_CDB, ".tmp", NULL);
	compile(&b, m);
	if (cdbfile_make_finish(m) < 0) die_temp_sys("cannot write ", RECIPIENT_ALIASES_CDB, NULL);
	return 0;
}
