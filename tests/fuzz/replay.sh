#!/usr/bin/env bash
# The fuzz regression test (ctest fuzz.regressions, `make fuzz-replay`): builds the
# harnesses (tests/fuzz/build.sh), then runs each once on every file of
# tests/fuzz/regressions/<harness>/, tests/fuzz/corpus/<harness>/ and the generated
# regressions (gen_regressions.sh). Fails when any input crashes, hangs, leaks or draws
# a sanitizer report, naming each such file.
#   tests/fuzz/replay.sh SOURCE_DIR BUILD_DIR
set -uo pipefail
src=$(cd "$1" && pwd)
build=$(bash "$src/tests/fuzz/build.sh" "$src" "$2") || {
  echo "fuzz replay: the harnesses do not build" >&2
  exit 1
}
fuzz=$src/tests/fuzz
bash "$fuzz/gen_regressions.sh" "$build/regressions-generated" || exit 1
libfuzzer=0
grep -q '^SILT_HAVE_LIBFUZZER:INTERNAL=1' "$build/CMakeCache.txt" && libfuzzer=1
timeout=${SILT_FUZZ_TIMEOUT:-30}
export SILT_FUZZ_TIMEOUT=$timeout
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Runs harness $1 on the files that follow; its output goes to $log.
run() {
  local bin=$build/fuzz_$1
  shift
  if [[ $libfuzzer -eq 1 ]]; then
    timeout -k 10 $((timeout * 2 + 60)) "$bin" -timeout="$timeout" -rss_limit_mb=2048 "$@" >"$log" 2>&1
  else
    timeout -k 10 $((timeout * 2 + 60)) "$bin" "$@" >"$log" 2>&1
  fi
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=()
total=0
for f in "$fuzz"/fuzz_*.cpp; do
  h=$(basename "$f" .cpp)
  h=${h#fuzz_}
  files=()
  for dir in "$fuzz/regressions/$h" "$build/regressions-generated/$h" "$fuzz/corpus/$h"; do
    [[ -d $dir ]] || continue
    while IFS= read -r -d '' file; do files+=("$file"); done < <(find "$dir" -type f -print0 | sort -z)
  done
  [[ ${#files[@]} -eq 0 ]] && continue
  total=$((total + ${#files[@]}))
  # All at once; when that fails, one at a time to name every failing file.
  if run "$h" "${files[@]}"; then
    echo "fuzz_$h: ${#files[@]} input(s) pass"
    continue
  fi
  for file in "${files[@]}"; do
    run "$h" "$file"
    rc=$?
    if [[ $rc -ne 0 ]]; then
      why=$(grep -m1 -E 'SUMMARY: [A-Z]|Assertion .* failed|ALARM|runtime error|terminate called|silt fuzz harness|ERROR: libFuzzer' "$log")
      if [[ -z $why ]]; then
        why="exit status $rc"
        [[ $rc -eq 142 ]] && why="hang: no result within ${timeout}s (SIGALRM)"
        [[ $rc -eq 124 || $rc -eq 137 ]] && why="hang: killed by timeout(1)"
      fi
      echo "FAIL fuzz_$h ${file#"$src"/}: $why"
      failed+=("$h/${file##*/}")
    fi
  done
done
echo "fuzz replay: ${#failed[@]} failing input(s) of $total"
[[ ${#failed[@]} -eq 0 ]]
