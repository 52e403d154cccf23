#!/usr/bin/env bash
# Writes the regression inputs too big to keep in git: tests/fuzz/gen_regressions.sh DIR
# makes DIR/<harness>/<name>, replayed with tests/fuzz/regressions/<harness>/.
set -euo pipefail
out=$1
mkdir -p "$out/batch"

# fuzz_batch, first byte 0x01: JSON Lines in, JSON Lines out. One record over 8 MB (so
# it is parsed in place by RapidJSON) holding 300000 nested arrays.
f=$out/batch/jsonl-8mb-record-300k-nested-arrays
if [[ ! -s $f ]]; then
  {
    printf '\001{"title":"deep","body":"'
    head -c $((8 * 1024 * 1024 + 4096)) /dev/zero | tr '\0' a
    printf '","x":'
    head -c 300000 /dev/zero | tr '\0' '['
    head -c 300000 /dev/zero | tr '\0' ']'
    printf '}\n'
  } >"$f.tmp"
  mv "$f.tmp" "$f"
fi
