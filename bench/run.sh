#!/usr/bin/env bash
# The performance benchmark of issue 8 (see bench/README.md): one command, every figure
# measured in the same run, each target printed as MET or NOT MET.
#
# It builds what it needs (insights-sync, insights-sim, bench/live_tail_day), starts a
# throwaway PostgreSQL cluster and insights-sim over HTTPS, then, with the sim holding N
# summaries for the account in HOURS one-hour windows (all past the settle horizon):
#   1. insights-sync: `backfill --run` of the range into an empty database (wall, rows/s, peak
#      RSS, CPU of the daemon and of the PostgreSQL server, API requests);
#   2. the same range again, nothing changed: rows/s, and the tuples it wrote (pg_stat and
#      xmin: both must show none);
#   3. floor: the rows insights-sync wrote, copied out (COPY TO) and timed as `\copy ... FROM`
#      into an empty, freshly migrated database (same table, same indexes);
#   4. per-row baseline: the same rows as one INSERT ... ON CONFLICT DO UPDATE per row with
#      autocommit (psql running a generated script: the loop people write first);
#   5. peak RSS for 5 × N (a backfill of 5 × HOURS at the same rate into another database);
#   6. API requests of one simulated day of live tail (bench/live_tail_day);
#   7. bench/backfill-latency.sh (300 ms per API request): wall time against the ideal.
# Exit 0 when every target is met, 1 when one is not, 2 when the benchmark could not run.
#
# Usage: bench/run.sh
# Environment (defaults in brackets):
#   N               summaries in the backfill [200000]
#   HOURS           one-hour windows they are spread over [24]; 5 × N uses 5 × HOURS
#   PER_ROW_ROWS    rows the per-row baseline upserts (the first ones of the same set) [10000]
#   LIVE_CALLS_PER_HOUR  the live-tail day's calls per hour [250: one page per window]
#   CONCURRENCY     source.concurrency [4]
#   SKIP_5N=1, SKIP_LIVE=1, SKIP_LATENCY=1  leave a phase out (its target is then not judged)
#   BUILD_DIR       build directory [build-bench]; configured with tests on (the live-tail
#                   program uses the test support library)
#   KEEP_LOGS=1     keep the work directory
# The table is printed and appended to bench/results/run-<UTC date>.txt.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
n=${N:-200000}
hours=${HOURS:-24}
per_row_rows=${PER_ROW_ROWS:-10000}
live_calls_per_hour=${LIVE_CALLS_PER_HOUR:-250}
concurrency=${CONCURRENCY:-4}
keep_logs=${KEEP_LOGS:-0}
sync_bin=$build/daemon/insights-sync
sim_bin=$build/sim/insights-sim
live_bin=$build/bench/live_tail_day
results_dir=$root/bench/results
settled_hours=6  # the range ends this long before the current hour: past the 5 h horizon

account_sid=AC00000000000000000000000000000001
export INSIGHTS_BENCH_SECRET=sim-auth-token
export PGTZ=UTC

# shellcheck source=tests/pg-cluster.sh
. "$root/tests/pg-cluster.sh"
# shellcheck source=tests/sim-start.sh
. "$root/tests/sim-start.sh"

work=""
sim_pid=""
sim_port=""
declare -A figure=()  # name → value, for the table
verdicts=()           # "target|measured|MET or NOT MET"
failed=0

