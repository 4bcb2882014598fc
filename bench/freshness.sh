#!/bin/bash
# What users feel of each live schedule (issue 18): bench/freshness_day runs the daemon's
# scheduler against the sim on a clock it moves, for both values of the sim's --time-filter,
# at 600 and at 30,000 calls an hour, and this prints every figure and each target as MET or
# NOT MET for the default schedule, with the other schedules beside it. The table is appended
# to bench/results/freshness-<UTC date>.txt. Exit 0 when the default meets every target, 1 when
# it does not, 2 when the benchmark could not run.
#
# Environment:
#   HOURS       simulated hours measured at 600 calls/h, after 6 h of warm-up [24]
#   BUSY_HOURS  simulated hours measured at 30,000 calls/h, after 1 h of warm-up [1]
#   SCHEDULES   the schedules to run, the default first ["live economical fresh"]
#   BUILD_DIR   the build to use, configured RelWithDebInfo with tests on [build-bench]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
hours=${HOURS:-24}
busy_hours=${BUSY_HOURS:-1}
read -ra schedules <<<"${SCHEDULES:-live economical fresh}"
results_dir=$root/bench/results
sync_bin=$build/daemon/insights-sync
freshness_bin=$build/bench/freshness_day

# shellcheck source=tests/pg-cluster.sh
. "$root/tests/pg-cluster.sh"

work=""
failed=0
die() { printf 'bench/freshness: %s\n' "$*" >&2; exit 2; }
say() { printf '\n== %s\n' "$*" >&2; }
calc() { awk "BEGIN { $1 }"; }
cleanup() {
  pg_cluster_stop
  [ -z "$work" ] || rm -rf "$work"
}

for value in "$hours" "$busy_hours"; do
  [[ $value =~ ^[0-9]+$ ]] && (( value > 0 )) || die "HOURS and BUSY_HOURS must be positive whole numbers"
done

# One run: prints freshness_day's "key value" lines. SCHEDULE FILTER CALLS_PER_HOUR WARMUP HOURS
run_one() {
  local db="f_$1_$2_$3"
  "$PG_CLUSTER_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $db" >/dev/null
  DATABASE_URL="host=$PG_CLUSTER_DIR port=$PG_CLUSTER_PORT user=$PGUSER dbname=$db" \
    "$sync_bin" migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; die "migrate failed"; }
  say "$1, --time-filter $2, $3 calls/h: $5 h after $4 h of warm-up"
  # Exit 1 is a figure (a call that never landed, a parked window): reported, not fatal.
  "$freshness_bin" "host=$PG_CLUSTER_DIR port=$PG_CLUSTER_PORT user=$PGUSER dbname=$db" \
    "$3" "$2" "$1" "$4" "$5" 2>"$work/run.log" || [ $? -eq 1 ] ||
    { cat "$work/run.log" >&2; die "freshness_day failed"; }
  "$PG_CLUSTER_BIN/psql" -X -q -d postgres -c "DROP DATABASE $db" >/dev/null
}

declare -A figure=()  # "schedule filter rate key" → value
collect() {
  local key value
  while read -r key value; do figure["$1 $2 $3 $key"]=$value; done
}
get() { echo "${figure["$1 $2 $3 $4"]:-?}"; }

verdicts=()
judge() {  # TARGET MEASURED OK(1/0)
  if [ "$3" = 1 ]; then verdicts+=("$1|$2|MET"); else verdicts+=("$1|$2|NOT MET"); failed=1; fi
}

