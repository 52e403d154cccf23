#!/usr/bin/env bash
# silt's figures on the labeled real reports in ../shared/data, each set apart, as
# `make eval` prints them:
#   dev                  the study's 27 issues: the rules were refined on them (in sample)
#   ext-dev train        the TF/Keras reports new rules are written from (in sample once
#                        rules are written from their misses)
#   ext-dev check        the TF/Keras reports kept for figures only: out of sample
#   pytorch train/check  the same split of the PyTorch, JAX, transformers, ONNX Runtime
#                        reports (ext-dev-pytorch)
#   fit (CV)             `silt rules fit` on dev + ext-dev train, cross-validated: the
#                        numbers' figures on issues each predicted by numbers fitted
#                        without it
# The split is scripts/split.sh's (a hash of the id, fixed before any report was read).
# Usage: scripts/eval.sh [SILT] [SHARED]   (VERBOSE=1: the full eval report of each set)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
silt=$(realpath "${1:-$root/build/silt}")
shared=$(realpath "${2:-$root/../shared}")
data=$shared/data
[ -f "$data/dev/gold.csv" ] || { echo "eval: $data/dev not found" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$silt" batch -q "$data/dev/issues.jsonl" > "$tmp/dev.jsonl" || true
cp "$data/dev/gold.csv" "$tmp/dev.csv"
for set in ext-dev ext-dev-pytorch; do
  [ -f "$data/$set/labels.csv" ] || continue
  "$silt" batch -q "$data/$set/issues.jsonl" > "$tmp/$set.jsonl" || true
  for split in train check; do
    "$root/scripts/split.sh" "$data/$set/labels.csv" "$split" > "$tmp/$set-$split.csv"
    cp "$tmp/$set.jsonl" "$tmp/$set-$split.jsonl"
  done
done

row() {  # name, gold, predictions [--summary-header]
  "$silt" eval --gold "$2" "$3" --summary "$1" ${4:-} 2> /dev/null || true
}
if [ "${VERBOSE:-0}" != 0 ]; then
  for s in dev ext-dev-check ext-dev-pytorch-check; do
    [ -f "$tmp/$s.csv" ] && { echo "== $s"; "$silt" eval --gold "$tmp/$s.csv" "$tmp/$s.jsonl" || true; }
  done
fi
row "dev (in sample)" "$tmp/dev.csv" "$tmp/dev.jsonl" --summary-header
for set in ext-dev ext-dev-pytorch; do
  [ -f "$tmp/$set-train.csv" ] || continue
  row "$set train" "$tmp/$set-train.csv" "$tmp/$set-train.jsonl"
  row "$set check" "$tmp/$set-check.csv" "$tmp/$set-check.jsonl"
done
echo
echo "fit (cross-validated on dev + ext-dev train, 5 folds by a hash of the id):"
"$silt" rules fit --gold "$data/dev/gold.csv" --gold "$tmp/ext-dev-train.csv" \
  "$data/dev/issues.jsonl" "$data/ext-dev/issues.jsonl" -o "$tmp/fitted.yaml" 2>&1 | sed -n 's/^  /  /p'
