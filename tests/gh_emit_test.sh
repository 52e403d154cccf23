#!/usr/bin/env bash
# The gh commands silt prints, split by sh as gh would receive them: each line's arguments
# must be exactly the expected ones. A stand-in `gh` prints one argument a line.
set -uo pipefail
silt=$(realpath "$1")
cd "$(dirname "$0")/.."
passed=0
failed=0
args_of() {  # the arguments sh gives to gh for one printed command line
  sh -c 'gh() { for a in "$@"; do printf "[%s]\n" "$a"; done; }; '"$1"
}
check() {
  if [ "$2" = "$3" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); printf 'FAILED: %s\n--- got\n%s\n--- want\n%s\n' "$1" "$2" "$3"; fi
}
line=$("$silt" labels --repo example-org/dl-lib --taxonomy tests/fixtures/labels-taxonomy.yaml | sed -n 1p)
check "label create, quoted name and description" "$(args_of "$line")" "$(printf '[%s]\n' label create 'bug: numbers' --repo example-org/dl-lib --color 1d76db --description "Numbers that are off, it's said" --force)"
line=$("$silt" labels --repo example-org/dl-lib --taxonomy tests/fixtures/labels-taxonomy.yaml | sed -n 3p)
check "label create for a level" "$(args_of "$line")" "$(printf '[%s]\n' label create 'sev 1' --repo example-org/dl-lib --color c2e0c6 --description 'Impact level 1 (low threat): ' --force)"
line=$("$silt" classify --emit gh tests/fixtures/rest-issue.json)
check "issue edit from classify" "$(args_of "$line")" "$(printf '[%s]\n' issue edit 4242 --repo example-org/dl-lib --add-label silent:wrong-save-reload,impact:4)"
out=$("$silt" batch -q --emit gh tests/fixtures/gh-list.json tests/fixtures/labels-issues.jsonl 2>/dev/null)
check "batch emits one line a record, in order" "$(printf '%s\n' "$out" | head -n 3 | cut -d' ' -f1-4)" "$(printf '%s\n' 'gh issue edit 1' 'gh issue edit 2' '# i1: no repository')"
check "comment lines are no command" "$(sh -c 'gh() { echo called; }; '"$(printf '%s\n' "$out" | sed -n 3p)")" ""
out=$("$silt" batch -q --emit gh tests/fixtures/gh-relabel.json 2>/dev/null)
check "silt's own stale labels are removed; the others' labels, a hostile one included, untouched" \
  "$(args_of "$(printf '%s\n' "$out" | sed -n 1p)")" \
  "$(printf '[%s]\n' issue edit 4242 --repo example-org/dl-lib --add-label silent:wrong-save-reload,impact:4 --remove-label silent:wrong-shape,impact:2)"
check "no --remove-label when nothing is stale" "$(printf '%s\n' "$out" | sed -n 2p)" \
  "gh issue edit 4243 --repo example-org/dl-lib --add-label silent:wrong-save-reload,impact:4"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
