#!/bin/bash
# Code gates (issue 15): what the house style promises, checked on every
# run so that it stays true.
#  1. no banned C library calls in src/ (unbounded copies and formats,
#     ato*, scanf, shells);
#  2. every program src/X.c has doc/X.md with the sections Interface,
#     Options, Exit codes and Files;
#  3. no function body over 80 lines unless the comment above it says
#     why ("long because ...").
. "$TERN_SRC/tests/lib.sh"
cd "$TERN_SRC" || exit 1
bad=0

banned='sprintf|vsprintf|strcpy|strcat|strncpy|strncat|sscanf|scanf|fscanf|atoi|atol|atoll|atof|gets|system|popen|tmpnam|tempnam|mktemp|alloca|strtok'
# Comments are dropped first, so a comment may name a banned call.
hits=$(for f in src/*.c src/lib/*.c src/lib/*.h; do
	sed -e 's|//.*||' -e 's|/\*.*\*/||g' "$f" | grep -nE "(^|[^A-Za-z0-9_.>])($banned)[[:space:]]*\(" | sed "s|^|$f:|"
done)
if [ -n "$hits" ]; then
	echo "banned calls:"; echo "$hits"; bad=1
fi

for c in src/*.c; do
	p=$(basename "$c" .c)
	d=doc/$p.md
	if [ ! -f "$d" ]; then echo "no doc page $d for program $p"; bad=1; continue; fi
	for s in Interface Options 'Exit codes' Files; do
		grep -q "^## $s" "$d" || { echo "$d has no '## $s' section"; bad=1; }
	done
done

long=$(awk -v max=80 -f tests/gates/funclen.awk src/*.c src/lib/*.c)
if [ -n "$long" ]; then
	echo "functions over 80 lines without a comment saying why (\"long because\"):"
	echo "$long"; bad=1
fi

# The gates must be able to fail: each check is fed one bad sample.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf 'int f(void)\n{\n' > "$tmp/long.c"
for i in $(seq 81); do echo '	x();' >> "$tmp/long.c"; done
echo '}' >> "$tmp/long.c"
[ -n "$(awk -v max=80 -f tests/gates/funclen.awk "$tmp/long.c")" ] || { echo "funclen.awk missed an 81-line function"; bad=1; }
printf '/* long because: a sample */\n' | cat - "$tmp/long.c" > "$tmp/why.c"
[ -z "$(awk -v max=80 -f tests/gates/funclen.awk "$tmp/why.c")" ] || { echo "funclen.awk ignored the reason"; bad=1; }
echo '	n = atoi(s); strcpy(a, b);' | grep -qE "(^|[^A-Za-z0-9_.>])($banned)[[:space:]]*\(" || { echo "banned-call pattern missed atoi"; bad=1; }
echo '	snprintf(a, 3, "x"); str_cat(&a);' | grep -qE "(^|[^A-Za-z0-9_.>])($banned)[[:space:]]*\(" && { echo "banned-call pattern hit snprintf"; bad=1; }

[ $bad -eq 0 ] || fail "code gates"
echo "gates ok"
