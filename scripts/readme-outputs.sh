#!/usr/bin/env bash
# Rewrites every output block of README.md from what the current build prints, so that
# the README shows silt as it is. A block is marked by the comment line before its fence:
#
#   <!-- output: COMMAND -->          run from the source directory, `silt` the build's
#   <!-- output-shared: COMMAND -->   the same, when ../shared (the real reports) is there
#
# and the fenced block after it gets COMMAND's stdout (add 2>&1 for stderr).
#
#   scripts/readme-outputs.sh [--check] [SILT]
#
# --check changes nothing: it prints the difference and exits 1 when a block is not
# what the build prints today (the test suite runs it so). SILT defaults to build/silt.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
check=0
if [ "${1:-}" = --check ]; then
  check=1
  shift
fi
silt=$(realpath "${1:-$root/build/silt}")
[ -x "$silt" ] || { echo "readme-outputs: no silt at $silt (make first)" >&2; exit 2; }
bin=$(mktemp -d)
out=$(mktemp)
trap 'rm -rf "$bin" "$out"' EXIT
ln -s "$silt" "$bin/silt"
shared=0
[ -d "$root/../shared/data" ] && shared=1

cd "$root"
export NO_COLOR=1 LC_ALL=C.UTF-8 PATH="$bin:$PATH"
skipped=0 on_shared=0
{
  in_block=0 command="" keep=0
  while IFS= read -r line || [ -n "$line" ]; do
    if [ "$in_block" = 1 ]; then
      if [[ $line == '```'* ]]; then  # the closing fence
        in_block=0
        printf '%s\n' "$line"
      elif [ "$keep" = 1 ]; then
        printf '%s\n' "$line"
      fi
      continue
    fi
    printf '%s\n' "$line"
    if [[ $line =~ ^'<!-- output'(-shared)?': '(.*)' -->'$ ]]; then
      command=${BASH_REMATCH[2]}
      keep=0
      if [ -n "${BASH_REMATCH[1]}" ]; then
        on_shared=$((on_shared + 1))
        [ "$shared" = 1 ] || { keep=1; skipped=$((skipped + 1)); }
      fi
      IFS= read -r fence
      printf '%s\n' "$fence"
      [[ $fence == '```'* ]] || { echo "readme-outputs: no fenced block after: $line" >&2; exit 2; }
      in_block=1
      [ "$keep" = 1 ] || bash -c "$command" || true
    fi
  done < README.md
} > "$out"
# The report's screenshot, docs/report-dev.png: headless Chromium's picture of `silt
# report` on the dev set, whole page. docs/report-dev.sha256 holds the SHA-256 of the
# HTML it was taken from, so that --check tells a stale picture without a browser.
shot_note=""
if [ "$shared" = 1 ]; then
  page=$(mktemp -d)
  trap 'rm -rf "$bin" "$out" "$page"' EXIT
  (
    cd "$page"
    silt batch -q "$root/../shared/data/dev/issues.jsonl" > labels.jsonl || true
    silt eval --gold "$root/../shared/data/dev/gold.csv" labels.jsonl --format json > eval.json || true
    silt report labels.jsonl eval.json -o report.html || { echo "readme-outputs: silt report failed" >&2; exit 2; }
  )
  sum=$(sha256sum < "$page/report.html" | cut -d' ' -f1)
  if [ "$check" = 1 ]; then
    if [ "$sum" != "$(cat docs/report-dev.sha256 2> /dev/null)" ]; then
      echo "docs/report-dev.png: not a picture of today's report (docs/report-dev.sha256 differs; scripts/readme-outputs.sh retakes it)"
      shot_stale=1
    fi
  elif browser=$(command -v chromium || command -v chromium-browser); then
    chrome() {
      timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --user-data-dir="$page/profile" \
        --hide-scrollbars "$@" 2> /dev/null
    }
    # The page's height at the picture's width, measured by the browser itself.
    sed 's#</body>#<script>document.title = "height=" + document.documentElement.scrollHeight;</script></body>#' \
      "$page/report.html" > "$page/measure.html"
    height=$(chrome --window-size=1100,1000 --dump-dom "file://$page/measure.html" |
      sed -n 's/.*<title>height=\([0-9]*\)<.*/\1/p' || true)
    chrome --window-size="1100,${height:-4000}" --screenshot="$page/shot.png" "file://$page/report.html" > /dev/null ||
      true
    if [ -s "$page/shot.png" ]; then
      cp "$page/shot.png" docs/report-dev.png
      echo "$sum" > docs/report-dev.sha256
      shot_note=", docs/report-dev.png retaken (1100x${height:-4000})"
    else
      shot_note=", docs/report-dev.png NOT retaken: Chromium made no screenshot"
    fi
  else
    shot_note=", docs/report-dev.png NOT retaken: Chromium is not installed"
  fi
fi

if [ "$shared" = 1 ]; then
  note="$on_shared of them on ../shared's data"
else
  note="$skipped on ../shared's data left as they were: ../shared is not there"
fi
if [ "$check" = 1 ]; then
  if ! diff -u README.md "$out" > "$out.diff"; then
    echo "README.md: these blocks differ from what the build prints (scripts/readme-outputs.sh rewrites them):"
    cat "$out.diff"
    rm -f "$out.diff"
    exit 1
  fi
  rm -f "$out.diff"
  [ "${shot_stale:-0}" = 0 ] || exit 1
  echo "README.md: every marked block is what the build prints ($note)"
else
  cp "$out" README.md
  echo "README.md: marked blocks rewritten ($note)$shot_note"
fi
