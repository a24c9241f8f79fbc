#!/usr/bin/env bash
# deps.sh [--bench] — make sure the build and test tools are here; install
# the missing ones with apt-get (through sudo when not root). Without apt it
# prints the exact command to run and stops.
set -euo pipefail

missing=()
need() { # need PACKAGE CHECK-COMMAND...
	local pkg=$1; shift
	if ! "$@" >/dev/null 2>&1; then missing+=("$pkg"); fi
}
have() { command -v "$1"; }
fuzzer_links() {
	local d; d=$(mktemp -d)
	printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return 0; }\n' >"$d/f.c"
	clang -fsanitize=fuzzer,address,undefined "$d/f.c" -o "$d/f"; local r=$?
	rm -rf "$d"; return $r
}
gcc_links() { # gcc_links FLAGS...: a program links with these (a runtime is here)
	local d; d=$(mktemp -d)
	printf 'int main(void) { return 0; }\n' >"$d/m.c"
	gcc "$@" "$d/m.c" -o "$d/m"; local r=$?
	rm -rf "$d"; return $r
}

# Every check runs whether or not the tool it builds on is here yet: a
# machine without clang needs clang *and* its runtimes (libclang-rt-dev is
# not pulled in by clang with --no-install-recommends), so both land in one
# pass. check_all is run again after installing to prove it.
check_all() {
	missing=()
	need make have make
	need gcc have gcc
	need binutils have ld
	need nasm have nasm
	need grub-common have grub-mkrescue
	need grub-pc-bin test -d /usr/lib/grub/i386-pc
	need xorriso have xorriso
	need mtools have mformat
	need qemu-system-x86 have qemu-system-x86_64
	need clang have clang
	need libclang-rt-dev fuzzer_links
	need libasan8 gcc_links -fsanitize=address,undefined
	need libtsan2 gcc_links -fsanitize=thread # build/host-smp-tsan
	if [ "$bench" = 1 ]; then
		need libjemalloc-dev test -e /usr/lib/x86_64-linux-gnu/libjemalloc.so.2
		need libgoogle-perftools-dev test -e /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
		need libmimalloc-dev sh -c 'ls /usr/lib/x86_64-linux-gnu/libmimalloc.so* >/dev/null 2>&1'
		need linux-perf have perf
	fi
}
bench=0
[ "${1:-}" = --bench ] && bench=1

check_all
[ ${#missing[@]} = 0 ] && exit 0

# Keep one entry per package.
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if ! command -v apt-get >/dev/null; then
	echo "deps: missing tools and no apt-get here. Install the equivalent of:" >&2
	echo "    $cmd" >&2
	exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null; then sudo="sudo"; else
		echo "deps: need root to run: $cmd" >&2; exit 1
	fi
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# libclang-rt-dev is the unversioned name; older releases only have the
# versioned one.
if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/mm64-apt.log 2>&1; then
	fallback=("${missing[@]/libclang-rt-dev/libclang-rt-14-dev}")
	fallback=("${fallback[@]/libasan8/gcc}")
	$sudo apt-get install -y -qq --no-install-recommends "${fallback[@]}" >>/tmp/mm64-apt.log 2>&1 || {
		tail -n 20 /tmp/mm64-apt.log >&2; echo "deps: apt-get install failed" >&2; exit 1; }
fi
# Re-check: what was installed must now do its job (clang links a fuzzer,
# gcc links ASan/UBSan, ...); name whatever still fails.
check_all
if [ ${#missing[@]} != 0 ]; then
	echo "deps: installed, but these checks still fail: ${missing[*]} (apt log: /tmp/mm64-apt.log)" >&2
	exit 1
fi
echo "deps: done"
