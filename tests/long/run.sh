#!/usr/bin/env bash
# The reliability suite's long mode (README "Reliability"): the same tests as the normal
# suite, run much longer, and a summary of their figures at the end.
#
#   tests/long/run.sh                  everything, with the defaults below (about 50 minutes)
#   tests/long/run.sh --only crash     one part: crash | storm | fuzz (repeatable)
#
#   crash  crash_loop_tests with CRASH_TRIALS SIGKILLs (default 200; the suite runs 20)
#   storm  api_storm_tests with an API fault storm of STORM_SECONDS (default 600; the suite 30)
#   fuzz   fuzz/run.sh --seconds FUZZ_SECONDS per target (default 600; the suite 100,000 inputs)
#
# Builds the test binaries in BUILD_DIR (default build/, the normal build of
# tests/run-tests.sh), starts a throwaway PostgreSQL cluster and removes it at the end. Logs
# and the summary go to LONG_LOG_DIR (default build/long-mode/). Exits non-zero when any part
# fails; the summary says which.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${BUILD_DIR:-$root/build}
logs=${LONG_LOG_DIR:-$build/long-mode}
crash_trials=${CRASH_TRIALS:-200}
storm_seconds=${STORM_SECONDS:-600}
fuzz_seconds=${FUZZ_SECONDS:-600}

parts=()
while [ $# -gt 0 ]; do
  case "$1" in
    --only)
      case "${2:-}" in
        crash | storm | fuzz) parts+=("$2") ;;
        *) echo "tests/long/run.sh: --only takes crash, storm or fuzz, not '${2:-}'" >&2; exit 2 ;;
      esac
      shift 2 ;;
    *) echo "usage: tests/long/run.sh [--only crash|storm|fuzz]..." >&2; exit 2 ;;
  esac
done
[ ${#parts[@]} -gt 0 ] || parts=(crash storm fuzz)
wants() { [[ " ${parts[*]} " == *" $1 "* ]]; }

mkdir -p "$logs"
summary="$logs/summary.txt"
: >"$summary"
say() { echo "$*" | tee -a "$summary"; }

targets=()
wants crash && targets+=(crash_loop_tests)
wants storm && targets+=(api_storm_tests)
if [ ${#targets[@]} -gt 0 ]; then
  echo "long: building ${targets[*]} in $build"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINSIGHTS_BUILD_TESTS=ON \
    >/dev/null
  cmake --build "$build" -j 2 --target "${targets[@]}" >"$logs/build.log" 2>&1 ||
    { tail -n 40 "$logs/build.log" >&2; echo "long: the build failed" >&2; exit 1; }

  # shellcheck source=tests/pg-cluster.sh
  . "$root/tests/pg-cluster.sh"
  cluster=$(mktemp -d /tmp/insights-long-pg.XXXXXX)
  trap pg_cluster_stop EXIT
  trap 'exit 130' INT TERM
  pg_cluster_start "$cluster"
fi

failed=()
# Runs one test binary with its output in $logs/NAME.log; its figure lines (PREFIX) go to the
# summary.
run_part() {
  local name=$1 prefix=$2; shift 2
  local started=$SECONDS result=passed
  echo "long: $name ($*)"
  if ! env "$@" "$build/tests/$name" >"$logs/$name.log" 2>&1; then
    result=FAILED
    failed+=("$name")
    tail -n 40 "$logs/$name.log" >&2
  fi
  say "== $name ($*), $((SECONDS - started)) s: $result"
  grep -F "$prefix" "$logs/$name.log" | grep -v ' trial ' | tee -a "$summary" || true
}

wants crash && run_part crash_loop_tests "[ crash    ]" INSIGHTS_CRASH_TRIALS="$crash_trials"
wants storm && run_part api_storm_tests "[ storm    ]" INSIGHTS_STORM_SECONDS="$storm_seconds"
if wants fuzz; then
  started=$SECONDS
  echo "long: fuzz/run.sh --seconds $fuzz_seconds"
  if "$root/fuzz/run.sh" --seconds "$fuzz_seconds" >"$logs/fuzz.log" 2>&1; then result=passed
  else result=FAILED; failed+=(fuzz); tail -n 40 "$logs/fuzz.log" >&2; fi
  say "== fuzz/run.sh --seconds $fuzz_seconds, $((SECONDS - started)) s: $result"
  grep -F "inputs, cov" "$logs/fuzz.log" | tee -a "$summary" || true
fi

echo "long: summary in $summary"
if [ ${#failed[@]} -gt 0 ]; then
  echo "long: FAILED: ${failed[*]} (logs in $logs)" >&2
  exit 1
fi
echo "long: all parts passed"
