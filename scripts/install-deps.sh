#!/usr/bin/env bash
# Installs the Debian 12 packages silt needs, and nothing else: the build and runtime
# set by default (what `make run` needs), and with --test also what the test suite,
# the fuzzers and the benchmark use (what `make test` needs).
# Idempotent: checks with dpkg first and calls apt-get only for what is missing.
# Exit 0 when everything is present afterwards, 1 when it could not install, 2 on usage.
set -euo pipefail

run_packages=(
  g++ cmake make pkg-config            # toolchain
  libyaml-cpp-dev                      # taxonomy and rules YAML
  libfyaml-dev                         # YAML syntax checked strictly (what yaml-cpp lets through)
  libboost-program-options-dev         # command line
  libspdlog-dev libfmt-dev             # diagnostics on stderr, formatting
  libre2-dev                           # rule patterns (linear-time regex)
  libhyperscan-dev                     # one scan for every rule (x86-64; built-in databases at build time)
  libsimdjson-dev                      # its UTF-8 validator only (silt::valid_utf8)
  rapidjson-dev                        # every JSON read (json_read.h) and written (silt::JsonWriter)
  nlohmann-json3-dev                   # tests and the bench generator only: an independent JSON reader
  libtbb-dev                           # the batch pipeline (ordered, parallel)
  libcsv-dev                           # CSV input and output
  libmd4c-dev                          # reading issue bodies (GitHub-flavoured Markdown)
  libedit-dev                          # editable prompts in silt triage
)
test_packages=(
  git                                  # tests read the tree through git (format check, calibration history)
  catch2                               # unit tests (v2)
  clang-format                         # style check run by the test suite
  clang libclang-rt-14-dev             # the clang build check, libFuzzer, ASan and UBSan (make fuzz)
  parallel                             # GNU parallel, for the test of the --pipe form
  time                                 # /usr/bin/time: peak RSS in bench/run.sh
  chromium                             # headless: the test of silt report's HTML
  tmux                                 # the test of silt triage at a terminal
)

packages=("${run_packages[@]}")
case "${1:-}" in
  "") ;;
  --test) packages+=("${test_packages[@]}") ;;
  *) echo "usage: scripts/install-deps.sh [--test]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then sudo="sudo"; else
    echo "install-deps: not root and no sudo; run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
