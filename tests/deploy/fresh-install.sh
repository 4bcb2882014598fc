#!/usr/bin/env bash
# Installs a .deb with plain `dpkg -i` into a root that holds nothing but the shell its
# maintainer scripts run in (dash: Essential, so on every Debian system) and the closure of the
# package's own Depends (each package as installed on this machine: its dpkg
# status stanza and its files), then runs the installed binary inside that root with chroot.
# If the package needed anything it does not declare — a library missing from Depends, a
# dependency dpkg cannot satisfy — dpkg or the dynamic loader fails here, as it would on a
# fresh machine.
# Usage: tests/deploy/fresh-install.sh PACKAGE.deb WORKDIR   (root, or user namespaces)
set -euo pipefail
deb=$(realpath "$1")
root=$2/root
rm -rf "$root"
mkdir -p "$root"/usr/{bin,lib,lib64,sbin} "$root"/var/lib/dpkg/{info,updates} "$root"/{proc,tmp}
# Debian 12 is merged-/usr: /bin, /lib, /lib64 and /sbin are links into /usr.
for dir in bin lib lib64 sbin; do ln -s "usr/$dir" "$root/$dir"; done
touch "$root/var/lib/dpkg/available"

# The names in a Depends/Pre-Depends value: first alternative, no version, no architecture.
package_names() { tr ',' '\n' | sed -e 's/|.*//' -e 's/(.*)//' -e 's/:.*//' -e 's/[[:space:]]//g' | sed '/^$/d'; }

declare -A seen=()
queue=(dash $(dpkg-deb -f "$deb" Pre-Depends Depends | sed 's/^[A-Za-z-]*: //' | package_names))
while [ ${#queue[@]} -gt 0 ]; do
  package=${queue[0]}; queue=("${queue[@]:1}")
  [ -n "${seen[$package]:-}" ] && continue
  seen[$package]=1
  queue+=($(dpkg-query -W -f='${Pre-Depends},${Depends}' "$package" | package_names))
done
echo "fresh-install: the root holds ${#seen[@]} packages: ${!seen[*]}"

for package in "${!seen[@]}"; do
  dpkg-query -s "$package" >>"$root/var/lib/dpkg/status"
  echo >>"$root/var/lib/dpkg/status"
  dpkg-query -L "$package" >"$root/var/lib/dpkg/info/$(dpkg-query -W -f='${binary:Package}' "$package").list"
  dpkg-query -L "$package" | while read -r path; do
    if [ -f "$path" ] || [ -L "$path" ]; then cp -a --parents "$path" "$root" 2>/dev/null || true; fi
  done
done

# Runs a command in new mount and PID namespaces (as root, or as a mapped root in a user
# namespace) with /proc mounted in the root: the loader reads /proc/self/exe to expand the
# binary's $ORIGIN RUNPATH, as it does on a real machine.
in_root() {
  local as_root=(); [ "$(id -u)" -eq 0 ] || as_root=(--map-root-user)
  unshare "${as_root[@]}" --mount --pid --fork sh -c 'mount -t proc proc "$0/proc" && exec "$@"' "$root" "$@"
}
in_root dpkg --root="$root" -i "$deb"
in_root chroot "$root" /usr/bin/insights-sync --version
in_root chroot "$root" /usr/bin/insights-sync --help >/dev/null
echo "fresh-install: installed and ran"
