#!/usr/bin/env bash
# Refits rules/keras-tf-fitted.yaml: the numbers of rules/keras-tf.yaml (whose own
# numbers are the hand-written ones, and the prior) fitted by `silt rules fit` on the
# study's dev issues and the `train` split of ext-dev (scripts/split.sh; `check` is never
# used here). The output is the same whatever the machine: the split is a hash of the
# ids, the folds too, the optimizer deterministic; only the date in its comment differs.
# Usage: scripts/fit-rules.sh [OUTPUT] [SHARED]
#   (default rules/keras-tf-fitted.yaml and ../shared; silt from build/, or SILT=...)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/rules/keras-tf-fitted.yaml}
shared=$(realpath "${2:-$root/../shared}")
silt=$(realpath "${SILT:-$root/build/silt}")
data=$shared/data
for f in "$data/dev/gold.csv" "$data/ext-dev/labels.csv"; do
  [ -f "$f" ] || { echo "fit-rules: $f not found" >&2; exit 2; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$root/scripts/split.sh" "$data/ext-dev/labels.csv" train > "$tmp/ext-dev-train.csv"
"$silt" rules fit --rules "$root/rules/keras-tf.yaml" --overlay keras-tf.yaml \
  --describe "the study's 27 dev issues and the 76 of ext-dev's train split, scripts/split.sh" \
  --gold "$data/dev/gold.csv" --gold "$tmp/ext-dev-train.csv" \
  "$data/dev/issues.jsonl" "$data/ext-dev/issues.jsonl" -o "$out"
