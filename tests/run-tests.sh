#!/usr/bin/env bash
# The whole test suite: configure, build, start a throwaway PostgreSQL cluster, run every
# test with ctest, and remove the cluster afterwards (also when tests fail or on Ctrl-C).
# It runs twice: a normal Release build (build/), the build type users and packagers pick, then
# an AddressSanitizer + UndefinedBehaviorSanitizer RelWithDebInfo (-O1) build (build-asan/); --fast
# skips the sanitizer pass. Both treat warnings as errors, so a new warning fails CI. Then the
# libFuzzer targets run for a fixed number of inputs each (fuzz/run.sh, a clang build in
# build-fuzz/).
# Usage: tests/run-tests.sh [--fast] [extra ctest arguments, e.g. -R PgSink]
# Environment: BUILD_DIR (default build), JOBS (build jobs, default nproc), TEST_JOBS (tests run
# side by side, default nproc: each test has its own database, temp files and ports).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
jobs=${JOBS:-$(nproc)}
test_jobs=${TEST_JOBS:-$(nproc)}
passes=(normal sanitized)
if [ "${1:-}" = "--fast" ]; then passes=(normal); shift; fi

# shellcheck source=tests/pg-cluster.sh
. "$root/tests/pg-cluster.sh"

build_dir_for() { if [ "$1" = normal ]; then echo "$build"; else echo "$build-asan"; fi; }

# A full disk shows up late and far from its cause (PostgreSQL stops mid-suite, every later test
# fails to connect), so say it first. A fresh run takes about 4 GB: 0.3 GB normal build, 2.7 GB
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

for pass in "${passes[@]}"; do
  dir=$(build_dir_for "$pass")
  flag=OFF type=Release
  [ "$pass" = sanitized ] && flag=ON type=RelWithDebInfo
  echo "run-tests: building ($pass, $type) in $dir"
  cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=$type -DINSIGHTS_SANITIZE=$flag \
    -DINSIGHTS_BUILD_TESTS=ON -DINSIGHTS_WERROR=ON >/dev/null
  cmake --build "$dir" -j "$jobs"
done

cluster=$(mktemp -d /tmp/insights-test-pg.XXXXXX)
trap pg_cluster_stop EXIT
trap 'exit 130' INT TERM
pg_cluster_start "$cluster"
echo "run-tests: PostgreSQL $("$PG_CLUSTER_BIN/postgres" --version | awk '{print $3}') on $PGHOST (port $PGPORT)"

export LSAN_OPTIONS="suppressions=$root/tests/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for pass in "${passes[@]}"; do
  echo "run-tests: running the suite ($pass build)"
  ctest --test-dir "$(build_dir_for "$pass")" -j "$test_jobs" --output-on-failure "$@"
done

# A missing clang or libFuzzer runtime fails here with a message: fuzzing is never skipped.
echo "run-tests: fuzzing (fuzz/run.sh, short run)"
"$root/fuzz/run.sh"
