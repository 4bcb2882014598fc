#!/usr/bin/env bash
# Installs everything insights-sync needs to build, test and run its demo on Debian 12.
# Idempotent: packages already present are left alone. Uses sudo only when not root.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake pkg-config clang-format
  # the sanitizer build links with lld when it is there (cmake/Linker.cmake)
  lld
  # the fuzzers (fuzz/run.sh): clang 14 and its libFuzzer + sanitizer runtimes
  clang-14 libclang-rt-14-dev
  # libraries (Boost 1.81 is the product's fixed version, not Debian's default 1.74)
  libboost1.81-dev libboost-url1.81-dev
  libssl-dev libpqxx-dev libpq-dev rapidjson-dev libspdlog-dev libfmt-dev
  libcli11-dev libtomlplusplus-dev libsystemd-dev prometheus-cpp-dev
  # tests (systemd-analyze checks the service unit)
  libgtest-dev libgmock-dev systemd
  # tests: promtool (/usr/bin/promtool) checks and unit-tests deploy/prometheus/; Debian ships it
  # only in the server's package. Its postinst enables prometheus.service and starts it where
  # systemd runs as PID 1 (a Prometheus on :9090); `systemctl disable --now prometheus` if unwanted
  prometheus
  # the warehouse (tests start their own throwaway cluster from these binaries)
  postgresql-15 postgresql-client-15
  # the demo (deploy/quickstart.sh checks the simulator's HTTPS endpoint with it)
  curl
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -qq
as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
