#!/usr/bin/env bash
# silt batch as a process: atomic -o and --resume after a kill -9, record-by-record
# streaming on stdin, GNU parallel --pipe, exit codes, the rejects file, the progress bar.
# Usage: batch_cli_test.sh SILT GEN_CORPUS
set -uo pipefail
silt=$(realpath "$1")
gen=$(realpath "$2")
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
passed=0
failed=0
check() {  # description, command...
  local what=$1
  shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $what"; fi
}
wait_for() {  # seconds, command...: polls until the command succeeds
  local limit=$1
  shift
  for _ in $(seq $((limit * 20))); do "$@" && return 0; sleep 0.05; done
  return 1
}
strip_source() { sed 's/,"source":"[^"]*"}$/}/' "$@"; }

"$gen" --bytes 20M --seed 7 > corpus.jsonl 2>/dev/null
"$silt" batch -q corpus.jsonl > expected.jsonl
check "an uninterrupted run labels every record" test "$(wc -l < expected.jsonl)" -eq "$(wc -l < corpus.jsonl)"

# -o is atomic: killed mid-run, it leaves FILE.partial and no FILE; --resume finishes it
# without duplicates.
mkfifo feed
"$silt" batch -q --no-progress -o out.jsonl feed &
pid=$!
{
  head -n 2000 corpus.jsonl
  wait_for 20 test -s out.jsonl.partial
  sleep 0.2
  kill -9 "$pid"
} > feed
wait "$pid" 2>/dev/null
check "a killed run leaves no out.jsonl" test ! -e out.jsonl
check "a killed run leaves out.jsonl.partial with records" test -s out.jsonl.partial
done_before=$(wc -l < out.jsonl.partial)
printf '{"id":"cut off mid-rec' >> out.jsonl.partial  # as if killed mid-write
"$silt" batch --no-progress -o out.jsonl --resume corpus.jsonl 2> resume.err
check "resume completes out.jsonl" test -e out.jsonl -a ! -e out.jsonl.partial
total=$(wc -l < expected.jsonl)
check "the summary counts this run's labels and those before the resume ($done_before)" \
  grep -q "silt batch: $total records read, $((total - done_before)) labeled in this run ($done_before before the resume)" resume.err
check "... and says its category counts are this run's" grep -q "^  categories (this run):" resume.err
check "resume gives exactly the uninterrupted output (no duplicates, no gaps; $done_before were kept)" \
  cmp -s <(strip_source out.jsonl) <(strip_source expected.jsonl)

# SIGTERM (as Ctrl-C): the records read are written whole, a line says how far it got and
# how to go on; a plain re-run refuses to throw FILE.partial away; --restart does.
mkfifo feed3
"$silt" batch -q --no-progress -o int.jsonl feed3 2> int.err &
pid=$!
{
  head -n 2000 corpus.jsonl
  wait_for 20 test -s int.jsonl.partial
  kill -TERM "$pid"
  sleep 0.3
  sed -n '2001,3000p' corpus.jsonl
} > feed3
wait "$pid"
check "an interrupted run exits 143 on SIGTERM" test $? -eq 143
check "it leaves FILE.partial, no FILE" test ! -e int.jsonl -a -s int.jsonl.partial
check "it says how far it got and how to go on" grep -q "interrupted (SIGTERM) after .* records read.*" int.err
check "the line to go on with is printed" grep -qx "  silt batch -q --no-progress -o int.jsonl feed3 --resume" int.err
check "every record written is whole" test "$(tail -c 1 int.jsonl.partial | od -An -c | tr -d ' ')" = '\n'
# A run given --resume and interrupted: the line to go on with has it once.
mkfifo feed4
"$silt" batch -q --no-progress -o int4.jsonl --resume feed4 2> int4.err &
pid=$!
{
  head -n 2000 corpus.jsonl
  wait_for 20 test -s int4.jsonl.partial
  kill -TERM "$pid"
  sleep 0.3
} > feed4
wait "$pid"
check "a resumed run interrupted says --resume once" grep -qx "  silt batch -q --no-progress -o int4.jsonl --resume feed4" int4.err
cp int.jsonl.partial kept.partial
"$silt" batch -q --no-progress -o int.jsonl corpus.jsonl 2> rerun.err
check "a plain re-run refuses to discard FILE.partial (exit 2)" test $? -eq 2
check "and says --resume or --restart" grep -q -- "--resume goes on from it, --restart discards it" rerun.err
check "and leaves FILE.partial as it was" cmp -s int.jsonl.partial kept.partial
"$silt" batch -q --no-progress -o int.jsonl --resume corpus.jsonl
check "--resume after an interruption gives the uninterrupted output" \
  cmp -s <(strip_source int.jsonl) <(strip_source expected.jsonl)
