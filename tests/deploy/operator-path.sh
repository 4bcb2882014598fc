#!/usr/bin/env bash
# The operator's path, as docs/operations.md gives it, on two "hosts" that share one database:
# each host is a real systemd booted as PID 1 in its own PID, mount and UTS namespaces, over an
# overlay of this machine's root (so dpkg, systemd and PostgreSQL change nothing outside), and
# both share one network namespace of their own. Host A runs Debian's stock PostgreSQL 15
# cluster (15/main, its own pg_hba.conf: scram-sha-256 over TCP) as `postgresql@15-main`.
#
# Every command an operator types is a step of docs/operations.md, extracted from the page and
# run as it is (`<!-- step: NAME -->` before a ```sh block). The package is the .deb CPack
# builds from BUILD_DIR, installed with apt; the unit runs byte for byte as the package ships
# it, with its LoadCredential= for the Twilio token and the database password.
#
# What this script does that an operator would do differently, and why:
# - The Twilio API is insights-sim on the hosts' loopback: each host's configuration gets its
#   api_url and ca_file (the sim's CA, in /srv/operator-test, a directory shared with the
#   hosts), and the sim's account SID with its auth token (no API key line).
# - Host B listens for /metrics on ":9465" (every interface, one of the documented forms): the
#   two hosts share one network namespace, where real hosts would each have their own :9464.
# - sync.schedule = "fresh" with a 1 s poll and a 10 s re-read, 15-minute windows and a 3 h
#   lookback, so both instances commit every few seconds and "keeps syncing" shows within a
#   test's time.
# - The second host's password file is copied from the first (an operator would scp it) and
#   names the same 127.0.0.1:5432: the hosts share the network namespace.
# - The "next release" is the same package with insights-sync-next (this code with one more,
#   expand, migration; tests/CMakeLists.txt) as its binary and "+next1" appended to its version.
#
# Prints "operator-path: ..." lines; exits 0 when every check held.
# Usage: tests/deploy/operator-path.sh BUILD_DIR SIM_BINARY NEXT_BINARY WORKDIR   (as root)
set -euo pipefail
build=$1 sim_binary=$2 next_binary=$3 work=$4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
docs=$repo/docs/operations.md
# shellcheck source=tests/sim-start.sh
. "$repo/tests/sim-start.sh"

say() { echo "operator-path: $*"; }
fail() {
  echo "operator-path: FAILED: $*" >&2
  for host in a b; do
    [ -n "${manager[$host]:-}" ] || continue
    echo "--- journal of host-$host:" >&2
    on "$host" journalctl --no-pager -n 60 -u insights-sync >&2 || true
  done
  exit 1
}
[ "$(id -u)" -eq 0 ] || fail "needs root (it boots systemd in new namespaces)"

rm -rf "$work"
mkdir -p "$work/share/release" "$work/share/next" "$work/share/steps"
chmod 755 "$work" "$work/share"
declare -A manager=()
SIM_PID=''
cleanup() {
  # Killing PID 1 of a namespace kills every process in it, the services and PostgreSQL too.
  for host in b a; do
    [ -n "${manager[$host]:-}" ] && kill -9 "${manager[$host]}" 2>/dev/null || true
  done
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  for host in a b; do umount -l "$work/$host/root" 2>/dev/null || true; done
}
trap cleanup EXIT

# --- The packages: this release, and the next one with one more migration. ---------------
say "build type: $(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")"
(cd "$work/share/release" && cpack -G DEB --config "$build/CPackConfig.cmake" \
  -B "$work/share/release" >"$work/cpack.log" 2>&1) || fail "cpack: $(tail -5 "$work/cpack.log")"
rm -rf "$work/share/release/_CPack_Packages"
deb=$(ls "$work"/share/release/insights-sync_*_amd64.deb)
version=$(dpkg-deb --field "$deb" Version)
tree=$work/next-tree
dpkg-deb -R "$deb" "$tree"
install -m 0755 "$next_binary" "$tree/usr/bin/insights-sync"
strip --strip-unneeded "$tree/usr/bin/insights-sync"
sed -i "s/^Version: .*/Version: $version+next1/" "$tree/DEBIAN/control"
(cd "$tree" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z |
  xargs -0 md5sum >DEBIAN/md5sums)
dpkg-deb --root-owner-group -b "$tree" "$work/share/next/insights-sync_${version}+next1_amd64.deb" \
  >/dev/null
say "packages: $(basename "$deb"), insights-sync_${version}+next1_amd64.deb"

