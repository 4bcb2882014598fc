#!/usr/bin/env bash
# Runs deploy/insights-sync.service under a real systemd: boots /lib/systemd/systemd as PID 1
# of new PID and mount namespaces (its own /tmp, so its boot-time /tmp cleaning touches nothing
# outside, and its own journal), installs the unit there with only the paths changed, and syncs from insights-sim
# into a throwaway PostgreSQL on loopback. Checks: `systemctl start` returns once the daemon
# sent READY=1 (Type=notify) under the unit's full hardening, STATUS= is shown, rows land,
# the journal carries SOURCE=/WINDOW= fields, /readyz answers, `systemctl reload` reloads,
# `systemctl stop` ends with exit 0. Prints "systemd-check: ..." lines; exit 0 when all held.
#
# Usage: tests/deploy/systemd-service-check.sh SYNC_BINARY SIM_BINARY WORKDIR   (as root)
#
# The secret reaches the daemon through the unit's environment here, not LoadCredential=: in
# sandboxes such as this project's machines systemd leaves credential directories empty.
set -euo pipefail
sync_binary=$1 sim_binary=$2 work=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=tests/pg-cluster.sh
. "$root/tests/pg-cluster.sh"
# shellcheck source=tests/sim-start.sh
. "$root/tests/sim-start.sh"

fail() { echo "systemd-check: FAILED: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root (it boots systemd in new namespaces)"
[ -x /lib/systemd/systemd ] || fail "/lib/systemd/systemd missing (apt install systemd)"

rm -rf "$work"
mkdir -p "$work"
chmod 755 "$work"
manager_pid='' unshare_pid='' SIM_PID=''
cleanup() {
  # Killing PID 1 of the namespace kills every process in it, the service included.
  [ -n "$manager_pid" ] && kill -9 "$manager_pid" 2>/dev/null || true
  [ -n "$unshare_pid" ] && wait "$unshare_pid" 2>/dev/null || true
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null || true
  pg_cluster_stop
}
trap cleanup EXIT

PG_CLUSTER_LISTEN=127.0.0.1 pg_cluster_start "$work/pg" >/dev/null
psql -q -c "CREATE DATABASE service_check" postgres
sim_start "$sim_binary" "$work" --calls-per-hour 120 || fail "insights-sim did not start"

# Everything the service reads, under /mnt inside the namespace (ProtectHome= hides /root
# and /home, PrivateTmp= the real /tmp).
cp "$sync_binary" "$work/insights-sync"
cat >"$work/insights-sync.toml" <<EOF
[database]
url = "host=127.0.0.1 port=$PG_CLUSTER_PORT dbname=service_check user=insights_test"

[metrics]
listen = "127.0.0.1:0"

[sync]
initial_lookback_hours = 3

[[source]]
name = "check"
account_sid = "AC00000000000000000000000000000001"
secret_env = "CHECK_TWILIO_TOKEN"
api_url = "https://127.0.0.1:$SIM_PORT"
ca_file = "/mnt/sim-ca.pem"
EOF
sed -e 's|/usr/bin/insights-sync|/mnt/insights-sync|g' \
    -e 's|/etc/insights-sync/insights-sync.toml|/mnt/insights-sync.toml|g' \
    -e '/^LoadCredential=/d' -e '/^SetCredential=/d' -e '/^Environment=PGPASSFILE/d' \
    "$root/deploy/insights-sync.service" >"$work/insights-sync.service"
# LeakSanitizer (the test suite's sanitizer build) stops the world with ptrace at exit, which
# the unit's hardening forbids; the normal binary ignores the variable.
printf '[Service]\nEnvironment=CHECK_TWILIO_TOKEN=sim-auth-token ASAN_OPTIONS=detect_leaks=0\n' \
  >"$work/secret.conf"
chmod 644 "$work"/*.toml "$work"/*.service "$work"/*.conf "$work"/sim-ca.pem
chmod 755 "$work/insights-sync"

unshare --pid --fork --mount --mount-proc --propagation private sh -c \
  'mount --bind "$0" /mnt && mount -t tmpfs -o mode=1777 tmpfs /tmp &&
   { [ ! -d /var/log/journal ] || mount -t tmpfs tmpfs /var/log/journal; } &&
   exec /lib/systemd/systemd --system --unit=basic.target' "$work" \
  >"$work/systemd.log" 2>&1 &
unshare_pid=$!
for _ in $(seq 100); do
  manager_pid=$(pgrep -P "$unshare_pid" || true)
  [ -n "$manager_pid" ] && break
  sleep 0.1
done
[ -n "$manager_pid" ] || fail "systemd did not start: $(cat "$work/systemd.log")"
in_ns() { timeout 90 nsenter -t "$manager_pid" -m -p "$@"; }
for _ in $(seq 300); do
  state=$(in_ns systemctl is-system-running 2>/dev/null || true)
  case $state in running|degraded) break ;; esac
  sleep 0.2
done
echo "systemd-check: $(in_ns systemctl --version | head -1) booted ($state)"

in_ns sh -c 'mkdir -p /run/systemd/system/insights-sync.service.d &&
  cp /mnt/insights-sync.service /run/systemd/system/ &&
  cp /mnt/secret.conf /run/systemd/system/insights-sync.service.d/ && systemctl daemon-reload'
in_ns systemctl start insights-sync ||
  fail "systemctl start: $(in_ns journalctl -u insights-sync --no-pager | tail -20)"
show() { in_ns systemctl show insights-sync -p "$1" --value; }
echo "systemd-check: started: $(show ActiveState)/$(show SubState), status \"$(show StatusText)\""

rows=0
for _ in $(seq 150); do
  rows=$(psql -tA -d service_check -c "SELECT count(*) FROM call_summaries" 2>/dev/null || echo 0)
  [ "$rows" -gt 0 ] && break
  sleep 0.2
done
echo "systemd-check: $rows rows landed"
journal() { in_ns journalctl -u insights-sync --no-pager "$@"; }
# A window's line comes once its pass has ended, which may be after its first rows landed.
fields=''
for _ in $(seq 150); do
  fields=$(journal SOURCE=check -o verbose | grep -o 'WINDOW=.*' | head -1 || true)
  [ -n "$fields" ] && break
  sleep 0.2
done
echo "systemd-check: journal fields: $fields"
metrics=$(journal | grep -o 'http://127.0.0.1:[0-9]*' | head -1)
echo "systemd-check: readyz: $(curl -s "$metrics/readyz" || echo unreachable)"

in_ns systemctl reload insights-sync
for _ in $(seq 50); do journal | grep -q 'SIGHUP: configuration reloaded' && break; sleep 0.1; done
echo "systemd-check: reload: $(journal | grep -o 'SIGHUP: configuration reloaded.*' | head -1)"

in_ns systemctl stop insights-sync
echo "systemd-check: stopped: result $(show Result), exit status $(show ExecMainStatus)"