cp kept.partial again.jsonl.partial
"$silt" batch -q --no-progress -o again.jsonl --restart corpus.jsonl
check "--restart discards FILE.partial and labels everything" \
  cmp -s <(strip_source again.jsonl) <(strip_source expected.jsonl)
"$silt" batch -q --resume --restart -o again.jsonl corpus.jsonl 2> /dev/null
check "--resume with --restart is a usage error" test $? -eq 2

# stdin streams record by record: the first result comes out before the second record
# is even written.
mkfifo in2 out2
"$silt" batch -q - < in2 > out2 &
exec 3> in2 4< out2
head -n 1 corpus.jsonl >&3
read -r -t 20 first <&4
check "the first record's result comes out while stdin is still open" test -n "${first:-}"
sed -n 2p corpus.jsonl >&3
exec 3>&-
read -r -t 20 second <&4
check "and the second after it" test -n "${second:-}"
exec 4<&-

# GNU parallel --pipe splits stdin across processes; -k keeps the order.
if command -v parallel > /dev/null; then
  parallel --will-cite --pipe --block 8M -k -N 500 "$silt" batch -q - < corpus.jsonl > par.jsonl
  check "GNU parallel --pipe gives the same records in the same order" \
    cmp -s <(strip_source par.jsonl) <(strip_source expected.jsonl)
else
  echo "GNU parallel not installed: its test is skipped"
fi

# Exit codes, the rejects file, --fail-fast.
printf '%s\n' '{"number":1,"title":"Memory leak"}' '{"number":2,"title":"cut' '[]' '{"number":4,"title":"Wrong shape"}' > mixed.jsonl
"$silt" batch -q mixed.jsonl --rejects rej.txt > mixed.out
code=$?
check "exit 3 when records were rejected" test "$code" -eq 3
check "the good records all come out" test "$(wc -l < mixed.out)" -eq 2
check "the rejects file holds the bad records unchanged" cmp -s rej.txt <(printf '%s\n' '{"number":2,"title":"cut' '[]')
"$silt" batch -q mixed.jsonl --fail-fast -o ff.jsonl
code=$?
check "--fail-fast exits 3" test "$code" -eq 3
check "--fail-fast keeps what it wrote in FILE.partial, not FILE" test ! -e ff.jsonl -a "$(wc -l < ff.jsonl.partial)" -eq 1
"$silt" batch -q corpus.jsonl -o ok.jsonl
check "exit 0 when every record is good, and FILE is whole" test $? -eq 0 -a -e ok.jsonl -a ! -e ok.jsonl.partial
"$silt" batch -q does-not-exist.jsonl > /dev/null 2>&1
check "exit 3 for an input that cannot be opened" test $? -eq 3
"$silt" batch -q --resume corpus.jsonl > /dev/null 2>&1
check "exit 2 for --resume without -o" test $? -eq 2

