#!/usr/bin/env bash
# Re-reads the probe set's three blind rounds (tests/fixtures/probe: ids p*, q*, r*)
# with the rules as they stood before each round changed them, and evaluates the
# pooled labels: the out-of-sample figures (accuracy, calibration) quoted in the README.
# Needs the git history; silt from build/ (SILT=... to change).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
silt=$(realpath "${SILT:-$root/build/silt}")
probe=$root/tests/fixtures/probe
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# round prefix, the commit whose rules read it blind
while read -r prefix commit; do
  git -C "$root" show "$commit:rules/keras-tf.yaml" >"$tmp/rules-$prefix.yaml"
  grep "\"id\": \"$prefix" "$probe/issues.jsonl" >"$tmp/issues-$prefix.jsonl"
  "$silt" batch --quiet --rules "$tmp/rules-$prefix.yaml" "$tmp/issues-$prefix.jsonl" >>"$tmp/labels.jsonl"
done <<'ROUNDS'
p 123eaad
q fcbb362
r 4fdc65a
ROUNDS
"$silt" eval --gold "$probe/gold.csv" "$tmp/labels.jsonl" "$@"
