#!/usr/bin/env bash
# BI dashboard queries over a month of summaries (see bench/README.md): does every query in
# bench/bi-queries/ finish under 200 ms over 24 hours and under 2 s over 30 days?
#
# It builds insights-sync and insights-sim, starts a throwaway PostgreSQL cluster and the sim
# over HTTPS (its own CA), migrates, then loads 30 days of the sim's calls with the real daemon
#   insights-sync backfill --from 30d --to 0m --run     (then one `sync --once`: the live tail)
# so the rows are exactly what Twilio's shapes look like when synced. VACUUM ANALYZE (what
# autovacuum does to a loaded table), then for each query and each range (the last 24 hours,
# the last 30 days; account = the sim's account, which holds every row) it runs the query three
# times in one session, keeps the best time (psql \timing: planning, execution and the result
# sent), and prints it with its EXPLAIN (ANALYZE, BUFFERS) plan and whether the target is met.
# Exit 0 when every target is met, 1 when not, 2 when the benchmark could not run.
#
# Usage: bench/bi-queries.sh
# Environment (defaults in brackets):
#   BUILD_DIR   build directory [build-bench under the repository]; the two binaries are built
#               in it when out of date (a new directory: RelWithDebInfo, no tests)
#   SUMMARIES   summaries to load, spread evenly over 30 days [1000000]
#   QUERIES     a glob of query files in bench/bi-queries/ [*.sql]
#   KEEP_LOGS   1: keep the work directory (logs; the cluster is always removed) [0]
#   TMPDIR      where the work directory goes (cluster, sim, logs) [/tmp]
#   WITHOUT_BI  1: drop what migration 0005 adds (schema bi: the facts table, its triggers on
#               call_summaries, the views) right after migrating, load, report the load rate
#               and stop: the sync's speed before and after 0005 [0]
# The figures and plans are written to bench/results/bi-queries-<UTC date>.txt (appended).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
summaries=${SUMMARIES:-1000000}
query_glob=${QUERIES:-*.sql}
keep_logs=${KEEP_LOGS:-0}
without_bi=${WITHOUT_BI:-0}
sync_bin=$build/daemon/insights-sync
sim_bin=$build/sim/insights-sim
query_dir=$root/bench/bi-queries
results_dir=$root/bench/results
target_24h_ms=200
target_30d_ms=2000

# The sim's default credential; the daemon reads the secret from this variable.
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

