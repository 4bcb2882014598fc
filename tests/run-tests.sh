#!/usr/bin/env bash
# The whole test suite: configure, build, start a throwaway PostgreSQL cluster, run every
# test with ctest, and remove the cluster afterwards (also when tests fail or on Ctrl-C).
# Usage: tests/run-tests.sh [extra ctest arguments]
# Environment: BUILD_DIR (default build), CMAKE_ARGS (extra -D flags), JOBS (default nproc).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
jobs=${JOBS:-$(nproc)}

# shellcheck source=tests/pg-cluster.sh
. "$root/tests/pg-cluster.sh"

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j "$jobs"

cluster=$(mktemp -d /tmp/insights-test-pg.XXXXXX)
trap pg_cluster_stop EXIT
trap 'exit 130' INT TERM
pg_cluster_start "$cluster"
echo "run-tests: PostgreSQL $("$PG_CLUSTER_BIN/postgres" --version | awk '{print $3}') on $PGHOST (port $PGPORT)"

ctest --test-dir "$build" --output-on-failure "$@"