report() {
  local s f
  echo "bench/freshness.sh $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet 2>/dev/null || echo '+changes')"
  echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)"
  echo "600 calls/h: $hours simulated hours; 30,000 calls/h: $busy_hours; default [sync] options but the schedule"
  echo
  printf '| %-10s | %-10s | %-22s | %-22s | %-9s | %-13s | %-13s |\n' schedule filter \
    "new rows p50/p99/max s" "complete p50/p99/max s" "req/day" "per call 600" "per call 30k" \
    --- --- --- --- --- --- ---
  for s in "${schedules[@]}"; do
    for f in start_time end_time; do
      printf '| %-10s | %-10s | %-22s | %-22s | %-9s | %-13s | %-13s |\n' "$s" "$f" \
        "$(get "$s" "$f" 600 new_p50) / $(get "$s" "$f" 600 new_p99) / $(get "$s" "$f" 600 new_max)" \
        "$(get "$s" "$f" 600 complete_p50) / $(get "$s" "$f" 600 complete_p99) / $(get "$s" "$f" 600 complete_max)" \
        "$(get "$s" "$f" 600 requests_per_day)" "$(get "$s" "$f" 600 transferred_per_call)" \
        "$(get "$s" "$f" 30000 transferred_per_call)"
    done
  done
  echo
  echo "Never landed (600 / 30,000 calls/h; new, complete): $(for s in "${schedules[@]}"; do for f in start_time end_time; do
    printf '%s %s %s,%s / %s,%s; ' "$s" "$f" "$(get "$s" "$f" 600 new_never)" "$(get "$s" "$f" 600 complete_never)" \
      "$(get "$s" "$f" 30000 new_never)" "$(get "$s" "$f" 30000 complete_never)"; done; done)"
  echo "Busy seconds per simulated hour at 30,000 calls/h (keeping up: far below 3600): $(for s in "${schedules[@]}"; do for f in start_time end_time; do
    printf '%s %s %s; ' "$s" "$f" "$(get "$s" "$f" 30000 busy_seconds_per_hour)"; done; done)"
  echo "Annotation passes: $(get "${schedules[0]}" start_time 600 annotation_reads_per_call) reads per call over 30 days (7 × the pages of a window), not in the figures above"
  echo
  printf '| %-66s | %-20s | %s |\n' "target (default schedule: ${schedules[0]}, both filters)" measured verdict --- --- ---
  local v a b c
  for v in "${verdicts[@]}"; do
    IFS='|' read -r a b c <<<"$v"
    printf '| %-66s | %-20s | %s |\n' "$a" "$b" "$c"
  done
}

judge_default() {
  local s=${schedules[0]} f value
  for f in start_time end_time; do
    value=$(get "$s" "$f" 600 new_p99)
    judge "new rows: p99 (warehouse shows - API lists) <= 90 s, $f" "$value s" "$(calc "print ($value <= 90)")"
    value=$(get "$s" "$f" 600 complete_p99)
    judge "completion: p99 (warehouse complete - API complete) <= 300 s, $f" "$value s" "$(calc "print ($value <= 300)")"
    value=$(get "$s" "$f" 600 requests_per_day)
    judge "requests per simulated day at 600 calls/h <= 1,800, $f" "$value" "$(calc "print ($value <= 1800)")"
    value=$(get "$s" "$f" 30000 transferred_per_call)
    judge "summaries transferred per call at 30,000 calls/h <= 4, $f" "$value" "$(calc "print ($value <= 4)")"
    value=$(get "$s" "$f" 30000 busy_seconds_per_hour)
    judge "keeps up at 30,000 calls/h (busy s per simulated hour < 600), $f" "$value s" "$(calc "print ($value < 600)")"
  done
}

main() {
  work=$(mktemp -d /tmp/insights-bench-freshness.XXXXXX)
  chmod 755 "$work"  # the cluster runs as postgres
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  say "build ($build)"
  # Tests on: freshness_day uses their support library (other benchmarks may have turned them off).
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINSIGHTS_BUILD_TESTS=ON \
    >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; die "cmake configure failed"; }
  cmake --build "$build" -j 2 --target insights-sync freshness_day >>"$work/build.log" 2>&1 ||
    { tail -n 30 "$work/build.log" >&2; die "the build failed"; }
  pg_cluster_start "$work/pg" >/dev/null || die "could not start PostgreSQL"
  local s f
  for s in "${schedules[@]}"; do
    for f in start_time end_time; do
      run_one "$s" "$f" 600 6 "$hours" >"$work/out"
      collect "$s" "$f" 600 <"$work/out"
      run_one "$s" "$f" 30000 1 "$busy_hours" >"$work/out"
      collect "$s" "$f" 30000 <"$work/out"
    done
  done
  judge_default
  mkdir -p "$results_dir"
  report | tee -a "$results_dir/freshness-$(date -u +%Y-%m-%d).txt"
  echo "(appended to bench/results/freshness-$(date -u +%Y-%m-%d).txt)" >&2
  exit "$failed"
}

main "$@"
