#!/usr/bin/env bash
# The README's first command: the whole product on one machine. It builds insights-sync and
# insights-sim (the local stand-in for the Twilio API), starts a PostgreSQL cluster in .demo/pg
# and the simulator over HTTPS with its own CA, runs the daemon until the demo day (the 24
# hours that ended settle_after ago) has fully landed, stops it, and reports from the warehouse.
#
# Re-running is safe and quick: the cluster and its data stay in .demo/ (remove that directory
# to start over), so the daemon continues where it stopped and reads only the newest windows.
# On exit, also on errors and Ctrl-C, the simulator and the cluster are stopped.
# Environment: BUILD_DIR (default: build), DEMO_DIR (default: .demo).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
demo=$(realpath -m "${DEMO_DIR:-$root/.demo}")
sync_bin=$build/daemon/insights-sync
sim_bin=$build/sim/insights-sim
config=$demo/insights-sync.toml

# A window is re-read until this long after its end (the longest call plus the ~30 minutes
# Twilio takes to complete a summary); [sync] settle_after_minutes, written into the config.
settle_minutes=300
# 24 hours plus the settle horizon, plus an hour so the demo day starts on a full window.
lookback_hours=30
timeout_seconds=300

# The simulator's default credential. The daemon reads the secret from this variable: a
# secret never goes on a command line (process lists) or into the config file.
account_sid=AC00000000000000000000000000000001
export INSIGHTS_DEMO_SECRET=sim-auth-token
# Reports in UTC, as the API and `insights-sync status` show times.
export PGTZ=UTC

# shellcheck source=tests/pg-cluster.sh
. "$root/tests/pg-cluster.sh"
# shellcheck source=tests/sim-start.sh
. "$root/tests/sim-start.sh"

sim_pid=""
daemon_pid=""
daemon_started=""  # the database's clock when the daemon was started
sim_port=""

say() { printf '\n== %s\n' "$*"; }
die() { printf 'quickstart: %s\n' "$*" >&2; exit 1; }
# -X: no ~/.psqlrc; no pager, which would wait for a key on a terminal.
demo_psql() { "$PG_CLUSTER_BIN/psql" -X -q -P pager=off -v ON_ERROR_STOP=1 "$@"; }
insights_sync() { "$sync_bin" --config "$config" "$@"; }

