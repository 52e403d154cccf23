#!/usr/bin/env bash
# Hostile input through the CLI (issue 10): outputs that are devices, FIFOs, inputs or
# locked by another run; a shell injection through --emit gh; a stray bracket that used
# to loop forever; nesting that overflowed the stack; a rules file without ids; failed
# writes; unbalanced CSV quotes; escape sequences for the terminal; records over the size
# limit; triage's labels file. Every check here failed before its fix.
# Usage: hostile_input_test.sh SILT
set -uo pipefail
silt=$(realpath "$1")
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
code_of() { "$@" > /dev/null 2>&1; echo $?; }
code_to_full() { "$@" > /dev/full 2> /dev/null; echo $?; }
printf '%s\n' '{"number":1,"title":"Wrong output shape","body":"the shape is (None, 2) not (None, 3)"}' > one.jsonl
cp one.jsonl one.keep

# 1. -o never replaces a device or a FIFO. A private copy of /dev/null (mknod needs
# root), so a regression cannot break the machine's own.
if mknod ./null c 1 3 2> /dev/null; then
  "$silt" batch -q one.jsonl -o ./null
  check "-o on a device exits 0" test $? -eq 0
  check "-o on a device leaves it a device" test -c ./null
  "$silt" batch -q '{bad' -o ./null 2> /dev/null
  check "a rejected input leaves the device a device too" test -c ./null
else
  echo "not root: the device check is skipped"
fi
mkfifo fifo
cat fifo > fifo.out &
reader=$!
"$silt" batch -q one.jsonl -o fifo
check "-o on a FIFO exits 0" test $? -eq 0
wait "$reader"
check "-o on a FIFO writes through it and leaves it a FIFO" test -p fifo -a "$(wc -l < fifo.out)" -eq 1
check "an unreadable input creates no output" test "$(code_of "$silt" batch -q nosuch.jsonl -o out.jsonl)" -eq 3
check "... not even a partial one" test ! -e out.jsonl -a ! -e out.jsonl.partial
check "--rejects naming the input is refused" test "$(code_of "$silt" batch -q one.jsonl --rejects one.jsonl)" -eq 2
check "-o naming the input is refused" test "$(code_of "$silt" batch -q one.jsonl -o one.jsonl)" -eq 2
check "... and the input is intact" cmp -s one.jsonl one.keep
ln -s target.jsonl link.jsonl
echo old > target.jsonl
"$silt" batch -q one.jsonl -o link.jsonl
check "-o through a symbolic link replaces the file it names and keeps the link" \
  test -L link.jsonl -a "$(wc -l < target.jsonl)" -eq 1

# 2. No shell injection through --emit gh.
printf '%s\n' '{"id":"x\ntouch PWNED #","title":"zz","body":"nothing"}' \
  '{"number":"7\ntouch PWNED2","repository_url":"https://api.github.com/repos/o/r","title":"zz","body":"b"}' \
  '{"number":8,"html_url":"https://github.com/o;touch PWNED3;/r/issues/8","title":"Wrong shape","body":"b"}' > inject.jsonl
mkdir -p bin
printf '#!/bin/sh\necho "gh $*" >> gh.log\n' > bin/gh
chmod +x bin/gh
"$silt" batch -q --emit gh --label-all inject.jsonl > inject.sh
PATH="$work/bin:$PATH" sh inject.sh
check "ids with newlines run nothing when the gh output is piped to sh" test ! -e PWNED -a ! -e PWNED2 -a ! -e PWNED3
check "one line a record, each a comment here" test "$(grep -c '^# ' inject.sh)" -eq 3 -a "$(wc -l < inject.sh)" -eq 3

# 4. A closing bracket at the top level does not loop forever.
for input in '[1]]' ']' '}' '[}' '[1]] {"title":"after","body":"b"}'; do
  printf '%s' "$input" > stray.json
  timeout 20 "$silt" batch -q --input-format json stray.json > /dev/null 2>&1
  code=$?
  check "batch on '$input' ends (exit 3, not a timeout)" test "$code" -eq 3
done
printf '[1]] {"title":"after","body":"wrong shape"}' | timeout 20 "$silt" batch -q - > after.jsonl 2> /dev/null
check "and reads the record after the stray bracket" grep -q '"title":"after"' after.jsonl