# A signal while the input is still open, then the end of input (in a pipeline, Ctrl-C
# stops the writer too): the run is interrupted, not complete (it exited 0 with a
# truncated FILE). SIGTERM here: a background job of a script ignores SIGINT.
(head -n 50 corpus.jsonl; sleep 2) | "$silt" batch -q --no-progress -o late.jsonl - 2> late.err &
pid=$!
wait_for 20 test -s late.jsonl.partial
kill -TERM "$pid" 2>/dev/null
wait "$pid"
code=$?
check "a signal before the end of input: exit 143" test "$code" -eq 143
check "... FILE.partial kept, no FILE" test -s late.jsonl.partial -a ! -e late.jsonl

# --resume checks that the partial output is this run's: another input, or another
# format, is refused (exit 2) and the partial kept as it was.
head -n 300 corpus.jsonl > first300.jsonl
"$silt" batch -q first300.jsonl -o other.jsonl && mv other.jsonl other.jsonl.partial
cp other.jsonl.partial other.before
tail -n 400 corpus.jsonl > last400.jsonl
"$silt" batch -q last400.jsonl -o other.jsonl --resume 2> other.err
check "resume from another input's output: exit 2" test $? -eq 2
check "... says whose output it is" grep -q "(first300.jsonl:300), this run's record 300 is" other.err
check "... the partial is kept as it was" cmp -s other.jsonl.partial other.before
head -n 100 corpus.jsonl > first100.jsonl
"$silt" batch -q first100.jsonl -o other.jsonl --resume 2> fewer.err
check "resume with fewer records than the partial holds: exit 2" test $? -eq 2
check "... says so" grep -q "it holds 300 records, the inputs only 100 good ones" fewer.err
check "... no FILE" test ! -e other.jsonl
"$silt" batch -q -f csv first300.jsonl -o other.jsonl --resume 2> fmt.err
check "resume in another format: exit 2" test $? -eq 2
check "... names the format" grep -q "JSON Lines, not CSV" fmt.err
"$silt" batch -q first300.jsonl -o other.jsonl --resume
check "the same input resumes: exit 0, whole" test $? -eq 0 -a "$(wc -l < other.jsonl)" -eq 300

# --resume checks the options too: FILE.partial.options keeps those that decide what the
# records hold; another --pack, an answer, another --taxonomy is refused (exit 2) and the
# partial kept. The options file goes when the run completes.
{ head -n 100 first300.jsonl; echo '{"bad'; tail -n 200 first300.jsonl; } > opt.in
"$silt" batch -q opt.in -o opt.jsonl --fail-fast 2> /dev/null  # stops after 100 records
check "a run stopped keeps its options beside FILE.partial" grep -qx -- "--format jsonl" opt.jsonl.partial.options
"$silt" batch -q opt.in > opt.full 2> /dev/null
"$silt" batch -q opt.in -o opt.jsonl --resume --pack pytorch --results 2> opt.err
check "resume with other options: exit 2" test $? -eq 2
check "... names what changed" grep -q "this run has --pack pytorch, --results" opt.err
check "... says to run with the options that wrote it" grep -q "Run with the options that wrote it, or --restart" opt.err
check "... the partial is kept" test "$(wc -l < opt.jsonl.partial)" -eq 100 -a ! -e opt.jsonl
"$silt" batch -q opt.in -o opt.jsonl --resume -j 1 --no-progress 2> /dev/null
check "-j, --fail-fast, progress and the like are no such options: resumed, whole" cmp -s opt.jsonl opt.full
check "... and the options file is gone" test ! -e opt.jsonl.partial.options

