#!/usr/bin/env bash
# fuzz.sh BINARY CORPUS SECONDS — run a libFuzzer target for a bounded time
# over a scratch copy of the corpus; a crash leaves its input in
# build/fuzz-crashes/ and fails. Turn each crash into a regression test.
set -uo pipefail
bin=$1 corpus=$2 secs=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$(dirname "$bin")/../fuzz-crashes"
[ -d "$corpus" ] && cp -r "$corpus"/. "$work/corpus/" 2>/dev/null
# A target's own libFuzzer flags, if any: tests/fuzz/NAME.flags.
flags=()
[ -f "${corpus%.corpus}.flags" ] && read -r -a flags <"${corpus%.corpus}.flags"
"$bin" "${flags[@]}" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
	-artifact_prefix="$(dirname "$bin")/../fuzz-crashes/" "$work/corpus"
