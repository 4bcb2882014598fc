#!/usr/bin/env bash
# Builds and runs the insights-sim throughput benchmark (see bench/README.md).
# Usage: bench/sim-throughput.sh [seconds per phase, default 5]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DINSIGHTS_BUILD_TESTS=ON >/dev/null
cmake --build "$build" -j "$(nproc)" --target sim_throughput
"$build/bench/sim_throughput" "${1:-5}"
