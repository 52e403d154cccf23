#!/usr/bin/env bash
# `make fuzz`: builds the harnesses (tests/fuzz/build.sh), then runs each for SECONDS with
# libFuzzer, one after the other: tests/fuzz/run.sh SOURCE_DIR BUILD_DIR SECONDS [HARNESS...].
# The working corpus grows in BUILD_DIR/corpus/<harness>; findings land in
# BUILD_DIR/artifacts/<harness>/, logs in BUILD_DIR/logs/. Prints one line a harness:
# execs, cov and ft from libFuzzer's final stats, and what it found. Exit status 1 when a
# harness found a crash, a hang, a leak or a sanitizer report. FUZZ_FLAGS adds libFuzzer
# flags: FUZZ_FLAGS='-fork=1 -ignore_crashes=1 -ignore_timeouts=1' goes on past findings.
set -euo pipefail
src=$(cd "$1" && pwd)
build=$(bash "$src/tests/fuzz/build.sh" "$src" "$2")
seconds=$3
shift 3
if ! grep -q '^SILT_HAVE_LIBFUZZER:INTERNAL=1' "$build/CMakeCache.txt"; then
  echo "make fuzz: $build has no libFuzzer build (needs clang++ with -fsanitize=fuzzer)" >&2
  exit 2
fi
fuzz=$src/tests/fuzz
if [[ $# -gt 0 ]]; then
  harnesses=("$@")
else
  harnesses=()
  for f in "$fuzz"/fuzz_*.cpp; do
    h=$(basename "$f" .cpp)
    harnesses+=("${h#fuzz_}")
  done
fi

# The dictionaries (tests/fuzz/dict/*.dict) each harness is given, joined.
declare -A dicts=([taxonomy]="taxonomy" [rules]="rules" [issues]="json markdown" [markdown]="markdown"
  [labels]="csv" [eval]="csv json" [survey]="csv consensus" [batch]="json csv markdown" [records]="json csv" [spec_cache]="json"
  [packs]="json")

mkdir -p "$build/logs" "$build/dict"
status=0
summary=()
for h in "${harnesses[@]}"; do
  corpus=$build/corpus/$h
  artifacts=$build/artifacts/$h
  log=$build/logs/$h.log
  mkdir -p "$corpus" "$artifacts"
  # One process, in this one (no -jobs: it would write fuzz-N.log to the current directory).
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -detect_leaks=1 -print_final_stats=1
    -artifact_prefix="$artifacts/")
  if [[ -n ${dicts[$h]:-} ]]; then
    for d in ${dicts[$h]}; do cat "$fuzz/dict/$d.dict"; done >"$build/dict/$h.dict"
    args+=(-dict="$build/dict/$h.dict")
  fi
  read -r -a extra <<<"${FUZZ_FLAGS:-}"
  args+=("${extra[@]}")
  echo "== fuzz_$h for ${seconds}s (log: $log)" >&2
  stamp=$build/logs/$h.start
  touch "$stamp"
  rc=0
  "$build/fuzz_$h" "${args[@]}" "$corpus" "$fuzz/corpus/$h" >"$log" 2>&1 || rc=$?
  new=$(find "$artifacts" -type f -newer "$stamp" | wc -l)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
  [[ -z $execs ]] && execs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<<"$last")
  found=$(sed -nE 's/.*Test unit written to (.*)$/\1/p' "$log" | tail -1)
  if [[ $rc -eq 0 && $new -eq 0 ]]; then
    result=ok
  else
    status=1
    # crash-, timeout-, leak-, oom- or slow-unit-: what libFuzzer saw; then the report.
    what=$(basename "${found:-finding}")
    why=$(grep -m1 -oE 'SUMMARY: [A-Za-z]+: [^ ]+( [^ (]+)?|Assertion .* failed|terminate called.*|silt fuzz harness: .*' \
      "$log" || true)
    result="FOUND ${what%%-*} (${why:-see $log}): ${found:-$new input(s) in $artifacts/}"
    [[ -n $found && $new -gt 1 ]] && result+=" and $((new - 1)) more"
  fi
  summary+=("$(printf '%-10s execs %-9s cov %-6s ft %-7s %s' "$h" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$result")")
done
echo
printf '%s\n' "${summary[@]}"
if [[ $status -ne 0 ]]; then
  echo
  echo "Keep each finding: copy it to tests/fuzz/regressions/<harness>/<short-descriptive-name>."
fi
exit $status
