#!/usr/bin/env bash
# Classifies every real dev issue in ../shared (one REST object a line): each must be
# read and classified, with a category from the taxonomy. Exit 77 (skipped) when the
# shared data is absent.
set -euo pipefail
silt=$1
shared=$2
issues="$shared/data/dev/issues.jsonl"
[ -f "$issues" ] || { echo "skipped: $issues not found"; exit 77; }
n=0
while IFS= read -r line; do
  out=$(printf '%s' "$line" | "$silt" classify --format json -)
  case "$out" in
    *'"category":"wrong-'*|*'"category":"performance-degradation"'*) ;;
    *) echo "unexpected output for line $((n + 1)): $out"; exit 1 ;;
  esac
  n=$((n + 1))
done < "$issues"
echo "classified $n dev issues"
[ "$n" -gt 0 ]
