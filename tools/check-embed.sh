#!/usr/bin/env bash
# check-embed.sh [BUILD] — `make check-embed`: builds mm/ the way another
# kernel would (docs/EMBEDDING.md) and checks what that kernel's link sees.
#
# mm/ is compiled from mm/sources.mk alone (no flag from this Makefile),
# with typical hobby-kernel flags: freestanding, -fno-builtin, the kernel
# code model, no red zone, at -O0 and -O2, with GCC and (if installed)
# clang, with SSE off and, for GCC, with SSE left on as xv6 builds, with
# debug checks, and with -DMM_API_PREFIX. Each build is linked with `ld -r`
# into one object, which must
#   - leave undefined only the port's hooks (include/mm/port.h) and
#     memset, memcpy, memmove, memcmp: no libgcc helper, no libc;
#   - define no global that lacks the mm_ prefix (the API's Linux names
#     are macros of <mm/names.h>);
#   - hold no SSE, MMX or x87 instruction (mm/build.h).
# Then: the port template (docs/examples/port_template.c) compiles with the
# same flags and, linked with mm/, leaves only the four mem functions
# undefined; the public headers under -DMM_API_PREFIX declare nothing
# unprefixed and leak no mapping into a file that has its own kfree; every
# mm/ source includes "build.h" first; clang with SSE on stops with a
# message naming the flag; the snippets of docs/EMBEDDING.md are the files
# of docs/examples/ that the host tests run.
# Prints one TAP-style line per check and ends `N passed, N failed,
# N skipped` (skipped: clang not installed); exits non-zero on a failure.
set -uo pipefail
build=${1:-build}/check-embed
root=$(pwd)
rm -rf "$build"
mkdir -p "$build"
passed=0 failed=0 skipped=0

ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { # not_ok NAME [DETAIL FILE]
	echo "not ok - $1"
	[ -n "${2:-}" ] && [ -s "$2" ] && sed -n '1,20p' "$2" | sed 's/^/#   /'
	failed=$((failed + 1))
}
skip() { echo "ok - $1 # SKIP $2"; skipped=$((skipped + 1)); }
check() { # check NAME DETAIL_FILE: ok when DETAIL_FILE is empty
	if [ -s "$2" ]; then not_ok "$1" "$2"; else ok "$1"; fi
}

srcs=$(make -s --no-print-directory -f - <<'EOF'
include mm/sources.mk
all:
	@echo $(MM_SRCS)
EOF
)
[ -n "$srcs" ] || { echo "check-embed: no sources in mm/sources.mk"; exit 1; }

# The hooks a port provides: every mm_port_ function and object port.h
# declares (the inline ones need nothing).
port_hooks=$(grep -oE '\bmm_port_[a-z_]+\b *(\(|;)' include/mm/port.h |
	grep -oE 'mm_port_[a-z_]+' | sort -u)
mem_fns="memcmp memcpy memmove memset"

HOBBY="-std=gnu11 -ffreestanding -fno-builtin -nostdlib -fno-pic -fno-pie \
	-mcmodel=kernel -mno-red-zone -fno-stack-protector \
	-fno-asynchronous-unwind-tables -Wall -Wextra -Werror"
NOSSE="-mgeneral-regs-only"
INCS="-I$root/include -I$root/mm"

# build NAME CC FLAGS...: mm/ into $build/NAME/mm.o; 1 when it does not compile.
build_mm() {
	local name=$1 cc=$2
	shift 2
	local dir=$build/$name objs=() f o
	mkdir -p "$dir"
	: >"$dir/compile.log"
	for f in $srcs; do
		o=$dir/$(echo "$f" | tr / _).o
		"$cc" "$@" $INCS -c "$f" -o "$o" >>"$dir/compile.log" 2>&1 || return 1
		objs+=("$o")
	done
	ld -r -o "$dir/mm.o" "${objs[@]}" >>"$dir/compile.log" 2>&1
}