die() { printf 'bench/run: %s\n' "$*" >&2; exit 2; }
say() { printf '\n== %s\n' "$*" >&2; }
psql_db() { local db=$1; shift; "$PG_CLUSTER_BIN/psql" -X -q -tA -v ON_ERROR_STOP=1 -d "$db" "$@"; }
toml_string() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }
conninfo_value() { local s=${1//\\/\\\\}; printf "'%s'" "${s//\'/\\\'}"; }
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
calc() { awk "BEGIN { $1 }"; }
sim_get() { curl -fsS --cacert "$work/sim-ca.pem" "https://127.0.0.1:$sim_port$1"; }
json_int() {
  local value
  value=$(sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" <<<"$1")
  echo "${value:-0}"
}

stop_process() {
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 0
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

cleanup() {
  stop_process "$sim_pid"
  pg_cluster_stop
  if [ -n "$work" ]; then
    if [ "$keep_logs" = 1 ]; then echo "logs kept in $work" >&2; else rm -rf "$work"; fi
  fi
}

check_settings() {
  local name value
  for name in N HOURS PER_ROW_ROWS LIVE_CALLS_PER_HOUR CONCURRENCY; do
    value=${!name:-1}
    [[ $value =~ ^[0-9]+$ ]] && (( value > 0 )) || die "$name must be a positive whole number"
  done
  (( (n + hours - 1) / hours < 65535 )) || die "N / HOURS must stay below 65535 calls an hour"
  (( 5 * hours + settled_hours < 29 * 24 )) || die "5 x HOURS must fit in the sim's 30 days"
}

build_binaries() {
  say "build ($build)"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINSIGHTS_BUILD_TESTS=ON \
    >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; die "cmake configure failed"; }
  cmake --build "$build" -j 2 --target insights-sync insights-sim live_tail_day \
    >>"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; die "the build failed"; }
}

# A fresh database with the product's schema.
new_database() {
  psql_db postgres -c "CREATE DATABASE $1" || die "could not create database $1"
  DATABASE_URL=$(conninfo "$1") "$sync_bin" migrate >"$work/migrate-$1.log" 2>&1 ||
    { cat "$work/migrate-$1.log" >&2; die "migrate $1 failed"; }
}

conninfo() {
  echo "host=$(conninfo_value "$PG_CLUSTER_DIR") port=$PG_CLUSTER_PORT user=$PGUSER dbname=$1"
}

write_config() {  # DATABASE: a config for the daemon against it
  cat >"$work/$1.toml" <<EOF
[database]
url = $(toml_string "$(conninfo "$1")")

[sync]
instance_name = "bench"

[metrics]
listen = ""

[[source]]
name = "sim"
account_sid = "$account_sid"
secret_env = "INSIGHTS_BENCH_SECRET"
api_url = "https://127.0.0.1:$sim_port"
ca_file = $(toml_string "$work/sim-ca.pem")
concurrency = $concurrency
EOF
}

# CPU clock ticks of the PostgreSQL server: the postmaster, its reaped children (backends
# that exited) and its live ones.
pg_ticks() {
  local postmaster total child fields children=()
  postmaster=$(head -n 1 "$PG_CLUSTER_DIR/data/postmaster.pid")
  read -ra fields <<<"$(sed 's/^.*) //' "/proc/$postmaster/stat")"
  total=$(( fields[11] + fields[12] + fields[13] + fields[14] ))
  read -ra children <"/proc/$postmaster/task/$postmaster/children" || true
  for child in "${children[@]}"; do
    read -ra fields <<<"$(sed 's/^.*) //' "/proc/$child/stat" 2>/dev/null)" || continue
    total=$(( total + fields[11] + fields[12] + fields[13] + fields[14] ))
  done
  echo "$total"
}

proc_ticks() {  # PID: user + system ticks of one live process
  local fields
  read -ra fields <<<"$(sed 's/^.*) //' "/proc/$1/stat")"
  echo $(( fields[11] + fields[12] ))
}

machine_ticks() {
  local cpu
  read -ra cpu </proc/stat
  echo $(( cpu[1] + cpu[2] + cpu[3] + cpu[6] + cpu[7] + cpu[8] ))
}

# Waits until only the cluster's own background processes are left (the client's backend
# exited and was reaped, so its CPU time is in the postmaster's count).
pg_settle() {
  local postmaster tries=0 children=()
  postmaster=$(head -n 1 "$PG_CLUSTER_DIR/data/postmaster.pid")
  while (( tries++ < 50 )); do
    read -ra children <"/proc/$postmaster/task/$postmaster/children" || true
    (( ${#children[@]} <= pg_background )) && return 0
    sleep 0.1
  done
}

# Runs "$@" timed; sets T_WALL, T_CPU (the command's user + system seconds), T_RSS_KIB (its
# peak RSS), T_PG_CPU (the server's CPU seconds meanwhile), T_SIM_CPU, T_OTHER_CPU (the rest
# of the machine: other work skews the figures).
timed() {
  local log=$1; shift
  local tick pg0 sim0 all0 t0 t1 rc=0
  tick=$(getconf CLK_TCK)
  pg_settle
  psql_db postgres -c CHECKPOINT  # no checkpoint debt from the previous phase
  pg0=$(pg_ticks); sim0=$(proc_ticks "$sim_pid"); all0=$(machine_ticks)
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%U %S %M' -o "$work/time.out" "$@" >"$log" 2>&1 || rc=$?
  t1=$EPOCHREALTIME
  pg_settle
  local pg1 sim1 all1 user sys rss
  pg1=$(pg_ticks); sim1=$(proc_ticks "$sim_pid"); all1=$(machine_ticks)
  read -r user sys rss < <(tail -n 1 "$work/time.out")
  T_WALL=$(calc "printf \"%.3f\", $t1 - $t0")
  T_CPU=$(calc "printf \"%.2f\", $user + $sys")
  T_RSS_KIB=$rss
  T_PG_CPU=$(calc "printf \"%.2f\", ($pg1 - $pg0) / $tick")
  T_SIM_CPU=$(calc "printf \"%.2f\", ($sim1 - $sim0) / $tick")
  T_OTHER_CPU=$(calc "o = ($all1 - $all0) / $tick - $T_CPU - $T_PG_CPU - $T_SIM_CPU; printf \"%.2f\", (o > 0 ? o : 0)")
  if [ "$rc" -ne 0 ]; then
    keep_logs=1
    tail -n 30 "$log" >&2
    die "$* exited with $rc (log: $log)"
  fi
}

warn_if_busy() {  # PHASE: other processes used over 10 % of a core during it
  if calc "if ($T_OTHER_CPU > 0.1 * $T_WALL) exit 0; exit 1"; then
    echo "WARNING: during $1 other processes used $T_OTHER_CPU CPU-s in $T_WALL s: not representative" >&2
    figure[warnings]+="$1 "
  fi
}

judge() {  # TARGET MEASURED OK(0/1)
  if [ "$3" = 1 ]; then verdicts+=("$1|$2|MET"); else verdicts+=("$1|$2|NOT MET"); failed=1; fi
}

backfill() {  # DATABASE FROM TO LOGNAME
  timed "$work/$4.log" "$sync_bin" --config "$work/$1.toml" --log-level info \
    backfill --from "$(iso "$2")" --to "$(iso "$3")" --run
}

# Minimum requests of a backfill in one-hour windows: one per 1,000 summaries of each window
# (a window's last page may be short), at least one per window.
minimum_pages() {
  psql_db "$1" -c "SELECT coalesce(sum(greatest(1, ceil(n / 1000.0))), 0) FROM
    (SELECT count(*) AS n FROM call_summaries GROUP BY date_trunc('hour', start_time)) w"
}

# Tuples written into call_summaries so far (inserts, updates, deletes) and a digest of every
# row's xmin (a rewritten row has a new one).
tuples_written() {
  psql_db "$1" -c "SELECT n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables
                   WHERE schemaname = 'public' AND relname = 'call_summaries'"
}
xmin_digest() {
  psql_db "$1" -c "SELECT md5(string_agg(xmin::text, ',' ORDER BY call_sid)) FROM call_summaries"
}

phase_backfill() {
  say "1. insights-sync backfill --run of $n summaries into an empty database"
  new_database e2e
  write_config e2e
  local before after
  before=$(sim_get /_sim/stats)
  backfill e2e "$start" "$end" backfill
  after=$(sim_get /_sim/stats)
  warn_if_busy "the backfill"
  rows=$(psql_db e2e -c 'SELECT count(*) FROM call_summaries')
  [ "$rows" -eq "$expected" ] || die "the backfill landed $rows rows; the sim holds $expected"
  figure[rows]=$rows
  figure[e2e_wall]=$T_WALL
  figure[e2e_rate]=$(calc "printf \"%.0f\", $rows / $T_WALL")
  figure[e2e_cpu]=$T_CPU
  figure[e2e_pg_cpu]=$T_PG_CPU
  figure[e2e_sim_cpu]=$T_SIM_CPU
  figure[e2e_other_cpu]=$T_OTHER_CPU
  figure[rss_n]=$T_RSS_KIB
  figure[backfill_requests]=$(( $(json_int "$after" api_requests) - $(json_int "$before" api_requests) ))
  figure[backfill_min]=$(minimum_pages e2e)
}

phase_no_change() {
  say "2. the same range again, nothing changed"
  local tuples0 tuples1 xmin0 xmin1
  tuples0=$(tuples_written e2e); xmin0=$(xmin_digest e2e)
  backfill e2e "$start" "$end" again
  warn_if_busy "the no-change pass"
  tuples1=$(tuples_written e2e); xmin1=$(xmin_digest e2e)
  figure[again_wall]=$T_WALL
  figure[again_rate]=$(calc "printf \"%.0f\", $rows / $T_WALL")
  figure[again_cpu]=$T_CPU
  figure[again_pg_cpu]=$T_PG_CPU
  figure[again_sim_cpu]=$T_SIM_CPU
  figure[again_other_cpu]=$T_OTHER_CPU
  figure[again_tuples]=$(( tuples1 - tuples0 ))
  figure[again_xmin]=$([ "$xmin0" = "$xmin1" ] && echo unchanged || echo CHANGED)
  local read_rows
  read_rows=$(psql_db e2e -c "SELECT sum(pass_rows) FROM work_items")
  [ "$read_rows" -eq "$rows" ] || die "the second pass read $read_rows rows, not $rows"
}

# An aggregate over the columns of call_summaries a writer fills (generated ones are not).
stored_columns() {
  psql_db e2e -c "SELECT $1 FROM information_schema.columns WHERE table_schema = 'public'
    AND table_name = 'call_summaries' AND is_generated = 'NEVER'"
}

phase_floor() {
  say "3. floor: COPY of the same rows into an empty database"
  # Written by the server (a file its account can write), read back by psql's \copy, so the
  # rows travel over the client connection as a loader's do.
  local file=$PG_CLUSTER_DIR/rows.copy columns
  columns=$(stored_columns "string_agg(column_name, ', ' ORDER BY ordinal_position)")
  psql_db e2e -c "COPY (SELECT $columns FROM call_summaries) TO '$file'"
  figure[copy_mib]=$(calc "printf \"%.0f\", $(stat -c %s "$file") / 1048576")
  new_database floor
  timed "$work/floor.log" "$PG_CLUSTER_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d floor \
    -c "\\copy call_summaries ($columns) FROM '$file'"
  warn_if_busy "the floor COPY"
  local copied
  copied=$(psql_db floor -c 'SELECT count(*) FROM call_summaries')
  [ "$copied" -eq "$rows" ] || die "the floor copied $copied rows, not $rows"
  figure[floor_wall]=$T_WALL
  figure[floor_rate]=$(calc "printf \"%.0f\", $rows / $T_WALL")
  figure[floor_pg_cpu]=$T_PG_CPU
  rm -f "$file"
}

phase_per_row() {
  local count=$(( per_row_rows < rows ? per_row_rows : rows ))
  say "4. per-row baseline: $count rows, one upsert statement each, autocommit"
  local columns values updates
  columns=$(stored_columns "string_agg(column_name, ', ' ORDER BY ordinal_position)")
  values=$(stored_columns "string_agg('quote_nullable(' || column_name || ')', ', ' ORDER BY ordinal_position)")
  updates=$(stored_columns "string_agg(column_name || ' = EXCLUDED.' || column_name, ', '
    ORDER BY ordinal_position) FILTER (WHERE column_name <> 'call_sid')")
  # The first rows the daemon wrote (physical order), as literal SQL.
  psql_db e2e -c "SELECT 'INSERT INTO call_summaries ($columns) VALUES (' || concat_ws(', ', $values)
      || ') ON CONFLICT (call_sid) DO UPDATE SET $updates;'
    FROM (SELECT * FROM call_summaries LIMIT $count) r" >"$work/per-row.sql"
  new_database perrow
  timed "$work/per-row.log" "$PG_CLUSTER_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d perrow \
    -f "$work/per-row.sql"
  warn_if_busy "the per-row baseline"
  local stored
  stored=$(psql_db perrow -c 'SELECT count(*) FROM call_summaries')
  [ "$stored" -eq "$count" ] || die "the per-row baseline stored $stored rows, not $count"
  figure[per_row_rows]=$count
  figure[per_row_wall]=$T_WALL
  figure[per_row_rate]=$(calc "printf \"%.0f\", $count / $T_WALL")
  rm -f "$work/per-row.sql"
}

phase_five_n() {
  say "5. insights-sync backfill --run of 5 x $n summaries (peak RSS)"
  new_database e2e5
  write_config e2e5
  backfill e2e5 "$(( end - 5 * hours * 3600 ))" "$end" backfill5
  warn_if_busy "the 5 x N backfill"
  local rows5
  rows5=$(psql_db e2e5 -c 'SELECT count(*) FROM call_summaries')
  [ "$rows5" -eq $(( 5 * expected )) ] || die "the 5 x N backfill landed $rows5 rows, not $(( 5 * expected ))"
  figure[rows5]=$rows5
  figure[e2e5_wall]=$T_WALL
  figure[e2e5_rate]=$(calc "printf \"%.0f\", $rows5 / $T_WALL")
  figure[rss_5n]=$T_RSS_KIB
  psql_db postgres -c 'DROP DATABASE e2e5'
}

phase_live_tail() {
  say "6. one simulated day of live tail at $live_calls_per_hour calls an hour"
  new_database live
  local output
  output=$("$live_bin" "$(conninfo live)" "$live_calls_per_hour" 2>"$work/live.log") ||
    { cat "$work/live.log" >&2; die "live_tail_day failed"; }
  figure[live_requests]=$(awk '$1 == "requests" { print $2 }' <<<"$output")
  figure[live_summaries]=$(awk '$1 == "summaries" { print $2 }' <<<"$output")
  figure[live_windows]=$(awk '$1 == "windows" { print $2 }' <<<"$output")
  figure[live_pages]=$(awk '$1 == "pages" { print $2 }' <<<"$output")
  figure[live_partial_windows]=$(awk '$1 == "partial_windows" { print $2 }' <<<"$output")
  figure[live_min]=$(( ${figure[live_pages]} + ${figure[live_partial_windows]} ))
  figure[live_annotation_pages]=$(awk '$1 == "annotation_pages" { print $2 }' <<<"$output")
  figure[live_annotation_edited]=$(awk '$1 == "annotation_edited_pages" { print $2 }' <<<"$output")
  figure[live_min_edits]=$(( ${figure[live_min]} + ${figure[live_annotation_edited]} ))
}

phase_latency() {
  say "7. bench/backfill-latency.sh (300 ms per API request)"
  local output rc=0
  output=$(BUILD_DIR=$build CONCURRENCY=$concurrency KEEP_LOGS=0 "$root/bench/backfill-latency.sh" 2>&1) || rc=$?
  echo "$output" >"$work/latency.log"
  [ "$rc" -le 1 ] || { echo "$output" >&2; die "bench/backfill-latency.sh could not run"; }
  figure[latency_requests]=$(sed -n 's/^requests: *\([0-9]*\) API.*/\1/p' <<<"$output")
  figure[latency_wall]=$(sed -n 's/^wall time: *\([0-9.]*\) s/\1/p' <<<"$output")
  figure[latency_ideal]=$(sed -n 's/^ideal: *\([0-9.]*\) s.*/\1/p' <<<"$output")
  figure[latency_ratio]=$(sed -n 's/^ratio: *\([0-9.]*\) .*/\1/p' <<<"$output")
  figure[latency_rows_ok]=$(grep -q 'rows landed:.*equal)' <<<"$output" && echo 1 || echo 0)
}

# The figures and the verdicts, as one table.
report() {
  local a b c
  local kib=1024
  echo "bench/run.sh $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet 2>/dev/null || echo '+changes')"
  echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)," \
    "$(awk '/MemTotal/ { printf "%.0f GiB RAM", $2 / 1048576 }' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "data: $rows summaries in $hours one-hour windows ($calls_per_hour calls/h), $(iso "$start") .. $(iso "$end"); concurrency $concurrency"
  echo
  printf '| %-44s | %s |\n' "figure" "value" "---" "---"
  printf '| %-44s | %s |\n' \
    "floor: COPY of the same rows (${figure[copy_mib]} MiB)" "${figure[floor_wall]} s, ${figure[floor_rate]} rows/s (PostgreSQL CPU ${figure[floor_pg_cpu]} s)" \
    "insights-sync backfill, empty database" "${figure[e2e_wall]} s, ${figure[e2e_rate]} rows/s" \
    "  ratio to the floor" "$(calc "printf \"%.2f\", ${figure[e2e_rate]} / ${figure[floor_rate]}")" \
    "  CPU: daemon / PostgreSQL / sim / other" "${figure[e2e_cpu]} / ${figure[e2e_pg_cpu]} / ${figure[e2e_sim_cpu]} / ${figure[e2e_other_cpu]} s" \
    "  API requests (minimum: ceil(n/1000) per window)" "${figure[backfill_requests]} ($(calc "printf \"%.2f\", ${figure[backfill_requests]} * 1000 / $rows") per 1,000 summaries; minimum ${figure[backfill_min]}, $(calc "printf \"%.2f\", ${figure[backfill_min]} * 1000 / $rows") per 1,000)" \
    "same range again, nothing changed" "${figure[again_wall]} s, ${figure[again_rate]} rows/s; tuples written ${figure[again_tuples]}, xmin ${figure[again_xmin]}" \
    "  CPU: daemon / PostgreSQL / sim / other" "${figure[again_cpu]} / ${figure[again_pg_cpu]} / ${figure[again_sim_cpu]} / ${figure[again_other_cpu]} s" \
    "per-row upserts, autocommit (${figure[per_row_rows]} rows)" "${figure[per_row_wall]} s, ${figure[per_row_rate]} rows/s" \
    "  insights-sync / per-row" "$(calc "printf \"%.1f\", ${figure[e2e_rate]} / ${figure[per_row_rate]}")" \
    "peak RSS of the daemon, N" "$(calc "printf \"%.1f\", ${figure[rss_n]} / $kib") MiB"
  if [ -n "${figure[rss_5n]:-}" ]; then
    printf '| %-44s | %s |\n' \
      "peak RSS of the daemon, 5 x N (${figure[rows5]} rows)" "$(calc "printf \"%.1f\", ${figure[rss_5n]} / $kib") MiB (backfill ${figure[e2e5_wall]} s, ${figure[e2e5_rate]} rows/s)"
  fi
  if [ -n "${figure[live_requests]:-}" ]; then
    printf '| %-44s | %s |\n' \
      "live tail, one simulated day ($live_calls_per_hour calls/h)" "${figure[live_requests]} requests for ${figure[live_summaries]} summaries in ${figure[live_windows]} windows ($(calc "printf \"%.2f\", ${figure[live_requests]} * 1000 / ${figure[live_summaries]}") per 1,000)" \
      "  minimum (pages + 1 per window with partials)" "${figure[live_pages]} + ${figure[live_partial_windows]} = ${figure[live_min]} ($(calc "printf \"%.2f\", ${figure[live_min]} * 1000 / ${figure[live_summaries]}") per 1,000)" \
      "  of the requests: annotation passes" "${figure[live_annotation_pages]} (windows about 2 days old, read once more for annotations edited after completion)" \
      "  minimum with the annotation re-reads" "${figure[live_min]} + ${figure[live_annotation_edited]} (passes that found an edited summary) = ${figure[live_min_edits]}"
  fi
  if [ -n "${figure[latency_ratio]:-}" ]; then
    printf '| %-44s | %s |\n' \
      "backfill under 300 ms latency (backfill-latency.sh)" "${figure[latency_wall]} s for ${figure[latency_requests]} requests; ideal ${figure[latency_ideal]} s"
  fi
  echo
  printf '| %-52s | %-12s | %s |\n' "target" "measured" "verdict" "---" "---" "---"
  local verdict
  for verdict in "${verdicts[@]}"; do
    IFS='|' read -r a b c <<<"$verdict"
    printf '| %-52s | %-12s | %s |\n' "$a" "$b" "$c"
  done
  [ -z "${figure[warnings]:-}" ] || echo "WARNING: other work on the machine during: ${figure[warnings]}"
}

judge_all() {
  local r
  r=$(calc "printf \"%.2f\", ${figure[e2e_rate]} / ${figure[floor_rate]}")
  judge "end-to-end >= 0.8 x the COPY floor" "${r}x" "$(calc "print ($r >= 0.8)")"
  r=$(calc "printf \"%.1f\", ${figure[e2e_rate]} / ${figure[per_row_rate]}")
  judge "end-to-end >= 12 x the per-row baseline" "${r}x" "$(calc "print ($r >= 12)")"
  r=$(calc "printf \"%.1f\", ${figure[rss_n]} / 1024")
  judge "peak RSS <= 64 MiB (N)" "$r MiB" "$(calc "print ($r <= 64)")"
  if [ -n "${figure[rss_5n]:-}" ]; then
    r=$(calc "printf \"%.2f\", ${figure[rss_5n]} / ${figure[rss_n]}")
    # "No growth": within 10 % (allocator noise), and within 64 MiB itself.
    judge "no RSS growth from N to 5 x N (<= 1.10 x, <= 64 MiB)" "${r}x" \
      "$(calc "print ($r <= 1.10 && ${figure[rss_5n]} <= 65536)")"
  fi
  if [ -n "${figure[live_requests]:-}" ]; then
    # Two readings of "the minimum the data allows", both judged: the issue's formula against
    # the requests without the annotation passes (which it does not model), and the formula
    # plus the annotation re-reads the data needed against every request.
    r=$(calc "printf \"%.2f\", (${figure[live_requests]} - ${figure[live_annotation_pages]}) / ${figure[live_min]}")
    judge "live-tail requests <= 1.3 x the minimum (no annotation passes)" "${r}x" "$(calc "print ($r <= 1.3)")"
    r=$(calc "printf \"%.2f\", ${figure[live_requests]} / ${figure[live_min_edits]}")
    judge "live-tail requests <= 1.3 x the minimum (with annotation re-reads)" "${r}x" "$(calc "print ($r <= 1.3)")"
  fi
  if [ -n "${figure[latency_ratio]:-}" ]; then
    r=${figure[latency_ratio]}
    judge "backfill under latency <= 1.2 x ideal (all rows)" "${r}x" \
      "$(calc "print ($r <= 1.2 && ${figure[latency_rows_ok]} == 1)")"
  fi
  # Issue 18: a re-read of rows that did not change costs the database almost nothing.
  r=$(calc "printf \"%.2f\", ${figure[again_rate]} / ${figure[floor_rate]}")
  judge "the no-change pass >= 4 x the COPY floor's rows/s" "${r}x" "$(calc "print ($r >= 4)")"
  judge "the no-change pass writes zero tuples" "${figure[again_tuples]}, xmin ${figure[again_xmin]}" \
    "$([ "${figure[again_tuples]}" = 0 ] && [ "${figure[again_xmin]}" = unchanged ] && echo 1 || echo 0)"
}

# "rows": the summaries the API serves the account for [start, end), counted from the sim's
# truth an hour at a time (this also generates those hours, so the timed runs do not).
truth_rows() {
  local t total=0 count
  for (( t = $1; t < $2; t += 3600 )); do
    count=$(sim_get "/_sim/truth?AccountSid=$account_sid&StartTime=$(iso "$t")&EndTime=$(iso $(( t + 3600 )))" |
      grep -o '"call_sid":"CA[0-9a-f]*","account_sid"' | wc -l)
    total=$(( total + count ))
  done
  echo "$total"
}

main() {
  check_settings
  work=$(mktemp -d /tmp/insights-bench-run.XXXXXX)
  chmod 755 "$work"
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  build_binaries

  say "PostgreSQL and insights-sim"
  pg_cluster_start "$work/pg" >/dev/null || die "could not start PostgreSQL"
  local postmaster children=()
  postmaster=$(head -n 1 "$PG_CLUSTER_DIR/data/postmaster.pid")
  read -ra children <"/proc/$postmaster/task/$postmaster/children" || true
  pg_background=${#children[@]}
  calls_per_hour=$(( (n + hours - 1) / hours ))
  # No subaccounts: every call is the configured account's own, so the list serves them all.
  # A frozen clock: nothing changes between the passes (annotation edits happen hours after a
  # call, so a moving clock would change a few rows of the range between them).
  sim_start "$sim_bin" "$work" --calls-per-hour "$calls_per_hour" --subaccounts 0 --speed 0 ||
    die "insights-sim did not start"
  sim_pid=$SIM_PID
  sim_port=$SIM_PORT
  sim_get /_sim/health >/dev/null || die "insights-sim: HTTPS check failed"

  local hour_now
  hour_now=$(( $(date -u +%s) / 3600 * 3600 ))
  end=$(( hour_now - settled_hours * 3600 ))
  start=$(( end - hours * 3600 ))
  expected=$(truth_rows "$start" "$end")
  echo "range $(iso "$start") .. $(iso "$end"): the sim holds $expected summaries" >&2

  phase_backfill
  phase_no_change
  phase_floor
  phase_per_row
  [ "${SKIP_5N:-0}" = 1 ] || phase_five_n
  [ "${SKIP_LIVE:-0}" = 1 ] || phase_live_tail
  # Its own cluster and sim: ours stop first, so the machine is quiet.
  stop_process "$sim_pid"; sim_pid=""
  pg_cluster_stop
  [ "${SKIP_LATENCY:-0}" = 1 ] || phase_latency

  judge_all
  local table
  table=$(report)
  echo
  echo "$table"
  mkdir -p "$results_dir"
  printf '%s\n\n' "$table" >>"$results_dir/run-$(date -u +%Y-%m-%d).txt"
  echo "(appended to bench/results/run-$(date -u +%Y-%m-%d).txt)"
  return "$failed"
}

main "$@"
