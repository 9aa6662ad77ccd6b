# tests/gates/funclen.awk: prints FILE:LINE NAME N lines for each function
# body longer than max lines, unless a comment right above its signature
# says why, with the words "long because".
FNR == 1 { why = 0; sig = ""; sigline = 0; inb = 0 }
inb == 0 && /^\/\*/ { cmt = 1; why = 0 }
inb == 0 && cmt && /[Ll]ong because/ { why = 1 }
inb == 0 && /\*\// { cmt = 0; next }
inb == 0 && cmt { next }
inb == 0 && /^[A-Za-z_].*\(/ && !/;[ \t]*$/ { sig = $0; sigline = FNR; next }
inb == 0 && /^\{/ && sig != "" { inb = 1; start = FNR; next }
inb == 1 && /^\}/ {
	n = FNR - start - 1
	if (n > max && !why) { name = sig; sub(/\(.*/, "", name); sub(/.*[ \t*]/, "", name); printf "%s:%d %s %d lines\n", FILENAME, sigline, name, n }
	inb = 0; sig = ""; why = 0; next
}
inb == 0 && /^$/ { if (sig == "") why = 0 }
