#!/usr/bin/env bash
# Backfill concurrency under API latency (see bench/README.md): does `insights-sync backfill
# --run` keep `concurrency` requests in flight when every API request takes LATENCY_MS?
#
# It builds insights-sync and insights-sim, starts a throwaway PostgreSQL cluster and the sim
# over HTTPS (its own CA) with an injected latency per API request, migrates, then times
#   insights-sync backfill --from A --to B --run
# over a range in the sim's past (windows older than settle_after settle after one read). The
# sim's /_sim/stats counts the API requests the backfill made; the ideal wall time is
#   requests × latency ÷ concurrency
# and the target is measured ≤ 1.2 × ideal. Exit 0 when it is met (and every row the sim holds
# for the range landed), 1 when not, 2 when the benchmark could not run (bad setting, build,
# cluster, sim, or the backfill itself failed: its log's tail is printed).
#
# Usage: bench/backfill-latency.sh
# Environment (defaults in brackets):
#   BUILD_DIR       build directory [build-bench under the repository]; the two binaries are
#                   built in it when out of date (a new directory: RelWithDebInfo, no tests)
#   CONCURRENCY     source.concurrency, 1..64 [4]
#   LATENCY_MS      injected latency per API request, ≥ 1 [300]
#   CALLS_PER_HOUR  sim calls per hour [8000: 8 pages of 1000 per hour]
#   FROM_HOURS      range start, hours before the current full hour [30]
#   TO_HOURS        range end, hours before the current full hour [6] (≥ 6: settled windows)
#   LOG_LEVEL       insights-sync --log-level [info]
#   KEEP_LOGS       1: keep the sim and backfill logs (the work directory is printed) [0]
# The figures are printed and appended to bench/results/backfill-latency-<UTC date>.txt.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
concurrency=${CONCURRENCY:-4}
latency_ms=${LATENCY_MS:-300}
calls_per_hour=${CALLS_PER_HOUR:-8000}
from_hours=${FROM_HOURS:-30}
to_hours=${TO_HOURS:-6}
log_level=${LOG_LEVEL:-info}
keep_logs=${KEEP_LOGS:-0}
target_ratio=1.2
sync_bin=$build/daemon/insights-sync
sim_bin=$build/sim/insights-sim
results_dir=$root/bench/results

# The sim's default credential; the daemon reads the secret from this variable (never from
# the command line or the config file).
account_sid=AC00000000000000000000000000000001
export INSIGHTS_BENCH_SECRET=sim-auth-token
export PGTZ=UTC

# shellcheck source=tests/pg-cluster.sh
. "$root/tests/pg-cluster.sh"
# shellcheck source=tests/sim-start.sh
. "$root/tests/sim-start.sh"
# shellcheck source=bench/build-binaries.sh
. "$root/bench/build-binaries.sh"

work=""
sim_pid=""
sim_port=""
sampler_pid=""
pg_background=0  # the cluster's own processes (no client connected)

die() { printf 'backfill-latency: %s\n' "$*" >&2; exit 2; }
bench_psql() { "$PG_CLUSTER_BIN/psql" -X -q -tA -v ON_ERROR_STOP=1 -d insights "$@"; }