die() { printf 'bi-queries: %s\n' "$*" >&2; exit 2; }
bench_psql() { "$PG_CLUSTER_BIN/psql" -X -q -tA -v ON_ERROR_STOP=1 -d insights "$@"; }
toml_string() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }
conninfo_value() { local s=${1//\\/\\\\}; printf "'%s'" "${s//\'/\\\'}"; }
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

cleanup() {
  if [ -n "$sim_pid" ] && kill -0 "$sim_pid" 2>/dev/null; then
    kill -TERM "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
  fi
  pg_cluster_stop
  if [ -n "$work" ]; then
    if [ "$keep_logs" = 1 ]; then echo "work directory kept: $work"; else rm -rf "$work"; fi
  fi
}

start_warehouse() {
  pg_cluster_start "$work/pg" || die "could not start PostgreSQL"
  "$PG_CLUSTER_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d postgres -c 'CREATE DATABASE insights' ||
    die "could not create the database"
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
api_url = "https://127.0.0.1:$1"
ca_file = $(toml_string "$work/sim-ca.pem")
EOF
}

# What 0005 adds, taken away again: schema bi with the facts table, the views and the
# functions, and with them the triggers on call_summaries.
drop_bi_additions() {
  bench_psql -c "DROP SCHEMA bi CASCADE" >/dev/null 2>&1
  [ "$(bench_psql -c "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'call_summaries'::regclass
                      AND NOT tgisinternal")" = 0 ] || die "call_summaries still has triggers"
}

# Children of the postmaster that exited and were not reaped yet: their CPU time is in
# neither their /proc entry nor the postmaster's count.
postgres_zombies() {
  local children=() child state
  read -ra children <"/proc/$1/task/$1/children" || true
  for child in "${children[@]}"; do
    state=$(sed 's/^.*) \(.\).*/\1/' "/proc/$child/stat" 2>/dev/null) || continue
    [ "$state" = Z ] && echo "$child"
  done
}

# CPU seconds used so far by the cluster: the postmaster, its exited children (the backends of
# clients that disconnected) and its live ones. Waits (up to 5 s) for the backends of clients
# that just disconnected to exit and be reaped first, so their time is counted.
postgres_cpu() {
  local postmaster tries=0 children=() child fields total tick
  postmaster=$(head -n 1 "$PG_CLUSTER_DIR/data/postmaster.pid")
  while (( tries++ < 50 )); do
    "$PG_CLUSTER_BIN/psql" -X -tA -d postgres -c \
      "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()" |
      grep -qx 0 && [ -z "$(postgres_zombies "$postmaster")" ] && break
    sleep 0.1
  done
  read -ra fields <<<"$(sed 's/^.*) //' "/proc/$postmaster/stat")"
  total=$(( fields[11] + fields[12] + fields[13] + fields[14] ))
  read -ra children <"/proc/$postmaster/task/$postmaster/children" || true
  for child in "${children[@]}"; do
    read -ra fields <<<"$(sed 's/^.*) //' "/proc/$child/stat" 2>/dev/null)" || continue
    total=$(( total + fields[11] + fields[12] ))
  done
  tick=$(getconf CLK_TCK)
  awk -v t="$total" -v k="$tick" 'BEGIN { printf "%.2f", t / k }'
}

# "best_ms": the best of three runs of FILE with the range and account set, in one session.
best_time() {
  local file=$1 from=$2 to=$3
  printf '\\timing on\n\\o /dev/null\n\\i %s\n\\i %s\n\\i %s\n' "$file" "$file" "$file" |
    "$PG_CLUSTER_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d insights -v account="$account_sid" \
      -v from="$from" -v to="$to" |
    awk '/^Time:/ { t = $2 + 0; if (best == "" || t < best) best = t } END { printf "%.1f", best }'
}

run_query() {  # FILE FROM TO: rows returned
  "$PG_CLUSTER_BIN/psql" -X -q -tA -v ON_ERROR_STOP=1 -d insights -v account="$account_sid" \
    -v from="$1" -v to="$2" -f "$3" | wc -l
}

explain() {  # FILE FROM TO
  { echo 'EXPLAIN (ANALYZE, BUFFERS)'; cat "$1"; } |
    "$PG_CLUSTER_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d insights -v account="$account_sid" \
      -v from="$2" -v to="$3"
}

main() {
  [[ $summaries =~ ^[0-9]+$ ]] && (( summaries >= 720 )) || die "SUMMARIES must be a whole number >= 720"
  work=$(mktemp -d "${TMPDIR:-/tmp}/insights-bench.XXXXXX")
  chmod 755 "$work"  # as root, the cluster's owner must be able to enter it
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  build_binaries
  start_warehouse
  # 30 days of one-hour windows hold 720 hours of calls; the sim's own account gets them all.
  local calls_per_hour=$(( (summaries + 719) / 720 ))
  sim_start "$sim_bin" "$work" --calls-per-hour "$calls_per_hour" --subaccounts 0 ||
    die "insights-sim did not start"
  sim_pid=$SIM_PID
  write_config "$SIM_PORT"
  local sync=("$sync_bin" --config "$work/insights-sync.toml")
  "${sync[@]}" migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; die "migrate failed"; }
  [ "$without_bi" = 1 ] && drop_bi_additions

  echo "loading 30 days of insights-sim calls ($calls_per_hour an hour) with insights-sync backfill --run"
  local t0 t1 rc=0 pg_before pg_after
  pg_before=$(postgres_cpu)
  t0=$EPOCHREALTIME
  local TIMEFORMAT='%U %S'
  { time "${sync[@]}" backfill --from 30d --to 0m --run >"$work/backfill.log" 2>&1; } \
    2>"$work/backfill.cpu" || rc=$?
  t1=$EPOCHREALTIME
  if [ "$rc" -ne 0 ]; then
    keep_logs=1
    tail -n 20 "$work/backfill.log" >&2
    die "backfill --run exited with $rc"
  fi
  pg_after=$(postgres_cpu)
  echo "debug: postgres cpu before $pg_before after $pg_after" >&2
  local rows load
  rows=$(bench_psql -c 'SELECT count(*) FROM call_summaries')
  # Wall time depends on what else the machine does; CPU seconds much less: the A/B figure.
  load=$(awk -v r="$rows" -v a="$t0" -v b="$t1" -v pa="$pg_before" -v pb="$pg_after" \
    -v sync="$(awk '{ print $1 + $2 }' "$work/backfill.cpu")" 'BEGIN {
      printf "%d rows in %.1f s (%.0f rows/s); CPU: PostgreSQL %.1f s (%.1f us a row), insights-sync %.1f s",
             r, b - a, r / (b - a), pb - pa, 1e6 * (pb - pa) / r, sync }')
  echo "loaded $load"
  # The live tail, as a running daemon would have it: the windows of the last day read again.
  # Their rows are already stored and mostly unchanged: what most of a daemon's merges are.
  local reread
  pg_before=$(postgres_cpu)
  t0=$EPOCHREALTIME
  { time "${sync[@]}" sync --once >"$work/sync-once.log" 2>&1; } 2>"$work/sync-once.cpu" ||
    { tail -n 20 "$work/sync-once.log" >&2; die "sync --once failed"; }
  t1=$EPOCHREALTIME
  pg_after=$(postgres_cpu)
  reread=$(awk -v a="$t0" -v b="$t1" -v pa="$pg_before" -v pb="$pg_after" \
    -v rows="$(bench_psql -c "SELECT coalesce(sum(pages_read), 0) FROM work_items WHERE kind = 'live'")" \
    -v sync="$(awk '{ print $1 + $2 }' "$work/sync-once.cpu")" 'BEGIN {
      printf "%d pages in %.1f s; CPU: PostgreSQL %.1f s, insights-sync %.1f s", rows, b - a, pb - pa, sync }')
  echo "re-read the last day: $reread"
  if [ "$without_bi" = 1 ]; then
    local line
    line="bi-queries WITHOUT_BI=1 $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname) ($(nproc) cores), $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet 2>/dev/null || echo '+changes'), without 0005 (schema bi and its triggers):
load:     $load
re-read:  the last day again (sync --once): $reread"
    mkdir -p "$results_dir"
    printf '%s\n\n' "$line" >>"$results_dir/bi-queries-$(date -u +%Y-%m-%d).txt"
    echo "$line"
    return 0
  fi
  local vacuum_s
  t0=$EPOCHREALTIME
  bench_psql -c 'VACUUM ANALYZE' >/dev/null
  vacuum_s=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')

  local now from_24h from_30d
  now=$(date -u +%s)
  from_24h=$(iso $(( now - 86400 )))
  from_30d=$(iso $(( now - 30 * 86400 )))
  local to
  to=$(iso "$now")
  local sizes settings
  sizes=$(bench_psql -c "SELECT format('sizes:    call_summaries %s (indexes %s), bi.call_facts %s (indexes %s)',
      pg_size_pretty(pg_table_size('call_summaries')), pg_size_pretty(pg_indexes_size('call_summaries')),
      pg_size_pretty(pg_table_size('bi.call_facts')), pg_size_pretty(pg_indexes_size('bi.call_facts')))")
  settings=$(bench_psql -c "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name)
      FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'max_parallel_workers_per_gather', 'jit')")

  local summary="" plans="" file name t24 t30 rows24 rows30 verdict all_met=1
  summary+=$(printf '%-34s %10s %6s  %10s %6s  %s' query "24 h ms" rows "30 d ms" rows targets)$'\n'
  for file in "$query_dir"/$query_glob; do
    name=$(basename "$file" .sql)
    t24=$(best_time "$file" "$from_24h" "$to")
    t30=$(best_time "$file" "$from_30d" "$to")
    rows24=$(run_query "$from_24h" "$to" "$file")
    rows30=$(run_query "$from_30d" "$to" "$file")
    verdict=$(awk -v a="$t24" -v b="$t30" -v ta="$target_24h_ms" -v tb="$target_30d_ms" 'BEGIN {
      printf "24 h %s, 30 d %s", (a < ta ? "met" : "NOT met"), (b < tb ? "met" : "NOT met") }')
    [[ $verdict == *"NOT met"* ]] && all_met=0
    summary+=$(printf '%-34s %10s %6s  %10s %6s  %s' "$name" "$t24" "$rows24" "$t30" "$rows30" "$verdict")$'\n'
    plans+="=== $name, 24 h ($from_24h .. $to): best of 3 $t24 ms"$'\n'
    plans+=$(explain "$file" "$from_24h" "$to")$'\n\n'
    plans+="=== $name, 30 d ($from_30d .. $to): best of 3 $t30 ms"$'\n'
    plans+=$(explain "$file" "$from_30d" "$to")$'\n\n'
  done

  local figures
  figures=$(cat <<EOF
bi-queries $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(hostname) ($(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)), $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet 2>/dev/null || echo '+changes')
data:     $rows summaries generated by insights-sim and synced by insights-sync (backfill --run, then sync --once), one account, $from_30d .. $to
load:     $load; VACUUM ANALYZE $vacuum_s s
re-read:  the last day again (sync --once): $reread
$sizes
server:   $("$PG_CLUSTER_BIN/postgres" --version), $settings
load avg: $(cut -d' ' -f1-3 /proc/loadavg) after the queries (2 cores: above ~1 other work competed)
targets:  24 h < $target_24h_ms ms, 30 d < $target_30d_ms ms; best of 3 runs in one session (psql \timing)

$summary
all targets: $([ "$all_met" = 1 ] && echo met || echo NOT met)
EOF
)
  echo "$plans"
  echo "$figures"
  mkdir -p "$results_dir"
  printf '%s\n\n%s\n' "$figures" "$plans" >>"$results_dir/bi-queries-$(date -u +%Y-%m-%d).txt"
  echo "(appended to bench/results/bi-queries-$(date -u +%Y-%m-%d).txt)"
  [ "$all_met" = 1 ]
}

main "$@"