# --resume on a complete FILE (no FILE.partial): nothing tells which inputs and options
# wrote it, so it is refused (exit 2) and FILE left as it is, nothing beside it.
"$silt" batch -q first300.jsonl -o done.jsonl && cp done.jsonl done.full
"$silt" batch -q first300.jsonl -o done.jsonl --resume 2> done.err
check "resume of a complete FILE: exit 2" test $? -eq 2
check "... says it is complete and how to label again" grep -q "done.jsonl is complete .*run without --resume" done.err
check "... FILE unchanged" cmp -s done.jsonl done.full
check "... nothing left beside it" test ! -e done.jsonl.partial -a ! -e done.jsonl.partial.options
# A run stopped before its first records were written leaves an empty FILE.partial and
# its options: the --resume it prints starts afresh, even beside a complete FILE.
cp done.full early.jsonl
(sleep 3) | "$silt" batch -q --no-progress -o early.jsonl - 2> early.err &
pid=$!
wait_for 20 test -e early.jsonl.partial.options
kill -TERM "$pid"
wait "$pid"
check "stopped before any record: exit 143, the options kept" test $? -eq 143 -a -e early.jsonl.partial.options
"$silt" batch -q -o early.jsonl --resume first100.jsonl
check "... its --resume starts afresh: exit 0, whole, no options file left" \
  test $? -eq 0 -a "$(wc -l < early.jsonl)" -eq 100 -a ! -e early.jsonl.partial.options
# The pack map's own content counts: another default pack is refused on --resume.
mkdir -p mypacks
printf 'schema: silt/packs/v1\ndefault: generic\npacks:\n  generic:\n    rules: generic-fitted.yaml\n    repositories: []\n  pytorch:\n    rules: pytorch-fitted.yaml\n    repositories: [pytorch/*]\n' > mypacks/packs.yaml
"$silt" batch -q opt.in -o pk.jsonl --packs mypacks/packs.yaml --fail-fast 2> pk0.err
sed -i 's/^default: generic/default: pytorch/' mypacks/packs.yaml
"$silt" batch -q opt.in -o pk.jsonl --packs mypacks/packs.yaml --resume 2> pk.err
check "resume after the pack map changed: exit 2, naming it" test $? -eq 2 -a -n "$(grep -l 'packs mypacks/packs.yaml' pk.err)"

# A run that cannot start (its rejects file cannot be written) leaves no options file.
"$silt" batch -q first300.jsonl -o nostart.jsonl --rejects /nonexistent-dir/r.txt 2> /dev/null
check "a run that cannot start: exit 4, no options file" test $? -eq 4 -a ! -e nostart.jsonl.partial.options
# A FIFO as -o: a file named like its options file is not the run's to remove.
mkfifo fifo.out && echo mine > fifo.out.options
(cat fifo.out > /dev/null &) && "$silt" batch -q first100.jsonl -o fifo.out
check "-o FIFO leaves FIFO.options alone" grep -qx mine fifo.out.options

# A disk that fills: exit 4, the error said once, and how to go on once there is room;
# --resume then finishes it whole. Needs a small tmpfs (root, a mount namespace).
if mkdir -p small && mount -t tmpfs -o size=256k tmpfs small 2> /dev/null; then
  "$silt" batch -q first300.jsonl -o small/full.jsonl 2> full.err
  check "a full disk: exit 4" test $? -eq 4
  check "... the error once" test "$(grep -o 'write failed' full.err | wc -l)" -eq 1
  check "... and how to go on" grep -qx "  silt batch -q first300.jsonl -o small/full.jsonl --resume" full.err
  mount -o remount,size=4m small
  "$silt" batch -q first300.jsonl -o small/full.jsonl --resume
  check "... resumed once there is room: whole" cmp -s small/full.jsonl done.full
  umount small
else
  echo "no tmpfs could be mounted (not root?): the full-disk test is skipped"
fi

# A closing bracket of the wrong kind inside an array ends the bad element and the array:
# the next array (gh --paginate's next page) is read as one (its record was rejected).
printf '[{"title":"a","body":"b"},\n {"title": ]\n[{"title":"e","body":"f"}]\n' > pages.json
"$silt" batch -f csv pages.json > pages.csv 2> pages.err
check "a bad element: exit 3" test $? -eq 3
check "... the next page's record is labeled" grep -q ',e,pages.json' pages.csv
check "... only the bad element is rejected" test "$(grep -c 'rejected, ' pages.err)" -eq 1

# -o /dev/stdout in a pipeline: written through the link to the pipe (it was "a symbolic
# link to nothing that exists").
check "-o /dev/stdout into a pipe" test "$("$silt" batch -q first100.jsonl -o /dev/stdout | wc -l)" -eq 100