# --- Two hosts. --------------------------------------------------------------------------
# boot NAME [NETNS]: an overlay of / as the root of new namespaces, /srv/operator-test shared,
# then systemd as PID 1 up to basic.target (what a server runs is started by hand below).
boot() {
  local name=$1 netns=${2:-} dir=$work/$1
  mkdir -p "$dir/upper" "$dir/overlay-work" "$dir/root"
  local enter=() namespaces=(--pid --fork --mount --uts --propagation private)
  if [ -n "$netns" ]; then enter=(nsenter "--net=$netns"); else namespaces+=(--net); fi
  "${enter[@]}" unshare "${namespaces[@]}" sh -c '
    set -e
    dir=$0 name=$1 share=$2
    mount -t overlay overlay -o "lowerdir=/,upperdir=$dir/upper,workdir=$dir/overlay-work" "$dir/root"
    mount --rbind /dev "$dir/root/dev"
    mount -t sysfs sysfs "$dir/root/sys" 2>/dev/null || mount --rbind /sys "$dir/root/sys"
    mount -t tmpfs -o mode=755 tmpfs "$dir/root/run"
    mount -t tmpfs -o mode=1777 tmpfs "$dir/root/tmp"
    mkdir -p "$dir/root/srv/operator-test"
    mount --bind "$share" "$dir/root/srv/operator-test"
    echo "host-$name" >"$dir/root/etc/hostname"
    hostname "host-$name"
    ip link set lo up
    cd "$dir/root"
    mkdir -p oldroot
    pivot_root . oldroot
    mount -t proc proc /proc
    umount -l /oldroot
    # Shared propagation, as on a booted machine: systemd moves each service'"'"'s credentials
    # mount into place from a namespace of its own.
    mount --make-rshared /
    exec /lib/systemd/systemd --system --unit=basic.target' "$dir" "$name" "$work/share" \
    >"$work/systemd-$name.log" 2>&1 &
  local outer=$!
  for _ in $(seq 100); do
    manager[$name]=$(pgrep -P "$outer" -f /lib/systemd/systemd || true)
    [ -n "${manager[$name]}" ] && break
    sleep 0.1
  done
  [ -n "${manager[$name]}" ] || fail "host-$name did not boot: $(cat "$work/systemd-$name.log")"
  local state=''
  for _ in $(seq 300); do
    state=$(on "$name" systemctl is-system-running 2>/dev/null || true)
    case $state in running | degraded) break ;; esac
    sleep 0.2
  done
  say "host-$name: $(on "$name" systemctl --version | head -1) booted ($state)"
}
# on HOST COMMAND...: COMMAND as root on HOST, with the environment of a root login (none of
# this test's PG*, INSIGHTS_* or sanitizer variables).
on() {
  local host=$1
  shift
  timeout 300 nsenter -t "${manager[$host]}" -m -p -u -n env -i HOME=/root LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}

