#!/usr/bin/env bash
# The numbers shipped in rules/*-fitted.yaml are what scripts/fit-rules.sh fits today: a
# rule change that moves them must refit (comments, the date among them, are not
# compared). Exit 77 (skipped) when ../shared is absent.
set -euo pipefail
silt=$1
src=$2
shared=$3
[ -f "$shared/data/ext-dev-pytorch/labels.csv" ] || { echo "skipped: $shared/data not found"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
SILT="$silt" "$src/scripts/fit-rules.sh" "$tmp" "$shared" 2> "$tmp/log"
numbers() { grep -v '^ *#' "$1"; }
status=0
for pack in keras-tf pytorch generic; do
  if ! diff <(numbers "$src/rules/$pack-fitted.yaml") <(numbers "$tmp/$pack-fitted.yaml") > "$tmp/diff"; then
    echo "rules/$pack-fitted.yaml is not what scripts/fit-rules.sh fits now:"
    head -n 20 "$tmp/diff"
    status=1
  fi
done
[ $status -eq 0 ] || { echo "refit: scripts/fit-rules.sh (and review the diff)"; exit 1; }
echo "the shipped numbers are today's fit:"
cat "$tmp/log"
