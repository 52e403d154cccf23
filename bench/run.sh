#!/usr/bin/env bash
# Benchmarks `silt batch` on synthetic corpora (bench/gen_corpus.cpp) and, when ../shared
# is there, on its real reports repeated to SIZE. For each corpus,
# with --jobs 1 and 2: wall seconds and CPU seconds (user + system, getrusage through
# /usr/bin/time), MB/s by wall time and MB a CPU second, the -j2 speed-up by wall time
# and by CPU time (2 x CPU(-j1) / CPU(-j2): what two free cores give when the only loss
# is the parallel overhead; this machine is shared, so wall time alone says little),
# peak RSS, and `cat FILE > /dev/null` on the same cached file as a ratio. The realistic
# corpus runs with the default matcher (the Hyperscan prefilter) and with the RE2 sets
# (SILT_MATCHER=re2), then with the rules doubled (every rule twice, under new ids:
# bench/double_rules.cpp). Last, the start-up of one `silt classify` process. Figures
# are medians of RUNS runs (default 3).
#
#   bench/run.sh [SIZE]     SIZE of the main corpora (default 300M)
#   BENCH_DIR=/tmp/silt-bench keeps the corpora between runs.
#   ONLY=realistic          only the realistic corpus and the doubled rules (quicker)
#   ONLY=startup            only the start-up figures
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
make -C "$root" -s all >/dev/null
cmake --build "$root/build" --target silt-gen-corpus silt-double-rules >/dev/null
silt=$root/build/silt
gen=$root/build/silt-gen-corpus
dir=${BENCH_DIR:-/tmp/silt-bench}
size=${1:-300M}
runs=${RUNS:-3}
mkdir -p "$dir"
command -v /usr/bin/time >/dev/null || { echo "bench: /usr/bin/time is needed (apt-get install time)" >&2; exit 2; }

corpus() {  # name, generator arguments...
  local f="$dir/$1.jsonl"
  shift
  [ -s "$f" ] || "$gen" "$@" > "$f" 2>/dev/null
  echo "$f"
}

median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

# "wall-seconds cpu-seconds peak-RSS-KB" of a command (/usr/bin/time: getrusage).
timed() {
  /usr/bin/time -o "$dir/.time" -f "%e %U %S %M" "$@" > /dev/null 2>&1 || true
  awk '{ printf "%s %.3f %s\n", $1, $2 + $3, $4 }' "$dir/.time"
}

# One line a --jobs value: medians of RUNS runs of each figure. Extra arguments go to
# silt batch (the rules file of the doubled mode).
row() {  # label, file, silt batch arguments...
  local label=$1 f=$2 bytes records cat_s
  shift 2
  bytes=$(stat -c %s "$f")
  records=$(wc -l < "$f")
  cat "$f" > /dev/null  # warm the page cache
  cat_s=$(for _ in $(seq "$runs"); do timed cat "$f"; done | cut -d' ' -f1 | median)
  local w1=0 c1=0
  for jobs in 1 2; do
    local all wall cpu rss
    all=$(for _ in $(seq "$runs"); do
      SILT_MATCHER=${matcher:-} timed "$silt" batch -q --no-progress -j "$jobs" "$@" "$f"
    done)
    wall=$(cut -d' ' -f1 <<< "$all" | median)
    cpu=$(cut -d' ' -f2 <<< "$all" | median)
    rss=$(cut -d' ' -f3 <<< "$all" | median)
    if [ "$jobs" = 1 ]; then w1=$wall; c1=$cpu; fi
    awk -v l="$label" -v j="$jobs" -v b="$bytes" -v r="$records" -v w="$wall" -v c="$cpu" -v rss="$rss" \
        -v cat="$cat_s" -v w1="$w1" -v c1="$c1" 'BEGIN {
      if (w <= 0) w = 0.01; if (c <= 0) c = 0.01; if (cat <= 0) cat = 0.01
      printf "%-24s %7.1f %4d %7.2f %7.2f %8.1f %9.1f %9.0f %7s %7s %7.1f %8.0f\n",
             l, b / 1e6, j, w, c, b / 1e6 / w, b / 1e6 / c, r / w,
             (j == 1 ? "-" : sprintf("%.2fx", w1 / w)), (j == 1 ? "-" : sprintf("%.2fx", 2 * c1 / c)),
             rss / 1024, w / cat }'
  done
}

if [ "${ONLY:-}" != startup ]; then
echo "silt batch on $(nproc) cores; medians of $runs runs; corpora in $dir"
printf "%-24s %7s %4s %7s %7s %8s %9s %9s %7s %7s %7s %8s\n" corpus MB jobs wall-s cpu-s MB/s MB/cpu-s records/s \
  "x wall" "x cpu" "RSS MB" silt/cat
