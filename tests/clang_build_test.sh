#!/usr/bin/env bash
# Compiles every C++ source of the build with clang++ (-fsyntax-only: parsing, templates,
# diagnostics; no code generation), with the flags the build itself uses, so the code
# keeps building with Debian's clang as well as g++. Exit 77 (skipped) without clang++.
# Usage: clang_build_test.sh BUILD_DIR
set -uo pipefail
build=$(realpath "$1")
command -v clang++ > /dev/null || { echo "skipped: clang++ not installed"; exit 77; }
db=$build/compile_commands.json
[ -f "$db" ] || { echo "no $db (CMAKE_EXPORT_COMPILE_COMMANDS)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# compile_commands.json holds one "command" line an entry, JSON-escaped: unescaped, each
# is a shell command line; the compiler, -o and -c are replaced.
n=0
while IFS= read -r cmd; do
  file=$(sed -n 's/.* -c \([^ ]*\)$/\1/p' <<< "$cmd")
  case "$file" in */tests/fuzz/* | */generated/* | "") continue ;; esac
  flags=$(sed -e 's/^[^ ]* //' -e 's/ -o [^ ]*//' -e 's/ -c [^ ]*$//' <<< "$cmd")
  n=$((n + 1))
  printf 'cd %q && clang++ %s -fsyntax-only %q\n' "$build" "$flags" "$file" > "$work/$n.sh"
done < <(sed -n 's/^ *"command": "\(.*\)",$/\1/p' "$db" | sed -e 's/\\\\/\x01/g' -e 's/\\"/"/g' -e 's/\x01/\\/g')
[ "$n" -gt 0 ] || { echo "no command found in $db"; exit 1; }
ls "$work"/*.sh | xargs -P "$(nproc)" -I{} sh -c 'bash {} > {}.log 2>&1 || echo FAILED >> {}.log'
failed=$(grep -l '^FAILED$' "$work"/*.log | wc -l)
for log in $(grep -l '^FAILED$' "$work"/*.log); do
  echo "--- $(sed -n 's/.* -fsyntax-only //p' "${log%.log}")"
  head -n 20 "$log"
done
echo "$n files checked with $(clang++ --version | head -n 1), $failed failed"
[ "$failed" -eq 0 ]
