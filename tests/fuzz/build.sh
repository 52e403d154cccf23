#!/usr/bin/env bash
# Configures (once) and builds the fuzz harnesses: tests/fuzz/build.sh SOURCE_DIR BUILD_DIR.
# With clang++ and libFuzzer: instrumented harnesses in BUILD_DIR. Without: the project's
# compiler and replay_main.cpp, in BUILD_DIR-replay (also when SILT_FUZZ_REPLAY_ONLY=1).
# Prints the directory it built in.
set -euo pipefail
src=$(cd "$1" && pwd)
build=$2
jobs=${JOBS:-$(nproc)}

have_libfuzzer() {
  [[ ${SILT_FUZZ_REPLAY_ONLY:-0} == 1 ]] && return 1
  command -v clang++ >/dev/null 2>&1 || return 1
  local tmp
  tmp=$(mktemp -d)
  echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' >"$tmp/p.cpp"
  local rc=0
  clang++ -fsanitize=fuzzer,address,undefined "$tmp/p.cpp" -o "$tmp/p" >/dev/null 2>&1 || rc=1
  rm -rf "$tmp"
  return $rc
}

if [[ ${SILT_FUZZ_REPLAY_ONLY:-0} != 1 && -f $build/CMakeCache.txt ]]; then
  :
elif have_libfuzzer; then
  cmake -S "$src" -B "$build" -DSILT_FUZZ=ON -DSILT_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_COMPILER=clang++ >&2
else
  build=$build-replay
  [[ -f $build/CMakeCache.txt ]] ||
    cmake -S "$src" -B "$build" -DSILT_FUZZ=ON -DSILT_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=Debug >&2
fi
cmake --build "$build" --target silt_fuzz -j "$jobs" >&2
echo "$build"