# 5. Deep nesting in a big record (the in-place parse path) is a reject, not a crash;
# the good records around it come out.
{
  echo '{"number":1,"title":"good","body":"wrong shape"}'
  printf '{"title":"deep","body":'
  head -c 300000 /dev/zero | tr '\0' '['
  head -c 300000 /dev/zero | tr '\0' ']'
  head -c 9000000 /dev/zero | tr '\0' ' '
  echo '}'
  echo '{"number":3,"title":"good too","body":"x"}'
} > deep.jsonl
"$silt" batch deep.jsonl -o deep.out 2> deep.err
check "deep nesting: exit 3" test $? -eq 3
check "deep nesting: both good records come out" test "$(wc -l < deep.out)" -eq 2
check "deep nesting: rejected as too-deep" grep -q "too-deep" deep.err

# 6. A rule without an id is a diagnostic, not an abort.
printf 'schema: silt/rules/v1\nrules:\n  - category: wrong-shape\n    pattern: foo\n' > noid.yaml
"$silt" validate --rules noid.yaml > noid.out 2>&1
check "a rule without id: exit 2" test $? -eq 2
check "a rule without id: missing-key with file:line" grep -q "noid.yaml:3:5: error\[missing-key\]" noid.out

# 7. Failed writes are reported.
if [ -w /dev/full ]; then
  for cmd in "classify one.jsonl" "batch -q one.jsonl" "taxonomy show" "validate" "rules test" \
    "explain one.jsonl" "labels --repo o/r" "--help"; do
    # shellcheck disable=SC2086
    check "silt $cmd > /dev/full exits 4" test "$(code_to_full "$silt" $cmd)" -eq 4
  done
  "$silt" classify one.jsonl > /dev/full 2> full.err
  check "and says so" grep -q "write failed" full.err
  printf '%s\n' '{"bad' >> one.bad.jsonl
  check "--rejects /dev/full exits 4" test "$(code_of "$silt" batch -q one.bad.jsonl --rejects /dev/full)" -eq 4
else
  echo "no /dev/full: the write-failure checks are skipped"
fi

# 8. An unbalanced CSV quote is a reject, and the rows after it still come out.
printf 'id,title,body\nA,"good,wrong shape\nB,second,x\nC,third,"y"\n' > quote.csv
"$silt" batch quote.csv -f csv --rejects quote.rej > quote.out 2> quote.err
check "unbalanced quote: exit 3" test $? -eq 3
check "unbalanced quote: the next rows are labeled" test "$(grep -c '^[BC],' quote.out)" -eq 2
check "unbalanced quote: the bad row is a csv-syntax reject at its line" grep -q "quote.csv:2: rejected, csv-syntax" quote.err
check "unbalanced quote: the rejects file holds its line" cmp -s quote.rej <(printf 'A,"good,wrong shape\n')
printf 'item,rater,category\ni1,a,"wrong-shape\ni2,a,wrong-calculation\ni1,b,wrong-shape\ni2,b,wrong-calculation\n' > quote-labels.csv
"$silt" agree quote-labels.csv --bootstrap 10 > agree.out 2> agree.err
check "labels: exit 3 on a malformed row" test $? -eq 3
check "labels: the row is named" grep -q "quote-labels.csv:2:.*csv-syntax" agree.err
check "labels: the rows after it are read (both raters of i2)" grep -q "raters: a, b" agree.out

# 3. Duplicate columns: an error with file:line, exit 3, in every CSV reader.
printf 'item,ann,ann\ni1,wrong-shape,wrong-calculation\n' > dup-wide.csv
check "wide labels with a rater twice: exit 3 (no crash)" test "$(code_of "$silt" agree --wide dup-wide.csv)" -eq 3
printf 'item,rater,category,category\ni1,a,wrong-shape,wrong-calculation\n' > dup-long.csv
"$silt" agree dup-long.csv > dup.out 2> dup.err
check "long labels with category twice: exit 3" test $? -eq 3
check "... naming line 1 and both columns" grep -q "dup-long.csv:1: .*'category' twice (columns 3 and 4)" dup.err
check "... and printing no figures" test ! -s dup.out
printf 'id,category,category\nx,wrong-shape,wrong-shape\n' > dup-gold.csv
check "gold with category twice: exit 3" test "$(code_of "$silt" eval --gold dup-gold.csv one.jsonl)" -eq 3
printf 'id,title,title,body\n1,a,b,c\n' > dup-batch.csv
check "batch CSV with title twice: exit 3" test "$(code_of "$silt" batch -q dup-batch.csv)" -eq 3