# TOML basic string and libpq conninfo value, so unusual checkout paths survive.
toml_string() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }
conninfo_value() { local s=${1//\\/\\\\}; printf "'%s'" "${s//\'/\\\'}"; }

stop_process() {  # PID: SIGTERM, then wait for it (both exit 0 on SIGTERM)
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 0
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

cleanup() {
  stop_process "$daemon_pid"
  stop_process "$sim_pid"
  # Stopped cleanly and kept: the next run resumes it with all its data.
  pg_cluster_halt || echo "quickstart: could not stop PostgreSQL in $pg_dir" >&2
}

build_binaries() {
  say "dependencies and build ($build)"
  "$root/deploy/install-deps.sh"
  # No -DINSIGHTS_BUILD_TESTS here, so a build directory configured with tests keeps them.
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" -j "$(nproc)" --target insights-sync insights-sim
}

check_demo_dir() {
  mkdir -p "$demo"
  pg_dir=$demo/pg
  # As root, PostgreSQL runs as another account, which must reach its directory. It cannot
  # under a private parent such as /root: then the cluster lives under /var/tmp instead (one
  # per checkout), still kept between runs.
  if [ "$(id -u)" -eq 0 ]; then
    local owner
    owner=$(pg_cluster_user)
    if ! (cd / && runuser -u "$owner" -- test -x "$demo"); then
      pg_dir=/var/tmp/insights-demo-$(printf '%s' "$demo" | md5sum | cut -c1-12)/pg
      mkdir -p "$(dirname "$pg_dir")"
      chmod 755 "$(dirname "$pg_dir")"
      echo "quickstart: PostgreSQL runs as $owner, which cannot reach $demo;" \
        "its cluster lives in $pg_dir"
    fi
  fi
  # The server's socket lives in $pg_dir, and a unix socket path has at most 107 bytes.
  local socket=$pg_dir/.s.PGSQL.40000
  [ ${#socket} -le 107 ] || die "$pg_dir is too long a path for a unix socket; set DEMO_DIR"
}

start_warehouse() {
  say "PostgreSQL in $pg_dir"
  if [ -f "$pg_dir/data/PG_VERSION" ]; then
    [ -f "$demo/pg-port" ] || die "$demo/pg-port is missing; remove $demo to start over"
    pg_cluster_resume "$pg_dir" "$(cat "$demo/pg-port")"
    echo "resumed the existing cluster (port $PG_CLUSTER_PORT)"
  else
    pg_cluster_start "$pg_dir"
    # The port only names the unix socket (nothing listens on TCP); later runs reuse it.
    echo "$PG_CLUSTER_PORT" >"$demo/pg-port"
    echo "created a new cluster (port $PG_CLUSTER_PORT)"
  fi
  if [ -z "$(demo_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'insights'")" ]
  then
    demo_psql -d postgres -c 'CREATE DATABASE insights'
  fi
}

start_simulator() {
  say "insights-sim"
  # Every start makes a new CA (sim-ca.pem) for the daemon to trust. The data set (seed 1) is
  # the same at every start; its clock is real time.
  sim_start "$sim_bin" "$demo" --calls-per-hour 600 || die "insights-sim did not start"
  sim_pid=$SIM_PID
  sim_port=$SIM_PORT
  # The same TLS check the daemon will make: our CA, the certificate's 127.0.0.1 address.
  curl -fsS --retry 5 --retry-connrefused --retry-delay 1 --cacert "$demo/sim-ca.pem" \
    "https://127.0.0.1:$sim_port/_sim/health" >/dev/null || die "insights-sim: HTTPS check failed"
  head -n 1 "$demo/insights-sim.log"
}

write_config() {
  local url
  url="host=$(conninfo_value "$PG_CLUSTER_DIR") port=$PG_CLUSTER_PORT user=$PGUSER dbname=insights"
  cat >"$config" <<EOF
# Written by deploy/quickstart.sh at every run (the simulator's port changes).
[database]
url = $(toml_string "$url")

[metrics]
# Any free port (the daemon's log names it): the default 127.0.0.1:9464 may be taken on this
# machine, and `run` does not start without its endpoint.
listen = "127.0.0.1:0"

[sync]
initial_lookback_hours = $lookback_hours
settle_after_minutes = $settle_minutes
# A stable name: a re-run takes back at once whatever an interrupted run still held.
instance_name = "demo"

[[source]]
name = "sim"
account_sid = "$account_sid"
secret_env = "INSIGHTS_DEMO_SECRET"
api_url = "https://127.0.0.1:$sim_port"
ca_file = $(toml_string "$demo/sim-ca.pem")
EOF
}

start_daemon() {
  say "insights-sync migrate, check-config, run"
  insights_sync migrate
  insights_sync check-config
  daemon_started=$(demo_psql -d insights -tAc 'SELECT now()')
  # The binary itself, not the insights_sync function: $! must be the daemon's pid, not a
  # subshell's, for SIGTERM to reach it.
  "$sync_bin" --config "$config" run >"$demo/insights-sync.log" 2>&1 &
  daemon_pid=$!
  echo "insights-sync run started (pid $daemon_pid, log $demo/insights-sync.log)"
}

# One line "progress|landed": progress from `status --json` (PostgreSQL parses the JSON, as jq
# may be missing), landed from work_items: live windows exist, none that is due is unread (on
# the live and economical schedules the newest stay pending until 40 minutes after their end), every one
# that ended more than settle_after ago is settled, and every window that was due for a re-read
# when the daemon started has had it (so a re-run reports fresh rows, not the last run's).
poll_once() {
  local status
  status=$(insights_sync status --json)
  demo_psql -d insights -tA -v status="$status" -v settle="$settle_minutes" \
    -v started="$daemon_started" <<'SQL'
WITH s AS (
  SELECT (SELECT src FROM json_array_elements((:'status')::json -> 'sources') AS src
          WHERE src ->> 'name' = 'sim') AS src),
w AS (
  SELECT count(*) FILTER (WHERE kind = 'live') AS live,
         count(*) FILTER (WHERE state = 'pending' AND next_due_at <= now()) AS pending,
         count(*) FILTER (WHERE kind = 'live' AND state <> 'settled'
                          AND window_end <= now() - make_interval(mins => :settle)) AS late,
         count(*) FILTER (WHERE state IN ('pending', 'open')
                          AND next_due_at <= (:'started')::timestamptz) AS behind
  FROM work_items WHERE source = 'sim')
SELECT format('%s rows (%s partial); windows: %s settled, %s open, %s pending',
              coalesce(src ->> 'rows', '0'), coalesce(src ->> 'partial_rows', '0'),
              coalesce(src -> 'windows' ->> 'settled', '0'),
              coalesce(src -> 'windows' ->> 'open', '0'),
              coalesce(src -> 'windows' ->> 'pending', '0')),
       live > 0 AND pending = 0 AND late = 0 AND behind = 0
FROM s, w;
SQL
}

wait_for_demo_day() {
  say "syncing until every window that ended over $settle_minutes minutes ago is settled"
  local started=$SECONDS line="" landed=f last=""
  while :; do
    if ! kill -0 "$daemon_pid" 2>/dev/null; then
      tail -n 20 "$demo/insights-sync.log" >&2
      die "insights-sync run exited early (log: $demo/insights-sync.log)"
    fi
    IFS="|" read -r line landed <<<"$(poll_once)"
    line="[$(( SECONDS - started )) s] $line"
    # Rewrite one line on a terminal; in a log, print only what changed.
    if [ -t 1 ]; then printf '\r\033[K%s' "$line"; elif [ "${line#*] }" != "$last" ]; then
      echo "$line"; fi
    last=${line#*] }
    [ "$landed" = t ] && break
    if (( SECONDS - started >= timeout_seconds )); then
      [ -t 1 ] && echo
      tail -n 20 "$demo/insights-sync.log" >&2
      die "the demo day did not settle within $timeout_seconds s (log: $demo/insights-sync.log)"
    fi
    sleep 2
  done
  [ -t 1 ] && echo
  echo "the demo day has landed; stopping the daemon (SIGTERM)"
  local rc=0
  kill -TERM "$daemon_pid"
  wait "$daemon_pid" || rc=$?
  daemon_pid=""
  [ "$rc" -eq 0 ] || die "insights-sync run exited with $rc (log: $demo/insights-sync.log)"
}

report() {
  say "rows by processing state and call type"
  demo_psql -d insights -c "
    SELECT processing_state, call_type, count(*) AS rows
    FROM call_summaries GROUP BY 1, 2 ORDER BY 1, 2"

  say "windows that ended over $settle_minutes minutes ago (the demo day and before)"
  demo_psql -d insights -v settle="$settle_minutes" <<'SQL'
SELECT to_char(min(window_start), 'YYYY-MM-DD HH24:MI') AS first_start,
       to_char(max(window_end), 'YYYY-MM-DD HH24:MI') AS last_end,
       count(*) FILTER (WHERE state = 'settled') AS settled, count(*) AS windows
FROM work_items
WHERE source = 'sim' AND kind = 'live' AND window_end <= now() - make_interval(mins => :settle);
SQL

  say "newest windows, not settled yet"
  echo "They end less than $settle_minutes minutes ago, so calls in them can still end or" \
    "complete. Their calls are in the warehouse already: on the default live schedule the" \
    "daemon polls the calls Twilio lists as partial every 80 s and reads back those that" \
    "completed. It reads each window 40 minutes after its end (pending until then) and once" \
    "more $settle_minutes minutes after it, then settles it."
  demo_psql -d insights -v settle="$settle_minutes" <<'SQL'
SELECT to_char(window_start, 'YYYY-MM-DD HH24:MI') AS window_start,
       to_char(window_end, 'HH24:MI') AS "end", state, passes_completed AS passes,
       to_char(window_end + make_interval(mins => :settle), 'YYYY-MM-DD HH24:MI') AS settles_after
FROM work_items
WHERE source = 'sim' AND state <> 'settled'
ORDER BY window_start DESC;
SQL

  say "insights-sync status"
  echo "(overdue: partial rows the schedule should have seen complete by now, those of calls" \
    "that ended over 45 minutes ago; it stays at 0.)"
  insights_sync status
}

main() {
  build_binaries
  check_demo_dir
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  start_warehouse
  start_simulator
  write_config
  start_daemon
  wait_for_demo_day
  report
  say "done in $SECONDS s; run again to continue from here, remove $demo to start over"
}

main "$@"