# --rejects and -o naming one file: a usage error before either is created.
"$silt" batch -q first100.jsonl --rejects same.out -o same.out 2> same.err
check "--rejects X -o X: exit 2" test $? -eq 2
check "... nothing created" test ! -e same.out -a ! -e same.out.partial

# Resume where records have no id of their own: CSV rows (named by their line), array
# elements read from stdin then from the file (named by their index); gh output, whose
# "# ...: no label" lines are its own; records cut at the end. Each resumes whole.
printf 'title,body\nloss is wrong,after reload\nshape wrong,dims\nslow,very slow\n' > noid.csv
"$silt" batch -q noid.csv -o noid.jsonl && head -n 2 noid.jsonl > noid.jsonl.partial && cp noid.jsonl noid.full && rm noid.jsonl
"$silt" batch -q noid.csv -o noid.jsonl --resume
check "CSV rows without ids resume: exit 0, whole" test $? -eq 0 -a -e noid.jsonl
check "... the same as an uninterrupted run" cmp -s noid.jsonl noid.full
printf '[{"title":"a","body":"b"},{"title":"shape wrong","body":"x"},{"title":"c","body":"d"}]\n' > elems.json
"$silt" batch -q - -o elems.jsonl < elems.json && head -n 2 elems.jsonl > elems.jsonl.partial && rm elems.jsonl
"$silt" batch -q elems.json -o elems.jsonl --resume
check "array elements, stdin then the file: resumed" test $? -eq 0 -a "$(wc -l < elems.jsonl)" -eq 3
"$silt" batch -q noid.csv -f gh -o gh.sh
head -n 2 gh.sh > gh.sh.partial && cp gh.sh gh.full && rm gh.sh
"$silt" batch -q noid.csv -f gh -o gh.sh --resume
check "gh output (its '# ...' lines too) resumes whole" cmp -s gh.sh gh.full
# A refused resume leaves no rejects file of its own behind.
"$silt" batch -q first100.jsonl -o rr.jsonl && mv rr.jsonl rr.jsonl.partial
"$silt" batch -q last400.jsonl -o rr.jsonl --rejects rr.rej --resume 2> /dev/null
check "a refused resume: exit 2, no rejects partial" test $? -eq 2 -a ! -e rr.rej.partial -a ! -e rr.rej

# Two objects on a line, one with a big integer: two records (the second was once dropped
# silently), each with an id of its own (the second's names its column).
printf '%s\n' '{"title":"a","body":"b","n":123456789012345678901234567890}{"title":"c","body":"d"}' > two.jsonl
"$silt" batch -q two.jsonl -f csv > two.out 2> /dev/null
check "two objects on a line, one with a big integer: both labeled, exit 0" test $? -eq 0
check "two objects on a line: ids two.jsonl:1 and two.jsonl:1:60" \
  test "$(cut -d, -f1 two.out | tail -n +2 | tr '\n' ' ')" = "two.jsonl:1 two.jsonl:1:60 "

