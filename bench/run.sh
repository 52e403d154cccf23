#!/usr/bin/env bash
# Benchmarks `silt batch` on synthetic corpora (bench/gen_corpus.cpp) and prints, for
# each, MB/s and records/s with --jobs 1 and 2, the speed-up, peak RSS, and the time of
# `cat FILE > /dev/null` on the same (cached) file as a ratio; then the start-up time.
# Figures are medians of RUNS runs (default 3).
#
#   bench/run.sh [SIZE]     SIZE of the main corpora (default 300M)
#   BENCH_DIR=/tmp/silt-bench keeps the corpora between runs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
make -C "$root" -s all >/dev/null
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

# Seconds (wall, from date) and peak RSS in KB (from /usr/bin/time) of a command.
timed() {
  local t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -o "$dir/.rss" -f "%M" "$@" > /dev/null 2>&1 || true
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000 )) $(cat "$dir/.rss")"
}

row() {  # label, file
  local label=$1 f=$2 bytes records cat_s
  bytes=$(stat -c %s "$f")
  records=$(wc -l < "$f")
  cat "$f" > /dev/null  # warm the page cache
  cat_s=$(for _ in $(seq "$runs"); do timed cat "$f" | cut -d' ' -f1; done | median)
  local s1=0
  for jobs in 1 2; do
    local us rss
    us=$(for _ in $(seq "$runs"); do timed "$silt" batch -q --no-progress -j "$jobs" "$f" | cut -d' ' -f1; done | median)
    rss=$(for _ in $(seq "$runs"); do timed "$silt" batch -q --no-progress -j "$jobs" "$f" | cut -d' ' -f2; done | median)
    [ "$jobs" = 1 ] && s1=$us
    awk -v l="$label" -v j="$jobs" -v b="$bytes" -v r="$records" -v us="$us" -v rss="$rss" -v cat="$cat_s" -v s1="$s1" \
      'BEGIN { s = us / 1e6; printf "%-22s %8.1f %4d %8.2f %9.1f %11.0f %8s %8.1f %9.3f %9.0f\n",
               l, b / 1e6, j, s, b / 1e6 / s, r / s, (j == 1 ? "-" : sprintf("%.2fx", s1 / us)), rss / 1024, cat / 1e6, us / cat }'
  done
}

echo "silt batch on $(nproc) cores; medians of $runs runs; corpora in $dir"
printf "%-22s %8s %4s %8s %9s %11s %8s %8s %9s %9s\n" corpus MB jobs seconds MB/s records/s speedup "RSS MB" "cat s" silt/cat
row "realistic $size" "$(corpus "realistic-$size" --bytes "$size")"
row "mixed (adversarial)" "$(corpus "mixed-$size" --bytes "$size" --mix)"
row "realistic 1G" "$(corpus realistic-1G --bytes 1G)"
row "one 50 MB record" "$(corpus huge-50M --bytes 1M --huge 50M)"

# Start-up: load and compile the embedded taxonomy and rules, classify one line.
per_run=$(for _ in $(seq 5); do
  t0=$(date +%s%N)
  for _ in $(seq 20); do "$silt" classify --format json --title "progress bar too long" > /dev/null; done
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 20000 ))"
done | median)
bare=$(for _ in $(seq 5); do
  t0=$(date +%s%N)
  for _ in $(seq 20); do "$silt" --version > /dev/null; done
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 20000 ))"
done | median)
awk -v a="$per_run" -v b="$bare" 'BEGIN { printf "start-up: %.1f ms a classify process, %.1f ms of it loading and compiling the rules (a bare silt --version: %.1f ms)\n", a / 1000, (a - b) / 1000, b / 1000 }'
