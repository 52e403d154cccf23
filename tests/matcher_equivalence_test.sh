#!/usr/bin/env bash
# The Hyperscan prefilter changes how fast silt finds the rules that fire, never which:
# every label, confidence and piece of evidence is the same as with the reference
# matcher (SILT_MATCHER=re2: one RE2 set a field; the prefilter is the default of
# every command, batch included). Compared on the probe set, a
# generated corpus of realistic issues and, when ../shared is there, every real report
# of dev, ext-dev and ext-dev-pytorch, each read with the pack its repository names.
set -euo pipefail
silt=$1
gen=$2
fixtures=$3
shared=$4
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

compare() {  # name, then silt batch's arguments
  local name=$1
  shift
  env -u SILT_MATCHER "$silt" batch --format json "$@" > "$dir/$name.hs"
  SILT_MATCHER=re2 "$silt" batch --format json "$@" > "$dir/$name.re2"
  local n
  n=$(wc -l < "$dir/$name.hs")
  [ "$n" -gt 0 ] || { echo "$name: no output"; exit 1; }
  if ! cmp -s "$dir/$name.hs" "$dir/$name.re2"; then
    echo "$name: the prefilter and the reference matcher disagree:"
    diff "$dir/$name.hs" "$dir/$name.re2" | head -20
    exit 1
  fi
  echo "$name: $n records, identical"
}

compare probe --pack keras-tf "$fixtures/probe/issues.jsonl"
"$gen" --bytes 8000000 --seed 13 --mix > "$dir/corpus.jsonl"
compare corpus "$dir/corpus.jsonl"
for set in dev ext-dev ext-dev-pytorch; do
  issues="$shared/data/$set/issues.jsonl"
  if [ -f "$issues" ]; then
    compare "$set" "$issues"
  else
    echo "$set: skipped ($issues not found)"
  fi
done
