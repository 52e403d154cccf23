#!/usr/bin/env bash
# silt report in headless Chromium: the page loads with no console error, and its charts
# are there and not empty. Exit 77 (skipped) when Chromium is not installed.
set -uo pipefail
silt=$(realpath "$1")
cd "$(dirname "$0")/.."
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "skipped: chromium not installed"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
check() { if "${@:2}"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $1"; fi; }

"$silt" batch -q tests/fixtures/eval-issues.jsonl tests/fixtures/labels-issues.jsonl > "$work/labels.jsonl"
"$silt" eval --gold tests/fixtures/eval-gold.csv "$work/labels.jsonl" --format json --bootstrap 100 > "$work/eval.json" 2>/dev/null
"$silt" agree tests/fixtures/labels.csv --format json --bootstrap 100 > "$work/agree.json" 2>/dev/null
"$silt" report "$work/labels.jsonl" "$work/eval.json" "$work/agree.json" -o "$work/report.html"
check "silt report writes the page" test -s "$work/report.html"
check "the page needs no script and no network" bash -c "! grep -qiE '<script|https?://' '$work/report.html'"

run() {  # headless Chromium, as the project's tests run it: no network, a fresh profile
  timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$work/profile" \
    --enable-logging=stderr --v=0 "$@" "file://$work/report.html"
}
run --dump-dom > "$work/dom.html" 2> "$work/console.log"
check "the page loads" grep -q "<h1>silt report</h1>" "$work/dom.html"
check "no console error" bash -c "! grep -qiE 'CONSOLE|Uncaught|ERR_FILE' '$work/console.log'"
check "two bar charts with bars" test "$(grep -o 'class="chart bars"' "$work/dom.html" | wc -l)" -ge 2
check "two confusion heat maps" test "$(grep -o 'class="chart heat"' "$work/dom.html" | wc -l)" -eq 2
check "agreement interval charts" test "$(grep -o 'class="chart intervals"' "$work/dom.html" | wc -l)" -ge 2
check "the charts are not empty" test "$(grep -o '<rect ' "$work/dom.html" | wc -l)" -ge 20
check "the items needing review are listed" grep -q "Needing review" "$work/dom.html"
run --hide-scrollbars --window-size=1280,1600 --screenshot="$work/shot.png" > /dev/null 2>&1
check "a screenshot renders" test -s "$work/shot.png"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