# 9. Two runs writing the same -o: the second refuses, the first's output is whole.
mkfifo feed
"$silt" batch -q -o shared.jsonl feed &
first=$!
exec 5> feed
sleep 0.5
"$silt" batch -q one.jsonl -o shared.jsonl 2> second.err
check "a second run on the same -o exits 2" test $? -eq 2
check "... saying the partial output is locked" grep -q "being written by another run" second.err
printf '%s\n' '{"number":2,"title":"Progress bar too long","body":"b"}' >&5
exec 5>&-
wait "$first"
check "the first run finishes with its own record only" test "$(wc -l < shared.jsonl)" -eq 1 -a ! -e shared.jsonl.partial

# 10. Escape sequences from the text never reach the terminal raw; records over
# --max-record are rejected with their size; directories are named as such.
printf '%s\n' '{"number":5,"title":"Shape \u001b]0;owned\u0007 wrong \u001b[2J","body":"the shape is wrong \u202e drawkcab"}' > esc.jsonl
for how in "classify esc.jsonl" "classify -f table esc.jsonl" "explain esc.jsonl"; do
  # shellcheck disable=SC2086
  NO_COLOR=1 "$silt" $how > esc.out 2>&1
  check "silt $how prints no ESC or BEL byte" test "$(tr -d -c '\033\007' < esc.out | wc -c)" -eq 0
done
NO_COLOR=1 "$silt" classify esc.jsonl > esc.out 2>&1
check "classify shows them escaped" grep -qF '\x1b]0;owned\x07 wrong \x1b[2J' esc.out
NO_COLOR=1 "$silt" explain esc.jsonl > esc.out 2>&1
check "explain shows a bidirectional override escaped" grep -qF '\u202e' esc.out
{
  echo '{"number":1,"title":"good","body":"wrong shape"}'
  printf '{"title":"big","body":"'
  head -c 3000000 /dev/zero | tr '\0' 'x'
  echo '"}'
  echo '{"number":3,"title":"good too","body":"x"}'
} > big.jsonl
"$silt" batch big.jsonl --max-record 1M -o big.out --rejects big.rej 2> big.err
check "a record over --max-record: exit 3" test $? -eq 3
check "... the others come out" test "$(wc -l < big.out)" -eq 2
check "... rejected as too-large with its size" grep -q "big.jsonl:2: rejected, too-large: the record is 2 MiB (3000025 bytes)" big.err
check "... and kept whole in the rejects file" cmp -s big.rej <(sed -n 2p big.jsonl)
"$silt" classify big.jsonl --max-record 1M > /dev/null 2> big-classify.err
check "classify refuses a file over --max-record: exit 3" test $? -eq 3
check "... saying its size and the limit" grep -q "over the limit of 1 MiB" big-classify.err
check "a bad --max-record is a usage error" test "$(code_of "$silt" batch -q one.jsonl --max-record 12Q)" -eq 2
mkdir adir
"$silt" agree adir 2> dir.err
check "a directory given for a labels file: exit 3" test $? -eq 3
check "... named as a directory, not as empty" grep -q "a directory" dir.err

# 11. Triage's labels file: a last line without newline keeps its label; an id with
# spaces around it is not asked again on resume; the labels file cannot be an input.
printf '%s\n' '{"id":"  i1  ","title":"Wrong shape","body":"b"}' '{"id":"i2","title":"Slow fit","body":"b"}' > tri.jsonl
printf 'item,rater,category,impact,ui,model-info,model-operation,results,silent,note,labeled_at\n' > tri.csv
printf 'i0,ann,wrong-shape,2,no,yes,no,no,,hand-made,2026-01-01T00:00:00Z' >> tri.csv  # no final newline
printf '\n\n\n\n\n\n\n\n\n\n\n\n\n\n' > answers.txt
"$silt" triage tri.jsonl -o tri.csv --rater ann --suggest --answers answers.txt > /dev/null 2>&1
check "triage: the hand-made last row keeps its own line" test "$(grep -c '^i0,ann,wrong-shape,2,no,yes,no,no,,hand-made,2026-01-01T00:00:00Z$' tri.csv)" -eq 1
check "triage: two new rows" test "$(wc -l < tri.csv)" -eq 4
"$silt" triage tri.jsonl -o tri.csv --rater ann --suggest --answers answers.txt > resume.out 2>&1
check "triage: nothing is asked again on resume (the spaced id included)" grep -q "^0 issue(s) to label" resume.out
check "triage: the labels file cannot be one of the issues files" \
  test "$(code_of "$silt" triage tri.csv -o tri.csv --rater ann --answers answers.txt)" -eq 2

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
