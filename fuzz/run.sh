#!/usr/bin/env bash
# Builds the libFuzzer targets (clang 14, ASan + UBSan) in build-fuzz/ and runs each one.
#
#   fuzz/run.sh                   short run: a fixed number of inputs per target, fixed seed
#                                 (what tests/run-tests.sh runs; about 30 s per target at most)
#   fuzz/run.sh --iterations N    N inputs per target instead
#   fuzz/run.sh --long            10 minutes per target, random seed (long mode)
#   fuzz/run.sh --seconds S       S seconds per target, random seed
#
# Seeds: the real Twilio bodies (tests/fixtures/twilio), the hostile corpus
# (tests/fixtures/hostile) and the config seeds (deploy/insights-sync.example.toml,
# fuzz/seeds/config_loader). Inputs the fuzzer finds interesting go to a scratch corpus, never
# into the repository. A crashing input is written to build-fuzz/fuzz-artifacts/ and the script
# exits non-zero: fix the bug, then add the input to tests/fixtures/hostile/ (page parser) or
# fuzz/seeds/config_loader/ + tests/core/hostile_config_test.cpp (config loader).
# Environment: FUZZ_BUILD_DIR (default build-fuzz), CXX_FUZZ (default clang++-14), JOBS.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
cxx=${CXX_FUZZ:-clang++-14}
jobs=${JOBS:-$(nproc)}

iterations=100000
seconds=""
seed=1
while [ $# -gt 0 ]; do
  case "$1" in
    --iterations) iterations=$2; shift 2 ;;
    --long) seconds=600; seed=0; shift ;;
    --seconds) seconds=$2; seed=0; shift 2 ;;
    *) echo "usage: fuzz/run.sh [--iterations N | --long | --seconds S]" >&2; exit 2 ;;
  esac
done

fail() { echo "fuzz: $*" >&2; exit 1; }

# A missing toolchain is a failure, not a skip: CI must not pass without fuzzing.
command -v "$cxx" >/dev/null ||
  fail "$cxx not found: install clang-14 (deploy/install-deps.sh does)"
runtime="$("$cxx" -print-resource-dir)/lib/linux/libclang_rt.fuzzer-x86_64.a"
[ -f "$runtime" ] ||
  fail "libFuzzer runtime $runtime not found: install libclang-rt-14-dev (deploy/install-deps.sh does)"

echo "fuzz: building in $build with $("$cxx" --version | head -1)"
# Warnings are errors here as in tests/run-tests.sh: CI runs this script, and clang warns
# where GCC does not.
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER="$cxx" \
  -DINSIGHTS_FUZZ=ON -DINSIGHTS_BUILD_TESTS=OFF -DINSIGHTS_WERROR=ON >/dev/null
cmake --build "$build" -j "$jobs" --target fuzz_page_parser fuzz_config_loader >/dev/null

artifacts="$build/fuzz-artifacts"
work=$(mktemp -d "${TMPDIR:-/tmp}/insights-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"

# Hostile bodies too large to commit are written by the GCC test at run time; here the
# fuzzer's own mutations cover growth, up to this many bytes per input.
max_len=65536

run_target() {
  local name=$1 dict=$2; shift 2
  local corpus="$work/$name"
  mkdir -p "$corpus"
  local budget=(-runs="$iterations")
  [ -n "$seconds" ] && budget=(-max_total_time="$seconds")
  echo "fuzz: $name: ${budget[*]} -seed=$seed"
  local log="$work/$name.log"
  if ! "$build/fuzz/$name" "${budget[@]}" -seed="$seed" -max_len="$max_len" -timeout=10 \
      -rss_limit_mb=2048 -dict="$root/fuzz/$dict" -artifact_prefix="$artifacts/$name-" \
      -print_final_stats=1 "$corpus" "$@" >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    fail "$name failed: the crashing input is in $artifacts (see above)"
  fi
  # Figures for the README: inputs run, coverage reached, corpus size.
  local runs cov
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  echo "fuzz: $name: $runs inputs, $cov, corpus $(find "$corpus" -type f | wc -l) files, no crash"
}

run_target fuzz_page_parser json.dict "$root/tests/fixtures/twilio" "$root/tests/fixtures/hostile"
config_seeds="$work/config_seeds"
mkdir -p "$config_seeds"
cp "$root/deploy/insights-sync.example.toml" "$root"/fuzz/seeds/config_loader/* "$config_seeds/"
run_target fuzz_config_loader toml.dict "$config_seeds"
echo "fuzz: all targets passed"
