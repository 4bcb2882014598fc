#!/usr/bin/env bash
# The whole test suite: configure, build, start a throwaway PostgreSQL cluster, run every
# test with ctest, and remove the cluster afterwards (also when tests fail or on Ctrl-C).
# It runs twice: a normal Release build (build/), the build type users and packagers pick, then
# a build whose product code (what insights-sync is made of) has AddressSanitizer +
# UndefinedBehaviorSanitizer (build-asan/, -O1; cmake/Sanitizers.cmake); --fast skips the
# sanitizer pass. Both treat warnings as errors, so a new warning fails CI. Then the libFuzzer
# targets run for a fixed number of inputs each (fuzz/run.sh, a clang build in build-fuzz/).
# Tests spend much of their time waiting (on PostgreSQL, on the sim, on a daemon's timers), so
# the next build runs at the lowest CPU priority beside each suite: the sanitizer build beside
# the normal suite, the fuzzers' build and run beside the sanitizer suite. The tests get the CPU
# they ask for; the build takes what they leave. A suite's output is printed when it ends.
# Usage: tests/run-tests.sh [--fast] [extra ctest arguments, e.g. -R PgSink]
# Environment: BUILD_DIR (default build), JOBS (build jobs, default nproc), TEST_JOBS (tests run
# side by side, default nproc: each test has its own database, temp files and ports).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
jobs=${JOBS:-$(nproc)}
test_jobs=${TEST_JOBS:-$(nproc)}
sanitizer_pass=yes
if [ "${1:-}" = "--fast" ]; then sanitizer_pass=no; shift; fi

# shellcheck source=tests/pg-cluster.sh
. "$root/tests/pg-cluster.sh"

build_dir_for() { if [ "$1" = normal ]; then echo "$build"; else echo "$build-asan"; fi; }

# A full disk shows up late and far from its cause (PostgreSQL stops mid-suite, every later test
# fails to connect), so say it first. A fresh run takes about 4 GB: 0.5 GB normal build, 2.3 GB
# sanitizer build, up to 1 GB of PostgreSQL WAL in /tmp.
warn_if_short_of_disk() {
  local path=$1 want_gb=$2 free_gb
  mkdir -p "$path"
  free_gb=$(df -P -BG "$path" | awk 'NR == 2 { sub("G", "", $4); print $4 }')
  echo "run-tests: ${free_gb} GB free for $path"
  if [ "$free_gb" -lt "$want_gb" ]; then
    echo "run-tests: warning: a fresh run needs about ${want_gb} GB there; when the disk fills," \
      "tests fail in confusing ways" >&2
  fi
}
warn_if_short_of_disk "$(dirname "$build")" 4
warn_if_short_of_disk /tmp 2

build_pass() {
  local pass=$1 dir flag=OFF type=Release
  dir=$(build_dir_for "$pass")
  [ "$pass" = sanitized ] && flag=ON type=RelWithDebInfo
  echo "run-tests: building ($pass, $type) in $dir"
  cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=$type -DINSIGHTS_SANITIZE=$flag \
    -DINSIGHTS_BUILD_TESTS=ON -DINSIGHTS_WERROR=ON >/dev/null &&
    cmake --build "$dir" -j "$jobs"
}

# Runs one pass's suite in the background, its output in a log printed by finish_suite.
suite_pid="" suite_log="" suite_pass=""
start_suite() {
  suite_pass=$1
  suite_log=$(mktemp /tmp/insights-suite-"$1".XXXXXX)
  echo "run-tests: running the suite ($1 build) in the background"
  ctest --test-dir "$(build_dir_for "$1")" -j "$test_jobs" --output-on-failure "${ctest_args[@]}" \
    >"$suite_log" 2>&1 &
  suite_pid=$!
}
failures=()
finish_suite() {
  local status=0
  wait "$suite_pid" || status=$?
  echo "run-tests: the suite ($suite_pass build) ended; its output:"
  cat "$suite_log"
  rm -f "$suite_log"
  suite_pid=""
  [ "$status" -eq 0 ] || failures+=("the $suite_pass suite (ctest exit $status)")
}
# Work beside a suite, at the lowest CPU priority (a shell function too, hence the subshell that
# lowers its own). If it fails, the suite still finishes and is reported.
beside_suite() {
  local what=$1 status=0
  shift
  (renice -n 19 -p "$BASHPID" >/dev/null && "$@") || status=$?
  [ "$status" -eq 0 ] || failures+=("$what (exit $status)")
  return "$status"
}
stop_background_suite() {
  if [ -n "$suite_pid" ]; then kill -- "$suite_pid" 2>/dev/null || true; wait "$suite_pid" || true; fi
}

ctest_args=("$@")
build_pass normal

cluster=$(mktemp -d /tmp/insights-test-pg.XXXXXX)
trap 'stop_background_suite; pg_cluster_stop' EXIT
trap 'exit 130' INT TERM
pg_cluster_start "$cluster"
echo "run-tests: PostgreSQL $("$PG_CLUSTER_BIN/postgres" --version | awk '{print $3}') on $PGHOST (port $PGPORT)"

export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
start_suite normal
if [ "$sanitizer_pass" = yes ]; then
  sanitizer_build_ok=yes
  beside_suite "the sanitizer build" build_pass sanitized || sanitizer_build_ok=no
  finish_suite
  [ "$sanitizer_build_ok" = no ] || start_suite sanitized
fi
# A missing clang or libFuzzer runtime fails here with a message: fuzzing is never skipped.
echo "run-tests: fuzzing (fuzz/run.sh, short run)"
beside_suite "fuzzing" "$root/fuzz/run.sh" || true
[ -z "$suite_pid" ] || finish_suite

if [ ${#failures[@]} -gt 0 ]; then
  printf 'run-tests: FAILED: %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "run-tests: all passed"