# step HOST NAME [DIR]: the ```sh block after `<!-- step: NAME -->` in docs/operations.md, run
# by bash on HOST in DIR (stdin passed on), stopping at the first failing command.
step() {
  local host=$1 name=$2 dir=${3:-/root}
  awk -v name="$name" '
    $0 == "<!-- step: " name " -->" { found = 1; next }
    found && /^```/ { if (inside) exit; inside = 1; next }
    inside { print }' "$docs" >"$work/share/steps/$name.sh"
  [ -s "$work/share/steps/$name.sh" ] || fail "docs/operations.md has no step $name"
  on "$host" sh -c 'cd "$0" && exec bash -eo pipefail "$1"' "$dir" \
    "/srv/operator-test/steps/$name.sh" && return 0
  echo "operator-path: FAILED: host-$host: step $name failed" >&2
  return 1
}

boot a
boot b "/proc/${manager[a]}/ns/net"

# The existing PostgreSQL: Debian's cluster as installed, started by its own unit.
on a sh -c 'pg_lsclusters -h | grep -q "^15 *main " || pg_createcluster 15 main >/dev/null
            systemctl start postgresql@15-main' || fail "PostgreSQL did not start"
say "PostgreSQL: $(on a runuser -u postgres -- psql -tAc 'SELECT version()' | cut -d' ' -f1-2)," \
  "TCP from 127.0.0.1: $(on a runuser -u postgres -- psql -tAc \
  "SELECT auth_method FROM pg_hba_file_rules WHERE type = 'host' AND address = '127.0.0.1' LIMIT 1")"

# The Twilio API: insights-sim in the hosts' network namespace.
printf '#!/bin/sh\nexec nsenter --net=/proc/%s/ns/net -- %s "$@"\n' "${manager[a]}" "$sim_binary" \
  >"$work/sim-in-netns"
chmod 755 "$work/sim-in-netns"
sim_start "$work/sim-in-netns" "$work/share" --calls-per-hour 120 || fail "insights-sim did not start"
chmod 644 "$work/share/sim-ca.pem"

# configure HOST LISTEN: the operator's edits of /etc/insights-sync/insights-sync.toml.
configure() {
  on "$1" sed -i \
    -e 's|^account_sid = .*|account_sid = "AC00000000000000000000000000000001"|' \
    -e '/^api_key_sid = /d' \
    -e "s|^# api_url = .*|api_url = \"https://127.0.0.1:$SIM_PORT\"|" \
    -e 's|^# ca_file = .*|ca_file = "/srv/operator-test/sim-ca.pem"|' \
    -e "s|^listen = .*|listen = \"$2\"|" \
    -e 's|^window_minutes = .*|window_minutes = 15|' \
    -e 's|^initial_lookback_hours = .*|initial_lookback_hours = 3|' \
    -e 's|^schedule = .*|schedule = "fresh"|' \
    -e 's|^poll_interval_seconds = .*|poll_interval_seconds = 1|' \
    -e 's|^reread_interval_seconds = .*|reread_interval_seconds = 10|' \
    /etc/insights-sync/insights-sync.toml
}
show() { on "$1" systemctl show insights-sync -p "$2" --value; }
sql() { on a runuser -u postgres -- psql -d insights -tAc "$1"; }
# The sum of insights_pages_fetched_total of the instance listening on 127.0.0.1:PORT.
pages() {
  on a curl -fsS "http://127.0.0.1:$1/metrics" 2>/dev/null |
    awk '/^insights_pages_fetched_total/ { sum += $2 } END { print sum + 0 }'
}
# Both instances fetch and commit pages now (their counters move within 30 s).
both_syncing() {
  local a0 b0 a1 b1
  a0=$(pages 9464) b0=$(pages 9465)
  for _ in $(seq 60); do
    sleep 0.5
    a1=$(pages 9464) b1=$(pages 9465)
    if [ "$a1" -gt "$a0" ] && [ "$b1" -gt "$b0" ]; then return 0; fi
  done
  return 1
}

# --- Host A: the install of docs/operations.md, step by step. ------------------------------
step a install-package /srv/operator-test/release
step a database
step a migrate
step a grants
step a password
printf 'sim-auth-token\n' | step a token
configure a 127.0.0.1:9464
step a instance-name
step a check >"$work/check-a.log" 2>&1 || fail "check-config: $(cat "$work/check-a.log")"
say "check-config --connect: $(grep -c . "$work/check-a.log") lines, exit 0"
step a start
say "host-a started: $(show a ActiveState)/$(show a SubState), status \"$(show a StatusText)\""
rows=0
for _ in $(seq 150); do
  rows=$(sql "SELECT count(*) FROM call_summaries" 2>/dev/null || echo 0)
  [ "$rows" -gt 0 ] && break
  sleep 0.2
done
say "host-a: $rows rows landed"
say "database role: owner of call_summaries $(sql "SELECT tableowner FROM pg_tables WHERE tablename = 'call_summaries'")," \
  "insights_sync's password $(sql "SELECT CASE WHEN rolpassword LIKE 'SCRAM-SHA-256\$%' THEN 'scram-sha-256' ELSE 'other' END FROM pg_authid WHERE rolname = 'insights_sync'")," \
  "its sessions $(sql "SELECT string_agg(DISTINCT coalesce(host(client_addr), 'socket'), ',') FROM pg_stat_activity WHERE usename = 'insights_sync'")"
step a verify >"$work/verify-a.log" 2>&1 || fail "verify: $(cat "$work/verify-a.log")"
say "verify: $(grep -E '^(active|ready)$' "$work/verify-a.log" | tr '\n' ' ')"
on a systemctl restart insights-sync || fail "restart"
say "host-a restarted: $(show a ActiveState), restarts by systemd $(show a NRestarts)"
on a systemctl reload insights-sync || fail "reload"
for _ in $(seq 50); do
  on a journalctl --no-pager -u insights-sync | grep -q 'SIGHUP: configuration reloaded' && break
  sleep 0.1
done
say "reload: $(on a journalctl --no-pager -u insights-sync | grep -o 'SIGHUP: configuration reloaded.*' | head -1)"
fields=''
for _ in $(seq 150); do
  fields=$(on a journalctl --no-pager -u insights-sync SOURCE=main -o verbose | grep -o 'WINDOW=.*' | head -1)
  [ -n "$fields" ] && break
  sleep 0.2
done
say "journal fields: SOURCE=main $fields"

# --- Host B: the second instance. ---------------------------------------------------------
step b install-package /srv/operator-test/release
printf 'sim-auth-token\n' | step b token
on a cat /etc/insights-sync/pgpass >"$work/share/pgpass"
on b sh -c 'install -m 0600 /srv/operator-test/pgpass /etc/insights-sync/pgpass'
rm "$work/share/pgpass"
configure b :9465
step b instance-name
step b check >"$work/check-b.log" 2>&1 || fail "check-config on host-b: $(cat "$work/check-b.log")"
step b start
both_syncing || fail "not both syncing: pages $(pages 9464) / $(pages 9465)"
say "two instances: both syncing (pages fetched: host-a $(pages 9464), host-b $(pages 9465))"
exporters=0
for port in 9464 9465; do
  on a curl -fsS "http://127.0.0.1:$port/metrics" | grep -q '^insights_warehouse_exporter 1' &&
    exporters=$((exporters + 1))
done
say "warehouse exporters: $exporters"
say "host-b's endpoint on every interface: IPv4 $(on a curl -fsS http://127.0.0.1:9465/readyz)," \
  "IPv6 $(on a curl -fsS 'http://[::1]:9465/readyz')"

# The same name twice: host B started as host-a is refused, is not restarted, steals nothing.
on b sh -c 'printf "[Service]\nEnvironment=INSIGHTS__SYNC__INSTANCE_NAME=host-a\n" \
  >/etc/systemd/system/insights-sync.service.d/instance-name.conf && systemctl daemon-reload'
on b systemctl restart insights-sync 2>/dev/null && fail "host-b started as host-a"
sleep 7  # RestartSec=5s: a restart loop would have restarted it by now
say "same name: host-b $(show b ActiveState), exit status $(show b ExecMainStatus)," \
  "restarts by systemd $(show b NRestarts); host-a $(show a ActiveState)"
on b journalctl --no-pager -u insights-sync | grep -o 'another insights-sync is running as instance "host-a"[^(]*' |
  head -1 | sed 's/^/operator-path: refused: /'
step b instance-name
on b systemctl restart insights-sync || fail "host-b did not start again"
both_syncing || fail "not both syncing after the same-name refusal"

# --- Upgrade, one host after the other, with one more (expand) migration. ------------------
step a upgrade-package /srv/operator-test/next >"$work/upgrade-a.log" 2>&1 ||
  fail "upgrade package: $(cat "$work/upgrade-a.log")"
grep -o 'insights-sync: upgraded from [^;]*' "$work/upgrade-a.log" | head -1 | sed 's/^/operator-path: /'
say "after the package: host-a $(show a ActiveState) (still the old binary)"
step a upgrade-migrate >"$work/migrate-a.log" 2>&1 || fail "migrate: $(cat "$work/migrate-a.log")"
say "migrate: $(grep -o 'schema migrated from version [0-9]* to [0-9]*' "$work/migrate-a.log")"
step a upgrade-restart >/dev/null
both_syncing || fail "not both syncing with host-a upgraded and host-b on the older release"
say "rolling upgrade: host-a on $(on a dpkg-query -W -f='${Version}' insights-sync)," \
  "host-b on $(on b dpkg-query -W -f='${Version}' insights-sync), both syncing," \
  "host-b ready: $(on a curl -fsS http://127.0.0.1:9465/readyz)"
step b upgrade-package /srv/operator-test/next >/dev/null 2>&1
step b upgrade-restart >/dev/null
both_syncing || fail "not both syncing after both upgrades"
say "upgraded both: schema version $(sql 'SELECT max(version) FROM schema_migrations'), both syncing"

# --- The rest of the install: backfill, alert rules. --------------------------------------
step a backfill >"$work/backfill.log" 2>&1 || fail "backfill: $(cat "$work/backfill.log")"
backfilled=0
for _ in $(seq 150); do
  backfilled=$(sql "SELECT count(*) FROM work_items WHERE kind = 'backfill' AND passes_completed > 0")
  [ "$backfilled" -gt 0 ] && break
  sleep 0.2
done
say "backfill: $backfilled windows read"
say "alert rules: $(step a prometheus 2>&1 | grep -o 'SUCCESS: [0-9]* rules found' | head -1)"

# --- Removal. -----------------------------------------------------------------------------
on b systemctl stop insights-sync
say "stopped host-b: result $(show b Result), exit status $(show b ExecMainStatus)"
step b uninstall >/dev/null 2>&1
say "uninstalled host-b: unit $(on b systemctl cat insights-sync >/dev/null 2>&1 && echo present || echo gone)," \
  "package $(on b dpkg-query -W -f='${Status}' insights-sync 2>/dev/null || echo 'not installed')," \
  "/etc/insights-sync $(on b test -e /etc/insights-sync && echo present || echo gone)"
on a apt-get remove -y insights-sync >/dev/null 2>&1 || fail "apt-get remove"
say "removed on host-a: service $(show a ActiveState), processes left: $(on a pgrep -c -x insights-sync || true)"
step a drop-database >/dev/null
say "database dropped: $(on a runuser -u postgres -- psql -tAc \
  "SELECT count(*) FROM pg_database WHERE datname = 'insights'") databases named insights left"
say "done"
