#!/usr/bin/env bash
# Refits the numbers of the built-in packs (rules/*-fitted.yaml): each pack's rules file
# keeps the hand-written numbers, which are the prior; `silt rules fit` fits them on
# labeled reports, the `train` splits only (scripts/split.sh; `check` is never used here):
#   keras-tf  on the study's 27 dev issues and ext-dev's train split
#   pytorch   on ext-dev-pytorch's train split
#   generic   on all three
# The output is the same on every machine: the split and the folds are hashes of the
# ids, the optimizer is deterministic; only the date in each file's comment differs.
# Usage: scripts/fit-rules.sh [OUTPUT_DIR] [SHARED]
#   (default rules/ and ../shared; silt from build/, or SILT=...)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath "${1:-$root/rules}")
shared=$(realpath "${2:-$root/../shared}")
silt=$(realpath "${SILT:-$root/build/silt}")
data=$shared/data
for f in "$data/dev/gold.csv" "$data/ext-dev/labels.csv" "$data/ext-dev-pytorch/labels.csv"; do
  [ -f "$f" ] || { echo "fit-rules: $f not found" >&2; exit 2; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$root/scripts/split.sh" "$data/ext-dev/labels.csv" train > "$tmp/ext-dev-train.csv"
"$root/scripts/split.sh" "$data/ext-dev-pytorch/labels.csv" train > "$tmp/ext-dev-pytorch-train.csv"
dev=(--gold "$data/dev/gold.csv" "$data/dev/issues.jsonl")
tf=(--gold "$tmp/ext-dev-train.csv" "$data/ext-dev/issues.jsonl")
pt=(--gold "$tmp/ext-dev-pytorch-train.csv" "$data/ext-dev-pytorch/issues.jsonl")
fit() {  # pack, description, gold and issue arguments...
  local pack=$1 what=$2
  shift 2
  echo "== $pack" >&2
  "$silt" rules fit --rules "$root/rules/$pack.yaml" --overlay "$pack.yaml" --describe "$what" "$@" \
    -o "$out/$pack-fitted.yaml"
}
fit keras-tf "the study's 27 dev issues and the 76 of ext-dev's train split, scripts/split.sh" "${dev[@]}" "${tf[@]}"
fit pytorch "the 59 of ext-dev-pytorch's train split, scripts/split.sh" "${pt[@]}"
fit generic "dev, ext-dev's and ext-dev-pytorch's train splits, scripts/split.sh" "${dev[@]}" "${tf[@]}" "${pt[@]}"
