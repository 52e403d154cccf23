#!/usr/bin/env bash
# The numbers shipped in rules/keras-tf-fitted.yaml are what scripts/fit-rules.sh fits
# today: a rule change that moves them must refit (comments, the date among them, are
# not compared). Exit 77 (skipped) when ../shared is absent.
set -euo pipefail
silt=$1
src=$2
shared=$3
[ -f "$shared/data/ext-dev/labels.csv" ] || { echo "skipped: $shared/data not found"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
SILT="$silt" "$src/scripts/fit-rules.sh" "$tmp/fitted.yaml" "$shared" 2> "$tmp/log"
numbers() { grep -v '^ *#' "$1"; }
if ! diff <(numbers "$src/rules/keras-tf-fitted.yaml") <(numbers "$tmp/fitted.yaml") > "$tmp/diff"; then
  echo "rules/keras-tf-fitted.yaml is not what scripts/fit-rules.sh fits now:"
  head -n 40 "$tmp/diff"
  echo "refit: scripts/fit-rules.sh (and review the diff)"
  exit 1
fi
echo "the shipped numbers are today's fit:"
cat "$tmp/log"
