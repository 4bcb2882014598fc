#!/usr/bin/env bash
# Starts and stops a local PostgreSQL 15 cluster for tests, benchmarks and the demo.
# Source it, then either
#   pg_cluster_start DIR          a new throwaway cluster in DIR (initdb, random port), and
#   pg_cluster_stop               stops it and removes DIR;
# or, for a cluster that outlives the script (the demo's .demo/pg):
#   pg_cluster_start DIR          once, then remember $PG_CLUSTER_PORT,
#   pg_cluster_halt               stops it and keeps DIR,
#   pg_cluster_resume DIR PORT    starts it again later (a no-op if it is already running).
# After a start or resume, INSIGHTS_TEST_PG holds a libpq connection string (superuser
# insights_test, unix socket, trust auth) and PGHOST/PGPORT/PGUSER point at the cluster too.
# Nothing listens on TCP unless PG_CLUSTER_LISTEN names an address, so any number of clusters
# can run side by side.

pg_cluster_bin() {
  local dir
  for dir in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  echo "pg-cluster: PostgreSQL server binaries not found; run deploy/install-deps.sh" >&2
  return 1
}

# PostgreSQL refuses to run as root: when we are root, the cluster belongs to an ordinary
# account (postgres if the package created it, else nobody).
pg_cluster_user() {
  if [ "$(id -u)" -ne 0 ]; then id -un; return; fi
  if id postgres >/dev/null 2>&1; then echo postgres; else echo nobody; fi
}

# From / : the owner may not be allowed into the caller's working directory (e.g. /root).
pg_cluster_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u "$PG_CLUSTER_OWNER" -- "$@"); else "$@"; fi
}

pg_cluster_start() {
  PG_CLUSTER_DIR=$1
  PG_CLUSTER_BIN=$(pg_cluster_bin) || return 1
  PG_CLUSTER_OWNER=$(pg_cluster_user)
  mkdir -p "$PG_CLUSTER_DIR"
  chmod 755 "$PG_CLUSTER_DIR"
  [ "$(id -u)" -eq 0 ] && chown "$PG_CLUSTER_OWNER" "$PG_CLUSTER_DIR"
  PG_CLUSTER_PORT=$(( 20000 + RANDOM % 20000 ))
  pg_cluster_as_owner "$PG_CLUSTER_BIN/initdb" -D "$PG_CLUSTER_DIR/data" -U insights_test \
    --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$PG_CLUSTER_DIR/initdb.log" 2>&1 || {
      cat "$PG_CLUSTER_DIR/initdb.log" >&2; return 1; }
  pg_cluster_launch
}

# Starts the existing cluster in DIR (made by pg_cluster_start) on PORT, with the settings
# pg_cluster_start uses. As root it runs as the account that owns the data directory, so a
# cluster made by an ordinary user resumes as that user.
pg_cluster_resume() {
  PG_CLUSTER_DIR=$1 PG_CLUSTER_PORT=$2
  PG_CLUSTER_BIN=$(pg_cluster_bin) || return 1
  if [ ! -f "$PG_CLUSTER_DIR/data/PG_VERSION" ]; then
    echo "pg-cluster: no cluster in $PG_CLUSTER_DIR/data" >&2; return 1
  fi
  PG_CLUSTER_OWNER=$(pg_cluster_user)
  [ "$(id -u)" -eq 0 ] && PG_CLUSTER_OWNER=$(stat -c %U "$PG_CLUSTER_DIR/data")
  # Still running (a previous script was killed before it could stop it): use it as it is.
  if pg_cluster_as_owner "$PG_CLUSTER_BIN/pg_ctl" -D "$PG_CLUSTER_DIR/data" status >/dev/null
  then
    pg_cluster_export
  else
    pg_cluster_launch
  fi
}

# Starts the server of PG_CLUSTER_DIR as PG_CLUSTER_OWNER on PG_CLUSTER_PORT (unix socket in
# PG_CLUSTER_DIR; TCP too on the addresses in $PG_CLUSTER_LISTEN, e.g. 127.0.0.1, for clients
# that cannot reach the socket) and exports the connection variables.
pg_cluster_launch() {
  # Durability settings are the server defaults on purpose: tests see real commit costs.
  pg_cluster_as_owner "$PG_CLUSTER_BIN/pg_ctl" -D "$PG_CLUSTER_DIR/data" \
    -l "$PG_CLUSTER_DIR/server.log" -w -t 60 -o "-c listen_addresses='${PG_CLUSTER_LISTEN:-}' \
    -c unix_socket_directories='$PG_CLUSTER_DIR' -p $PG_CLUSTER_PORT -c max_connections=200" \
    start >/dev/null || { cat "$PG_CLUSTER_DIR/server.log" >&2; return 1; }
  pg_cluster_export
}

pg_cluster_export() {
  export PGHOST=$PG_CLUSTER_DIR PGPORT=$PG_CLUSTER_PORT PGUSER=insights_test PGDATABASE=postgres
  export INSIGHTS_TEST_PG="host=$PG_CLUSTER_DIR port=$PG_CLUSTER_PORT user=insights_test"
  export PG_CLUSTER_DIR PG_CLUSTER_BIN PG_CLUSTER_OWNER PG_CLUSTER_PORT
}

pg_cluster_stop() {
  [ -n "${PG_CLUSTER_DIR:-}" ] || return 0
  if [ -f "$PG_CLUSTER_DIR/data/postmaster.pid" ]; then
    pg_cluster_as_owner "$PG_CLUSTER_BIN/pg_ctl" -D "$PG_CLUSTER_DIR/data" -m immediate \
      -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PG_CLUSTER_DIR"
  unset PG_CLUSTER_DIR
}

# Stops the server cleanly (no crash recovery at the next start) and keeps the cluster.
pg_cluster_halt() {
  [ -n "${PG_CLUSTER_DIR:-}" ] || return 0
  if [ -f "$PG_CLUSTER_DIR/data/postmaster.pid" ]; then
    pg_cluster_as_owner "$PG_CLUSTER_BIN/pg_ctl" -D "$PG_CLUSTER_DIR/data" -m fast -w stop \
      >/dev/null || return 1
  fi
  unset PG_CLUSTER_DIR
}
