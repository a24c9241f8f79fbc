#!/usr/bin/env bash
# fuzz-cov.sh BINARY CORPUS... — replay corpora through a coverage build of
# a fuzz target (clang -fprofile-instr-generate -fcoverage-mapping) and print
# llvm-cov's line coverage of mm/*.c and mm/*/*.c, per file and in total.
set -euo pipefail
bin=$1; shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
LLVM_PROFILE_FILE="$work/%p.profraw" "$bin" -runs=0 "$@" >"$work/log" 2>&1 ||
	{ tail -n 20 "$work/log"; exit 1; }
grep -E '^#[0-9]+.*(INITED|DONE)' "$work/log" | tail -n 1 || true
llvm-profdata merge -sparse -o "$work/all.profdata" "$work"/*.profraw
llvm-cov report "$bin" -instr-profile="$work/all.profdata" mm/*.c mm/*/*.c