# The link view of $build/NAME/mm.o: the three promises.
check_object() {
	local name=$1 dir=$build/$1
	nm -u "$dir/mm.o" | awk '{print $2}' | sort -u >"$dir/undefined"
	printf '%s\n' $port_hooks $mem_fns | sort -u >"$dir/allowed"
	comm -23 "$dir/undefined" "$dir/allowed" >"$dir/bad-undefined"
	check "$name: undefined symbols are only the port's and memset/memcpy/memmove/memcmp" \
		"$dir/bad-undefined"
	nm -g --defined-only "$dir/mm.o" | awk '{print $3}' | grep -v '^mm_' >"$dir/bad-globals"
	check "$name: every global symbol mm/ defines starts with mm_" "$dir/bad-globals"
	objdump -d --no-show-raw-insn "$dir/mm.o" |
		grep -E '%[xyz]mm[0-9]|%mm[0-7]|%st(\(|\b)|^\s+[0-9a-f]+:\s+f[a-z0-9]+\b' \
		>"$dir/bad-insns"
	check "$name: no SSE, MMX or x87 instruction" "$dir/bad-insns"
}

configs=(
	"gcc-O0:gcc:$HOBBY $NOSSE -O0"
	"gcc-O2:gcc:$HOBBY $NOSSE -O2"
	"gcc-O2-sse-on:gcc:$HOBBY -O2"
	"gcc-O3-avx2-on:gcc:$HOBBY -O3 -march=x86-64-v3"
	"gcc-O2-debug:gcc:$HOBBY $NOSSE -O2 -DMM_DEBUG=1"
	"gcc-Os-c11-pie:gcc:$HOBBY $NOSSE -Os -std=c11 -fpie -mcmodel=small"
	"gcc-O0-prefix:gcc:$HOBBY $NOSSE -O0 -DMM_API_PREFIX"
	"gcc-O2-prefix:gcc:$HOBBY $NOSSE -O2 -DMM_API_PREFIX"
	"clang-O0:clang:$HOBBY $NOSSE -O0"
	"clang-O2:clang:$HOBBY $NOSSE -O2 -DMM_DEBUG=1"
)
for c in "${configs[@]}"; do
	IFS=: read -r name cc flags <<<"$c"
	if ! command -v "$cc" >/dev/null; then
		skip "$name: mm/ compiles and links with ld -r" "$cc not installed"
		continue
	fi
	# shellcheck disable=SC2086
	if build_mm "$name" "$cc" $flags; then
		ok "$name: mm/ compiles and links with ld -r ($flags)"
		check_object "$name"
	else
		not_ok "$name: mm/ compiles and links with ld -r ($flags)" "$build/$name/compile.log"
	fi
done

# The port template: every hook, so mm/ plus it leaves only the mem functions.
dir=$build/gcc-O2
if [ -f "$dir/mm.o" ] &&
	gcc $HOBBY $NOSSE -O2 $INCS -c docs/examples/port_template.c -o "$dir/port.o" \
		>"$dir/port.log" 2>&1 &&
	ld -r -o "$dir/mm+port.o" "$dir/mm.o" "$dir/port.o" >>"$dir/port.log" 2>&1; then
	nm -u "$dir/mm+port.o" | awk '{print $2}' | sort -u |
		comm -23 - <(printf '%s\n' $mem_fns) >"$dir/port-undefined"
	check "port template: compiles; with mm/ only memset/memcpy/memmove/memcmp stay undefined" \
		"$dir/port-undefined"
else
	not_ok "port template: compiles; with mm/ only memset/memcpy/memmove/memcmp stay undefined" \
		"$dir/port.log"
fi

# The headers under -DMM_API_PREFIX, seen from a kernel with its own names:
# a file that includes them and then defines every mapped name itself.
names=$(grep -oE '^#define [A-Za-z_][A-Za-z0-9_]* +mm_' include/mm/names.h | awk '{print $2}')
{
	echo '#include <mm/mm.h>'
	for n in $names; do echo "typedef int $n; /* the kernel's own $n */"; done
	echo 'void *mm_api_addresses[] = {'
	for n in $names; do echo "	(void *)&mm_$n,"; done
	echo '};'
} >"$build/prefix_user.c"
gcc $HOBBY $NOSSE -O2 -DMM_API_PREFIX $INCS -fsyntax-only "$build/prefix_user.c" \
	>"$build/prefix_user.log" 2>&1
check "MM_API_PREFIX: the headers leave all $(echo $names | wc -w) Linux/FreeBSD names to the kernel" \
	"$build/prefix_user.log"
