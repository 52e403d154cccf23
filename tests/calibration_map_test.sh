#!/usr/bin/env bash
# The calibration map shipped in rules/keras-tf.yaml is the one scripts/fit-calibration.sh
# fits today: a rule change that moves the raw confidences must refit it. Exit 77
# (skipped) when ../shared or the git history the script reads is absent.
set -euo pipefail
silt=$1
src=$2
shared=$3
[ -f "$shared/data/dev/gold.csv" ] || { echo "skipped: $shared/data/dev not found"; exit 77; }
git -C "$src" cat-file -e 35bc7f2 2>/dev/null || { echo "skipped: no git history in $src"; exit 77; }
points() { sed -n '/^calibration:/,/^[^ ]/p' | grep '^  - \['; }
fitted=$(cd "$src" && SILT="$silt" scripts/fit-calibration.sh "$shared" | points)
shipped=$(points <"$src/rules/keras-tf.yaml")
[ -n "$fitted" ] || { echo "the script fitted no map"; exit 1; }
if [ "$fitted" != "$shipped" ]; then
  echo "rules/keras-tf.yaml's calibration map is not the one scripts/fit-calibration.sh fits now:"
  diff <(echo "$shipped") <(echo "$fitted") || true
  echo "refit it: scripts/fit-calibration.sh > map.yaml, and paste its points"
  exit 1
fi
echo "the shipped calibration map is today's fit: $(echo "$fitted" | wc -l) points"
