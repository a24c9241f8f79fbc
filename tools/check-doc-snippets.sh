#!/usr/bin/env bash
# check-doc-snippets.sh — the C snippets shown in docs/EMBEDDING.md are the
# files they say they are. Every fenced ```c block whose line just above is
#
#     <!-- snippet: docs/examples/NAME.c -->
#
# must equal that whole file, line for line (no regions: the page shows the
# file as it is, so there is nothing to mark). A marker that is not followed
# directly by a ```c block, a block that never closes, or a file that does
# not exist fails too. Each such file must also compile on its own with
# only include/ on the include path (-ffreestanding, warnings as errors),
# as the page promises. Fails naming the block's line and showing the diff.
#
# Usage (from the repository root): tools/check-doc-snippets.sh [DOC]
# Run by `make test`; HOSTCC picks the compiler (default gcc).
set -uo pipefail
doc=${1:-docs/EMBEDDING.md}
cc=${HOSTCC:-gcc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One record per marker: "LINE PATH STATUS" in $tmp/list, the block's text
# in $tmp/N. STATUS: ok, nofence (no ```c right after), open (no closing ```).
awk -v dir="$tmp" '
	function finish(st) { print mline, path, st > (dir "/list"); inblock = 0 }
	inblock && /^```[[:space:]]*$/ { finish("ok"); next }
	inblock { print > (dir "/" n); next }
	want {
		want = 0
		if ($0 ~ /^```c[[:space:]]*$/) { inblock = 1; printf "" > (dir "/" n); next }
		finish("nofence")
	}
	/^<!-- snippet: [^ ]+ -->[[:space:]]*$/ {
		n++; mline = NR; path = $3; want = 1; next
	}
	END { if (inblock) finish("open"); else if (want) finish("nofence") }
' "$doc" || { echo "check-doc-snippets: cannot read $doc"; exit 1; }

checked=0 failed=0 n=0
while read -r line path status; do
	n=$((n + 1))
	where="$doc:$line (snippet $path)"
	if [ "$status" = nofence ]; then
		echo "check-doc-snippets: $where: the marker is not directly followed by a \`\`\`c block"
		failed=$((failed + 1)); continue
	fi
	if [ "$status" = open ]; then
		echo "check-doc-snippets: $where: the \`\`\`c block never closes"
		failed=$((failed + 1)); continue
	fi
	if [ ! -f "$path" ]; then
		echo "check-doc-snippets: $where: no such file"
		failed=$((failed + 1)); continue
	fi
	if ! diff -u --label "$path" --label "$doc:$line" "$path" "$tmp/$n" >"$tmp/diff"; then
		echo "check-doc-snippets: $where: the block differs from the file:"
		head -n 40 "$tmp/diff"
		failed=$((failed + 1)); continue
	fi
	if ! "$cc" -std=c11 -ffreestanding -Wall -Wextra -Werror -Iinclude \
		-fsyntax-only "$path" 2>"$tmp/cc"; then
		echo "check-doc-snippets: $where: does not compile on its own:"
		head -n 20 "$tmp/cc"
		failed=$((failed + 1)); continue
	fi
	checked=$((checked + 1))
done < <(cat "$tmp/list" 2>/dev/null)

echo "check-doc-snippets: $checked snippets of $doc match their files, $failed failed"
[ "$failed" = 0 ]