realistic=$(corpus "realistic-$size" --bytes "$size")
row "realistic $size" "$realistic"
matcher=re2 row "same, RE2 sets" "$realistic"
row "same, CSV out" "$realistic" --format csv
# Real reports: the 217 of ../shared/data (dev, ext-dev, ext-dev-pytorch), repeated to
# SIZE. They cost silt several times what the generated corpus does a byte (longer
# logs and code, other bytes than ASCII, every pack), so both are measured.
shared=${SHARED:-$root/../shared}/data
if [ -f "$shared/dev/issues.jsonl" ] && [ -f "$shared/ext-dev-pytorch/issues.jsonl" ]; then
  real="$dir/real-$size.jsonl"
  if [ ! -s "$real" ]; then
    want=$(numfmt --from=iec "$size")
    : > "$real.tmp"
    while [ "$(stat -c %s "$real.tmp")" -lt "$want" ]; do
      cat "$shared"/dev/issues.jsonl "$shared"/ext-dev/issues.jsonl "$shared"/ext-dev-pytorch/issues.jsonl >> "$real.tmp"
    done
    mv "$real.tmp" "$real"
  fi
  row "real reports $size" "$real"
  matcher=re2 row "same, RE2 sets" "$real"
else
  echo "(real reports: skipped, $shared not found)"
fi

# The rules doubled: every file of rules/ with each rule twice, its prefilter compiled
# and cached once (silt rules compile), then the same corpus with the same pack.
fi
doubled=$dir/rules-doubled
mkdir -p "$doubled"
for f in "$root"/rules/*.yaml; do "$root/build/silt-double-rules" "$f" "$doubled/$(basename "$f")"; done
# A pack of one's own: a copy of rules/ with one pattern of keras-tf.yaml changed (its
# part of the prefilter is cached, generic.yaml's is the built-in one).
mine=$dir/rules-mine
mkdir -p "$mine"
cp "$root"/rules/*.yaml "$mine/"
sed -i "0,/pattern: '/s//pattern: '(?:zq-never-written)|/" "$mine/keras-tf.yaml"
grep -q zq-never-written "$mine/keras-tf.yaml" || { echo "bench: could not change a pattern of $mine/keras-tf.yaml" >&2; exit 2; }
export SILT_CACHE_DIR=$dir/cache
"$silt" rules compile --rules "$doubled/keras-tf-fitted.yaml" > /dev/null
"$silt" rules compile --rules "$mine/keras-tf-fitted.yaml" > /dev/null
if [ "${ONLY:-}" != startup ]; then
row "same, rules given" "$realistic" --rules "$root/rules/keras-tf-fitted.yaml"
row "same, rules doubled" "$realistic" --rules "$doubled/keras-tf-fitted.yaml"
matcher=re2 row "doubled, RE2 sets" "$realistic" --rules "$doubled/keras-tf-fitted.yaml"

if [ "${ONLY:-}" != realistic ]; then
  row "mixed (adversarial)" "$(corpus "mixed-$size" --bytes "$size" --mix)"
  row "realistic 1G" "$(corpus realistic-1G --bytes 1G)"
  row "one 50 MB record" "$(corpus huge-50M --bytes 1M --huge 50M)"
fi
fi

# Start-up: one small issue, a whole process (medians of 5 rounds of 20), with the
# built-in rules, a pack of one's own and the doubled pack, both cached (silt rules
# compile above: their prefilters and parsed forms); a bare `silt --version` for the
# floor.
per_process() {  # command...
  for _ in $(seq 5); do
    /usr/bin/time -o "$dir/.time" -f "%e %U %S" bash -c 'for _ in $(seq 20); do "$@" > /dev/null; done' _ "$@"
    awk '{ printf "%.3f %.3f\n", $1 * 1000 / 20, ($2 + $3) * 1000 / 20 }' "$dir/.time"
  done
}
startup() {  # label, command...
  local label=$1 all
  shift
  all=$(per_process "$@")
  printf "start-up, %-42s %6.1f ms wall  %6.1f ms CPU a process\n" "$label:" \
    "$(cut -d' ' -f1 <<< "$all" | median)" "$(cut -d' ' -f2 <<< "$all" | median)"
}
issue=$root/tests/fixtures/gh-issue.json
startup "classify, built-in rules" "$silt" classify "$issue"
startup "classify, a pack of one's own (cached)" "$silt" classify --rules "$mine/keras-tf-fitted.yaml" "$issue"
startup "classify, doubled rules (cached)" "$silt" classify --rules "$doubled/keras-tf-fitted.yaml" "$issue"
startup "silt --version" "$silt" --version