# TOML basic string and libpq conninfo value, so unusual paths survive.
toml_string() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }
conninfo_value() { local s=${1//\\/\\\\}; printf "'%s'" "${s//\'/\\\'}"; }

stop_process() {  # PID: SIGTERM, then wait for it
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 0
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

cleanup() {
  stop_process "$sampler_pid"
  stop_process "$sim_pid"
  pg_cluster_stop
  if [ -n "$work" ]; then
    if [ "$keep_logs" = 1 ]; then echo "logs kept in $work"; else rm -rf "$work"; fi
  fi
}

make_work_dir() {
  work=$(mktemp -d /tmp/insights-bench.XXXXXX)
  # As root the cluster runs as another account, which must be able to enter the directory.
  chmod 755 "$work"
}

start_warehouse() {
  pg_cluster_start "$work/pg" || die "could not start PostgreSQL"
  "$PG_CLUSTER_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d postgres -c 'CREATE DATABASE insights' ||
    die "could not create the database"
}

start_simulator() {
  sim_start "$sim_bin" "$work" --calls-per-hour "$calls_per_hour" \
    --fault "latency_ms=$latency_ms" || die "insights-sim did not start"
  sim_pid=$SIM_PID
  sim_port=$SIM_PORT
  sim_get /_sim/health >/dev/null || die "insights-sim: HTTPS check failed"
  local faults
  faults=$(sim_get /_sim/faults)
  [[ $faults == *"\"latency_ms\":$latency_ms,"* ]] || die "the sim's faults are not as asked: $faults"
}

sim_get() { curl -fsS --cacert "$work/sim-ca.pem" "https://127.0.0.1:$sim_port$1"; }

# An integer field of a JSON object, 0 when absent (no jq needed: keys are unique here).
json_int() {
  local value
  value=$(sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" <<<"$1")
  echo "${value:-0}"
}

write_config() {
  local url
  url="host=$(conninfo_value "$PG_CLUSTER_DIR") port=$PG_CLUSTER_PORT user=$PGUSER dbname=insights"
  cat >"$work/insights-sync.toml" <<EOF
[database]
url = $(toml_string "$url")

[sync]
instance_name = "bench"

[[source]]
name = "sim"
account_sid = "$account_sid"
secret_env = "INSIGHTS_BENCH_SECRET"
api_url = "https://127.0.0.1:$sim_port"
ca_file = $(toml_string "$work/sim-ca.pem")
concurrency = $concurrency
EOF
}

# "rows pages": the summaries the API serves the account for [start, end) (its own calls:
# the list leaves out its subaccounts' unless asked with Subaccount=), and the pages of 1000
# that reading it in one-hour windows takes at least. One hour of truth at a time keeps the
# sim's memory small; this also generates those hours, so the timed run does not.
truth_rows() {
  local start=$1 end=$2 rows=0 pages=0 t n
  for (( t = start; t < end; t += 3600 )); do
    n=$(sim_get "/_sim/truth?AccountSid=$account_sid&StartTime=$(iso "$t")&EndTime=$(iso $(( t + 3600 < end ? t + 3600 : end )))" |
        grep -o '"call_sid":"CA[0-9a-f]*","account_sid"' | wc -l)
    rows=$(( rows + n ))
    pages=$(( pages + (n > 0 ? (n + 999) / 1000 : 1) ))
  done
  echo "$rows $pages"
}

iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

# CPU seconds (user + system, in clock ticks) of a process and its reaped children; with
# `tree`, also of its live children (PostgreSQL's postmaster and its backends).
cpu_ticks() {
  local pid=$1 tree=${2:-} total=0 child fields children=()
  read -ra fields <<<"$(sed 's/^.*) //' "/proc/$pid/stat")"
  total=$(( fields[11] + fields[12] + fields[13] + fields[14] ))
  if [ -n "$tree" ]; then
    read -ra children <"/proc/$pid/task/$pid/children" || true
    for child in "${children[@]}"; do
      read -ra fields <<<"$(sed 's/^.*) //' "/proc/$child/stat" 2>/dev/null)" || continue
      total=$(( total + fields[11] + fields[12] ))
    done
  fi
  echo "$total"
}

# CPU seconds so far of the sim, of the cluster and of the whole machine (every process,
# to tell when other work, such as a build, competed for the cores): "sim postgres machine".
cpu_snapshot() {
  local tick cpu
  tick=$(getconf CLK_TCK)
  # The first line of /proc/stat: cpu user nice system idle iowait irq softirq steal ...
  read -ra cpu </proc/stat
  awk -v a="$(cpu_ticks "$sim_pid")" -v b="$(cpu_ticks "$(head -n 1 "$PG_CLUSTER_DIR/data/postmaster.pid")" tree)" \
    -v m="$(( cpu[1] + cpu[2] + cpu[3] + cpu[6] + cpu[7] + cpu[8] ))" -v t="$tick" \
    'BEGIN { printf "%.2f %.2f %.2f\n", a / t, b / t, m / t }'
}

# Waits (up to 5 s) until the backfill's PostgreSQL backends have exited and been reaped, so
# their CPU time is in the postmaster's count. Only the cluster's own processes remain then.
pg_reaped() {
  local postmaster tries=0 children=()
  postmaster=$(head -n 1 "$PG_CLUSTER_DIR/data/postmaster.pid")
  while (( tries++ < 50 )); do
    read -ra children <"/proc/$postmaster/task/$postmaster/children" || true
    (( ${#children[@]} <= pg_background )) && return 0
    sleep 0.1
  done
}

# API requests started, sampled twice a second while the backfill runs: "seconds requests".
sample_requests() {
  local t0=$1 stats
  while :; do
    stats=$(sim_get /_sim/stats 2>/dev/null) || true
    printf '%s %s\n' "$(awk -v a="$EPOCHREALTIME" -v b="$t0" 'BEGIN { printf "%.2f", a - b }')" \
      "$(json_int "$stats" api_requests)"
    sleep 0.5
  done
}

check_settings() {
  local name value
  for name in CONCURRENCY LATENCY_MS CALLS_PER_HOUR FROM_HOURS TO_HOURS; do
    value=${!name:-1}
    [[ $value =~ ^[0-9]+$ ]] || die "$name must be a whole number; got $value"
  done
  (( concurrency >= 1 && concurrency <= 64 )) || die "CONCURRENCY must be 1..64"
  (( latency_ms >= 1 )) || die "LATENCY_MS must be at least 1 (the ideal time divides by it)"
  (( from_hours > to_hours )) || die "FROM_HOURS must be more than TO_HOURS"
}

main() {
  check_settings
  make_work_dir
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  build_binaries
  start_warehouse
  start_simulator
  write_config
  local sync=("$sync_bin" --config "$work/insights-sync.toml")
  "${sync[@]}" migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; die "migrate failed"; }

  # Whole hours, so the range is exactly its windows (one hour each by default).
  local hour_now start end
  hour_now=$(( $(date -u +%s) / 3600 * 3600 ))
  start=$(( hour_now - from_hours * 3600 ))
  end=$(( hour_now - to_hours * 3600 ))
  echo "range $(iso "$start") .. $(iso "$end"); sim: $calls_per_hour calls/h," \
    "latency ${latency_ms} ms; concurrency $concurrency"
  local expected range_pages
  read -r expected range_pages <<<"$(truth_rows "$start" "$end")"

  local before after t0 t1 rc=0 cpu_before cpu_after sync_cpu
  before=$(sim_get /_sim/stats)
  cpu_before=$(cpu_snapshot)
  local postmaster children=()
  postmaster=$(head -n 1 "$PG_CLUSTER_DIR/data/postmaster.pid")
  # (No newline ends that file, so read reports end of file.)
  read -ra children <"/proc/$postmaster/task/$postmaster/children" || true
  pg_background=${#children[@]}  # checkpointer, walwriter, ...: no client is connected now
  t0=$EPOCHREALTIME
  sample_requests "$t0" >"$work/requests.txt" &
  sampler_pid=$!
  local TIMEFORMAT='%U %S'
  { time "${sync[@]}" --log-level "$log_level" backfill --from "$(iso "$start")" \
      --to "$(iso "$end")" --run >"$work/backfill.log" 2>&1; } 2>"$work/backfill.cpu" || rc=$?
  t1=$EPOCHREALTIME
  cpu_after=$(cpu_snapshot)
  pg_reaped
  cpu_after="$cpu_after $(cpu_snapshot)"
  stop_process "$sampler_pid"
  sampler_pid=""
  after=$(sim_get /_sim/stats)
  sync_cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$work/backfill.cpu")
  if [ "$rc" -ne 0 ]; then
    keep_logs=1
    tail -n 30 "$work/backfill.log" >&2
    die "insights-sync backfill --run exited with $rc (log: $work/backfill.log)"
  fi

  local requests pages non_200 rows windows committed split
  requests=$(( $(json_int "$after" api_requests) - $(json_int "$before" api_requests) ))
  pages=$(( $(json_int "$after" pages) - $(json_int "$before" pages) ))
  non_200=$(( requests - ($(json_int "$after" 200) - $(json_int "$before" 200)) ))
  rows=$(bench_psql -c 'SELECT count(*) FROM call_summaries')
  # A split window's row is replaced by its pieces, so these are the windows read to the end
  # and the pages whose rows were committed (a split window's first page is not).
  IFS='|' read -r windows committed < <(bench_psql -c \
    "SELECT count(*), coalesce(sum(pages_read), 0) FROM work_items WHERE source = 'sim'")
  split=$(grep -c 'is busy' "$work/backfill.log" || true)

  local report
  report=$(awk -v t0="$t0" -v t1="$t1" -v n="$requests" -v p="$range_pages" -v lat="$latency_ms" \
    -v c="$concurrency" -v target="$target_ratio" 'BEGIN {
      wall = t1 - t0; ideal = n * lat / 1000 / c; ratio = wall / ideal
      printf "wall time:    %.2f s\n", wall
      printf "ideal:        %.2f s (requests x latency / concurrency)\n", ideal
      printf "ratio:        %.3f (measured / ideal)\n", ratio
      printf "in flight:    %.2f requests on average (requests x latency / wall)\n", n * lat / 1000 / wall
      printf "by pages:     %.2f s ideal for the %d pages the range holds in 1-hour windows, ratio %.3f (informative)\n",
             p * lat / 1000 / c, p, wall / (p * lat / 1000 / c)
      printf "target <= %.1fx: %s\n", target, ratio <= target ? "met" : "NOT met"
    }')
  local timeline
  timeline=$(awk '{ s = int($1); if ($2 != "") last[s] = $2; if (s > max) max = s }
    END { prev = 0; line = "";
      for (i = 0; i <= max; i++) { if (i in last) { line = line sprintf(" %d", last[i] - prev); prev = last[i] }
                                   else line = line " ?" }
      print line }' "$work/requests.txt" | sed 's/^ //')

  local figures
  figures=$(cat <<EOF
backfill-latency $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname) ($(nproc) cores), $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet 2>/dev/null || echo '+changes')
range:        $(iso "$start") .. $(iso "$end") ($(( (end - start) / 3600 )) h, $calls_per_hour calls/h)
requests:     $requests API requests ($pages pages, $non_200 not 200)
latency:      $latency_ms ms per request
concurrency:  $concurrency
windows:      $windows read (${split} busy windows split); $committed pages committed
rows landed:  $rows (the sim holds $expected for the range: $([ "$rows" -eq "$expected" ] && echo equal || echo DIFFERENT))
$report
CPU seconds:  $(awk -v a="$cpu_before" -v b="$cpu_after" -v s="$sync_cpu" -v t0="$t0" -v t1="$t1" \
  -v n="$(nproc)" 'BEGIN { split(a, x, " "); split(b, y, " ")
    # y[1..3] at the end of the run; y[5] once its backends were reaped (their CPU counted).
    sim = y[1] - x[1]; pg = y[5] - x[2]; all = y[3] - x[3]; other = all - s - sim - pg
    printf "insights-sync %.2f, insights-sim %.2f, PostgreSQL %.2f, everything else %.2f", s, sim, pg, (other > 0 ? other : 0)
    printf " (the machine: %.0f%% of %d cores busy)", 100 * all / (t1 - t0) / n, n
    if (other > 0.1 * (t1 - t0))
      printf "\nWARNING: other processes used %.1f CPU-s during the run: the figures are not representative; run again on a quiet machine", other }')
requests started per second: $timeline
EOF
)
  echo "$figures"
  mkdir -p "$results_dir"
  printf '%s\n\n' "$figures" >>"$results_dir/backfill-latency-$(date -u +%Y-%m-%d).txt"
  echo "(appended to bench/results/backfill-latency-$(date -u +%Y-%m-%d).txt)"
  [[ $report == *": met"* ]] && [ "$rows" -eq "$expected" ]
}

main "$@"
