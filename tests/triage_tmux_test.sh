#!/usr/bin/env bash
# silt triage at a real terminal (tmux): blind by default (the report shown, silt's
# reading not, no default answers), paging the report, going back to relabel an issue
# (a later row that supersedes); then --suggest resumes and finishes. Also: no terminal
# and no --answers is refused; --answers scripts a run. Exit 77 (skipped) without tmux.
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
start() {  # extra arguments go to silt triage
  tmux -L "$sock" new-session -d -s triage -x 200 -y 60 \
    "NO_COLOR=1 '$silt' triage issues.jsonl -o labels.csv --rater ann $*; echo TRIAGE-DONE; sleep 30"
}

# Blind (the default): the report is shown, silt's reading is not, no answer is given.
start
check "the first issue is shown" wait_for "[1/3] i1"
check "with the reporter's words, as silt reads them" wait_for "compute_output_shape says (None, 2)."
check "blind: says so" wait_for "; blind."
check "blind: no silt reading before the answers" bash -c "! tmux -L '$sock' capture-pane -p -t triage | grep -q 'silt reads'"
keys ""
check "blind: Enter is no answer" wait_for "y or n (? for help)"
keys "r"
check "r pages the whole report" wait_for "    compute_output_shape says (None, 2)."
keys "n" "y" "n" "n" "1" "first note"        # 4 answers, category 1, a note
check "once saved, silt's reading is shown" wait_for "saved; silt read it as"
check "the second issue follows" wait_for "[2/3] i2"
keys "y" "n" "n" "n" "7" ""                  # ui yes; category 7; no note
check "the third issue follows" wait_for "[3/3] i3"
keys "<"                                     # back to i2: relabel it
check "< goes back to the previous issue" wait_for "[2/3] i2"
keys "n" "n" "n" "y" "4" "changed my mind"
check "and then on to the third again" wait_for "[3/3] i3"
keys "q"
check "quitting ends the session" wait_for "TRIAGE-DONE"
check "three rows were written (i2 twice)" test "$(tail -n +2 labels.csv | wc -l)" -eq 3
check "the later row for i2 comes last" test "$(grep -c '^i2,ann,' labels.csv)" -eq 2 -a \
  "$(grep '^i2,ann,' labels.csv | tail -n 1 | cut -d, -f3)" = wrong-save-reload
tmux -L "$sock" kill-session -t triage

# --suggest: silt's reading shown first and taken as the defaults; resumes at the third.
start --suggest
check "a second run resumes at the third issue" wait_for "[3/3] i3"
check "and says what was labeled already" bash -c "tmux -L '$sock' capture-pane -p -t triage | grep -qF '2 labeled by ann already'"
check "--suggest shows silt's reading" wait_for "silt reads: "
keys "" "" "" "" "" ""
check "the run ends after the last issue" wait_for "TRIAGE-DONE"
check "one item per issue" test "$(tail -n +2 labels.csv | cut -d, -f1 | sort | uniq | tr '\n' ' ')" = "i1 i2 i3 "
check "four rows in all" test "$(tail -n +2 labels.csv | wc -l)" -eq 4
check "the header is what agree and check read" test "$(head -n 1 labels.csv)" = "item,rater,category,impact,ui,model-info,model-operation,results,silent,note,labeled_at"
check "the answers were kept" grep -q '^i1,ann,wrong-shape,2,no,yes,no,no,' labels.csv
check "the note was kept" grep -q ',first note,' labels.csv
check "silt check reads the file" "$silt" check labels.csv > /dev/null

"$silt" triage issues.jsonl -o other.csv --rater bob < /dev/null > /dev/null 2> refused.txt
check "no terminal and no --answers: refused with exit 2" test $? -eq 2
check "with a clear message" grep -q "stdin is not one; script the answers with --answers FILE" refused.txt
printf '%s\n' "" "" "" "" "" "" "s" "" "" "" "" "" "" > answers.txt
"$silt" triage issues.jsonl -o scripted.csv --rater bob --suggest --answers answers.txt > /dev/null
check "--answers scripts a run (two labeled, one skipped)" test "$(tail -n +2 scripted.csv | cut -d, -f1 | tr '\n' ' ')" = "i1 i3 "
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