# An element over --max-record skipped across a read block (1 MiB), the next block
# starting with a '[' inside it: only that element is rejected (the bracket check read the
# block's first byte for the value's opener, and made three bad records of the rest).
pre='[\n{"title":"a","body":"'
mid='","labels":'
n=$((1048576 - $(printf "$pre" | wc -c) - ${#mid}))
{
  printf "$pre"
  head -c "$n" /dev/zero | tr '\0' x
  printf '%s' "$mid"
  printf '["bug"]},\n{"title":"b","body":"c"},\n{"title":"d","body":"e"}]\n'
} > edge.json
"$silt" batch --max-record 512K -f csv edge.json > edge.csv 2> edge.err
check "a skipped element across a block: one reject" test "$(grep -c 'rejected, ' edge.err)" -eq 1
check "... the two after it labeled, as elements" test "$(grep -c '^edge.json\[' edge.csv)" -eq 2

# Pull requests (the issues endpoints list them): left out and counted, exit 0; labeled
# with --pull-requests; a resume counts them as not written.
printf '%s\n' '{"number":1,"title":"loss wrong","body":"b","html_url":"https://github.com/o/r/issues/1"}' \
  '{"number":2,"title":"Fix loss","body":"b","html_url":"https://github.com/o/r/pull/2","pull_request":{"url":"x"}}' \
  '{"number":3,"title":"x","body":"y","pull_request":null}' > prs.jsonl
"$silt" batch -f csv prs.jsonl > prs.csv 2> prs.err
check "pull requests left out: exit 0" test $? -eq 0
check "... the two issues labeled, the PR not" test "$(grep -c '^o/r#2,' prs.csv)" -eq 0 -a "$(wc -l < prs.csv)" -eq 3
check "... counted in the summary" grep -q "1 pull requests left out" prs.err
check "--pull-requests labels them" test "$("$silt" batch -q -f csv --pull-requests prs.jsonl | wc -l)" -eq 4
"$silt" batch -q prs.jsonl -o prs.jsonl.out && head -n 1 prs.jsonl.out > prsr.jsonl.partial && cp prs.jsonl.out prsr.full
"$silt" batch -q prs.jsonl -o prsr.jsonl --resume
check "a resume past a pull request: whole" cmp -s prsr.jsonl prsr.full

# -j out of range is a usage error before anything is written (it aborted on -1).
for j in -1 257 4294967295; do
  "$silt" batch -q -j "$j" -o jobs.jsonl corpus.jsonl > /dev/null 2> jobs.err
  check "exit 2 for -j $j" test $? -eq 2
  check "-j $j: no output file, whole or partial" test ! -e jobs.jsonl -a ! -e jobs.jsonl.partial
  check "-j $j: the message says the range" grep -q -- "--jobs takes 0 (one per core) to 256" jobs.err
done

# A UTF-8 byte order mark before JSON Lines, and records with numbers past 64 bits: read.
{
  printf '\xEF\xBB\xBF'
  printf '%s\n' '{"number":1,"title":"loss is wrong after reload","body":"the accuracy drops after loading"}'
  printf '%s\n' '{"number":2,"title":"t","body":"b","extra":100000000000000000000000000000}'
  printf '%s\n' '{"number":18446744073709551616,"title":"shape is wrong","body":"b"}'
} > bom.jsonl
"$silt" batch -q bom.jsonl > bom.out 2> bom.err
check "a BOM and big integers: exit 0" test $? -eq 0
check "a BOM and big integers: every record labeled" test "$(wc -l < bom.out)" -eq 3
check "the record after the BOM keeps its id" grep -q '"id":"#1"' bom.out
check "a number past 64 bits is kept as its digits" grep -q '"id":"#18446744073709551616"' bom.out
printf '\xEF\xBB\xBF[{"number":5,"title":"T"}]\n' > bom.json
"$silt" batch -q --input-format auto bom.json > bomj.out 2>&1
check "a BOM before a JSON array: told apart by content, read" grep -q '"id":"#5"' bomj.out

# Progress: forced on a non-terminal with --progress, absent by default there.
"$silt" batch --progress corpus.jsonl 2> prog.err > /dev/null
check "--progress draws a bar with records and MB/s" grep -q "records.*MB/s" prog.err
"$silt" batch corpus.jsonl 2> noprog.err > /dev/null
check "no progress bar when stderr is not a terminal" test "$(grep -c $'\r' noprog.err)" -eq 0
check "the summary is printed" grep -q "records read" noprog.err

# CSV output, resumed from a partial CSV.
"$silt" batch -q -f csv corpus.jsonl > full.csv
head -n 100 full.csv > part.csv.partial
printf '"cut,' >> part.csv.partial
"$silt" batch -q -f csv --resume -o part.csv corpus.jsonl
check "a resumed CSV output equals the uninterrupted one" cmp -s part.csv full.csv

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
