#!/usr/bin/env bash
# Groups findings by cause: runs harness HARNESS on each FILE once and prints one line a
# distinct signature (the report's kind and the top frame in engine/ or the harness),
# with how many files share it and the smallest of them.
#   tests/fuzz/triage.sh BUILD_DIR HARNESS FILE...
set -uo pipefail
build=$1
h=$2
shift 2
declare -A count smallest
for f in "$@"; do
  out=$(timeout -k 5 60 "$build/fuzz_$h" -timeout=20 -rss_limit_mb=2048 "$f" 2>&1)
  rc=$?
  [[ $rc -eq 0 ]] && continue
  kind=$(grep -m1 -oE 'SUMMARY: [A-Za-z]+: [^ ]+|Assertion .* failed|what\(\): .*|ALARM|silt fuzz harness: .*|out-of-memory' <<<"$out")
  [[ -z $kind && $rc -ge 124 ]] && kind="hang (timeout $rc)"
  frame=$(grep -m1 -oE ' in [^ ]+.* /[^ ]*(engine/src|tests/fuzz)/[^ ]+' <<<"$out" | sed -E 's/^ in ([^(]+).* ([^ ]+)$/\1 \2/')
  sig="${kind:-exit $rc} @ ${frame:-?}"
  count[$sig]=$((${count[$sig]:-0} + 1))
  if [[ -z ${smallest[$sig]:-} ]] || [[ $(stat -c %s "$f") -lt $(stat -c %s "${smallest[$sig]}") ]]; then
    smallest[$sig]=$f
  fi
done
for sig in "${!count[@]}"; do
  printf '%4d  %s\n      smallest: %s (%s bytes)\n' "${count[$sig]}" "$sig" "${smallest[$sig]}" \
    "$(stat -c %s "${smallest[$sig]}")"
done
