#!/usr/bin/env bash
# silt triage at a real terminal (tmux): label two of three issues, quit, run again,
# finish; the labels file then holds exactly one row per issue. Also: no terminal and no
# --answers is refused; --answers scripts a run. Exit 77 (skipped) without tmux.
set -uo pipefail
silt=$(realpath "$1")
cd "$(dirname "$0")/.."
command -v tmux > /dev/null || { echo "skipped: tmux not installed"; exit 77; }
work=$(mktemp -d)
sock="silt-triage-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$work"' EXIT
passed=0
failed=0
check() { if "${@:2}"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $1"; fi; }
head -n 3 tests/fixtures/labels-issues.jsonl > "$work/issues.jsonl"
cd "$work"

screen() { tmux -L "$sock" capture-pane -p -t triage 2>/dev/null; }
wait_for() {  # text on the screen, for up to 15 s
  for _ in $(seq 150); do screen | grep -qF -- "$1" && return 0; sleep 0.1; done
  echo "--- screen:"; screen; return 1
}
keys() { for k in "$@"; do tmux -L "$sock" send-keys -t triage -- "$k" Enter; sleep 0.15; done; }
start() {
  tmux -L "$sock" new-session -d -s triage -x 200 -y 60 \
    "NO_COLOR=1 '$silt' triage issues.jsonl -o labels.csv --rater ann; echo TRIAGE-DONE; sleep 30"
}

start
check "the first issue is shown" wait_for "[1/3] i1"
check "with silt's reading of each criterion" wait_for "silt reads: ui=no (assumed), model-info=yes (inferred)"
keys "" "" "" "" "" "first note"            # 4 questions: silt's answers; its category; a note
check "the second issue follows" wait_for "[2/3] i2"
keys "y" "" "" "" "7" ""                     # ui yes; category 7; no note
check "the third issue follows" wait_for "[3/3] i3"
keys "q"
check "quitting ends the session" wait_for "TRIAGE-DONE"
check "two rows were written" test "$(tail -n +2 labels.csv | wc -l)" -eq 2
tmux -L "$sock" kill-session -t triage

start
check "a second run resumes at the third issue" wait_for "[3/3] i3"
check "and says what was labeled already" bash -c "tmux -L '$sock' capture-pane -p -t triage | grep -qF '2 labeled by ann already'"
keys "" "" "" "" "" ""
check "the run ends after the last issue" wait_for "TRIAGE-DONE"
check "one row per issue" test "$(tail -n +2 labels.csv | cut -d, -f1 | sort | uniq | tr '\n' ' ')" = "i1 i2 i3 "
check "three rows in all" test "$(tail -n +2 labels.csv | wc -l)" -eq 3
check "the header is what agree and check read" test "$(head -n 1 labels.csv)" = "item,rater,category,impact,ui,model-info,model-operation,results,silent,note,labeled_at"
check "the answers were kept" grep -q '^i2,ann,wrong-calculation,[0-9]*,yes,' labels.csv
check "the note was kept" grep -q ',first note,' labels.csv
check "silt check reads the file" "$silt" check labels.csv > /dev/null

"$silt" triage issues.jsonl -o other.csv --rater bob < /dev/null > /dev/null 2> refused.txt
check "no terminal and no --answers: refused with exit 2" test $? -eq 2
check "with a clear message" grep -q "stdin is not one; script the answers with --answers FILE" refused.txt
printf '%s\n' "" "" "" "" "" "" "s" "" "" "" "" "" "" > answers.txt
"$silt" triage issues.jsonl -o scripted.csv --rater bob --answers answers.txt > /dev/null
check "--answers scripts a run (two labeled, one skipped)" test "$(tail -n +2 scripted.csv | cut -d, -f1 | tr '\n' ' ')" = "i1 i3 "
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
