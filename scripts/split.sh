#!/usr/bin/env bash
# The fixed train/check split of the labeled real reports, decided by a hash of each
# report's id and nothing else, so it is the same on every machine and was fixed before
# any report was read: an id whose SHA-256 (of the id's bytes, no newline) starts with
# eight hex digits whose value is 2 modulo 3 is `check`, every other id `train`
# (about two thirds).
#
#   scripts/split.sh LABELS.csv [train|check]
#
# Prints the CSV's header and the rows of the split named (both splits, with a `split`
# column added, when none is named). The id is the first column. Rules are written from
# `train` misses only; `check` is read only as figures (make eval).
set -euo pipefail
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: scripts/split.sh LABELS.csv [train|check]" >&2; exit 2; }
file=$1
want=${2:-}
case "$want" in "" | train | check) ;; *) echo "split.sh: the split is train or check, not '$want'" >&2; exit 2 ;; esac
[ -r "$file" ] || { echo "split.sh: $file: cannot read" >&2; exit 2; }

split_of() {
  local h
  h=$(printf '%s' "$1" | sha256sum | cut -c1-8)
  if (((16#$h) % 3 == 2)); then echo check; else echo train; fi
}

first=1
# Rows are read whole, as CSV records: a quoted field may hold commas, never a newline
# in these files (checked: a row is a line).
while IFS= read -r line || [ -n "$line" ]; do
  line=${line%$'\r'}
  if [ $first = 1 ]; then
    first=0
    if [ -z "$want" ]; then echo "$line,split"; else echo "$line"; fi
    continue
  fi
  [ -z "$line" ] && continue
  id=${line%%,*}
  s=$(split_of "$id")
  if [ -z "$want" ]; then
    echo "$line,$s"
  elif [ "$s" = "$want" ]; then
    echo "$line"
  fi
done <"$file"
