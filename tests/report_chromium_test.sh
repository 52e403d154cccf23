#!/usr/bin/env bash
# silt report in headless Chromium: the page loads with no console error, its charts are
# there and not empty (the calibration chart and the confidence histogram among them),
# no text in a chart runs past the chart's edge, and the page loads nothing from outside.
# Exit 77 (skipped) when Chromium is not installed.
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

# Every kind of input: batch output (JSON lines and CSV), eval and agree JSON, a labels CSV.
"$silt" batch -q tests/fixtures/eval-issues.jsonl tests/fixtures/labels-issues.jsonl > "$work/labels.jsonl"
"$silt" batch -q --format csv tests/fixtures/eval-issues.jsonl > "$work/labels.csv"
"$silt" eval --gold tests/fixtures/eval-gold.csv "$work/labels.jsonl" --format json --bootstrap 100 > "$work/eval.json" 2>/dev/null
"$silt" agree tests/fixtures/labels.csv --format json --bootstrap 100 > "$work/agree.json" 2>/dev/null
"$silt" report "$work/labels.jsonl" "$work/labels.csv" "$work/eval.json" "$work/agree.json" \
  tests/fixtures/labels.csv -o "$work/report.html"
check "silt report writes the page" test -s "$work/report.html"
check "the page needs no script" bash -c "! grep -qiE '<script|<link|<iframe|<img|src=|url\(|@import' '$work/report.html'"
# Web addresses only as links to the issues, never as something to load.
check "web addresses only in links" bash -c \
  "! grep -oiE '[a-z-]+=\"https?://' '$work/report.html' | grep -qviE '^href='"
check "the issues link to their address" grep -q '<a href="https://github.com/example-org/dl-lib/issues/1">' "$work/report.html"

run() {  # headless Chromium, as the project's tests run it: no network, a fresh profile
  local page=$1
  shift
  timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$work/profile" \
    --enable-logging=stderr --v=0 "$@" "file://$page"
}
run "$work/report.html" --dump-dom > "$work/dom.html" 2> "$work/console.log"
check "the page loads" grep -q "<h1>silt report</h1>" "$work/dom.html"
check "no console error" bash -c "! grep -qiE 'CONSOLE|Uncaught|ERR_FILE' '$work/console.log'"
count() { grep -o "$1" "$work/dom.html" | wc -l; }
check "bar charts with bars (labels, batch CSV, hand labels)" test "$(count 'class="chart bars"')" -ge 6
check "two confusion heat maps" test "$(count 'class="chart heat"')" -eq 2
check "agreement interval charts" test "$(count 'class="chart intervals"')" -ge 4
check "a calibration chart" test "$(count 'class="chart calibration"')" -eq 1
check "a confidence histogram for each batch output" test "$(count 'class="chart histogram"')" -eq 2
check "per-category precision, recall and F1 with the averages" grep -q '<th>weighted average</th>' "$work/dom.html"
check "the charts are not empty" test "$(count '<rect ')" -ge 60
check "the items needing review are listed" grep -q "Needing review" "$work/dom.html"

# Laid out by the browser: every text of every chart inside its chart, the calibration
# points and histogram bars drawn with a size. A copy of the page with a script that
# measures and writes what it found into the DOM (the page itself has no script).
sed 's#</body>#<script>(function () {\
  var out = [], texts = 0;\
  document.querySelectorAll("svg.chart").forEach(function (svg) {\
    var box = svg.getBoundingClientRect();\
    svg.querySelectorAll("text").forEach(function (t) {\
      var r = t.getBoundingClientRect();\
      texts++;\
      if (r.width === 0 \|\| r.left < box.left - 1 \|\| r.right > box.right + 1 \|\| r.top < box.top - 1 \|\| r.bottom > box.bottom + 1)\
        out.push("clipped: " + JSON.stringify(t.textContent) + " in " + svg.getAttribute("aria-label"));\
    });\
  });\
  var shown = function (sel) { var n = 0; document.querySelectorAll(sel).forEach(function (e) {\
    var r = e.getBoundingClientRect(); if (r.width > 0 \&\& r.height > 0) n++; }); return n; };\
  var pre = document.createElement("pre");\
  pre.id = "measured";\
  pre.textContent = "texts=" + texts + " circles=" + shown("svg.calibration circle") +\
    " bars=" + shown("svg.histogram rect") + "\\n" + out.join("\\n");\
  document.body.appendChild(pre);\
})();</script></body>#' "$work/report.html" > "$work/measure.html"
run "$work/measure.html" --window-size=1280,1000 --dump-dom > "$work/measured.html" 2> /dev/null
measured=$(sed -n '/<pre id="measured">/,/<\/pre>/p' "$work/measured.html")
measured_has() { grep -qE "$1" <<< "$measured"; }
nothing_clipped() { ! grep -q 'clipped:' <<< "$measured"; }
check "the page was measured" measured_has 'texts=[1-9]'
check "no chart text runs past its chart's edge" nothing_clipped
check "the calibration points are drawn" measured_has 'circles=[1-9]'
check "the histogram bars are drawn" measured_has 'bars=[1-9]'
grep 'clipped:' <<< "$measured" | head -5

run "$work/report.html" --hide-scrollbars --window-size=1280,1600 --screenshot="$work/shot.png" > /dev/null 2>&1
check "a screenshot renders" test -s "$work/shot.png"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