# Functions the public headers declare, and lowercase macros they define,
# under -DMM_API_PREFIX: all mm_-prefixed (a new API function missing from
# <mm/names.h> is caught here).
echo '#include <mm/mm.h>' >"$build/headers.c"
gcc $HOBBY $NOSSE -DMM_API_PREFIX $INCS -fsyntax-only -aux-info "$build/headers.aux" \
	"$build/headers.c" >"$build/headers.log" 2>&1
grep -E '^/\* [^ ]*include/mm/' "$build/headers.aux" | sed -E 's/^\/\*[^*]*\*\/ //; s/ *\(.*//' |
	awk '{print $NF}' | tr -d '*' | grep -v '^mm_' >>"$build/headers.log"
check "MM_API_PREFIX: every function the public headers declare starts with mm_" \
	"$build/headers.log"
printf '#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n' >"$build/std.c"
gcc $HOBBY -DMM_API_PREFIX $INCS -E -dM "$build/std.c" | sort >"$build/std.macros"
gcc $HOBBY -DMM_API_PREFIX $INCS -E -dM "$build/headers.c" | sort |
	comm -13 "$build/std.macros" - | awk '{print $2}' | sed 's/(.*//' |
	grep -E '^[a-z]' | grep -v '^mm_' >"$build/macros.bad"
check "MM_API_PREFIX: the public headers define no lowercase macro without mm_" \
	"$build/macros.bad"

# Every mm/ source includes build.h before anything else.
for f in $srcs; do
	first=$(grep -m1 '^#include' "$f")
	[ "$first" = '#include "build.h"' ] || echo "$f: first include is $first"
done >"$build/first-include.bad"
check 'every mm/ source includes "build.h" first' "$build/first-include.bad"

# Clang cannot be told file-wide to keep off SSE: with SSE on it must stop,
# naming the flag.
if command -v clang >/dev/null; then
	f=$(echo "$srcs" | awk '{print $1}')
	clang $HOBBY -O2 $INCS -c "$f" -o /dev/null >"$build/clang-sse.log" 2>&1
	if [ $? != 0 ] && grep -q 'mgeneral-regs-only' "$build/clang-sse.log"; then
		ok "clang with SSE on: stops at compile time naming -mgeneral-regs-only"
	else
		not_ok "clang with SSE on: stops at compile time naming -mgeneral-regs-only" \
			"$build/clang-sse.log"
	fi
else
	skip "clang with SSE on: stops at compile time naming -mgeneral-regs-only" \
		"clang not installed"
fi

# The complete example of docs/EMBEDDING.md: a Linux process as the
# machine, built exactly as its comment says, and run.
dir=$build/embed_process
mkdir -p "$dir"
# shellcheck disable=SC2086
if cc -std=gnu11 -O2 -Iinclude -Imm -DMM_HOSTED -o "$dir/embed" docs/examples/embed_process.c \
	$srcs >"$dir/log" 2>&1 && "$dir/embed" >>"$dir/log" 2>&1 &&
	grep -qE '^order-3 block at phys 0x[0-9a-f]+, virt 0x[0-9a-f]+, [0-9]+ frames free$' "$dir/log"; then
	ok "docs/examples/embed_process.c: builds as documented, runs, allocates"
else
	not_ok "docs/examples/embed_process.c: builds as documented, runs, allocates" "$dir/log"
fi

# The code docs/EMBEDDING.md shows is the code the tests run: every
# example but the port template (linked above) and the README's extra_test.c
# is shown there, and each
# shown block equals its file and compiles on its own.
for f in docs/examples/*.c; do
	case $f in docs/examples/port_template.c | docs/examples/extra_test.c) continue ;; esac
	grep -qx "<!-- snippet: $f -->" docs/EMBEDDING.md || echo "$f is not shown in docs/EMBEDDING.md"
done >"$build/snippets.log"
tools/check-doc-snippets.sh >>"$build/snippets.log" 2>&1 ||
	echo "tools/check-doc-snippets.sh failed" >>"$build/snippets.log"
grep -v '^check-doc-snippets: [0-9]* snippets .* 0 failed$' "$build/snippets.log" >"$build/snippets.bad"
check "docs/EMBEDDING.md: $(grep -c '^<!-- snippet: ' docs/EMBEDDING.md) snippets, each its tested file" \
	"$build/snippets.bad"

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
