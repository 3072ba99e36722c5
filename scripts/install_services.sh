#!/usr/bin/env bash
# Debian's PostgreSQL, Redis and nginx, for the scale-out test (tests/test_scale_out.py).
# The test starts its own throwaway servers on free loopback ports
# (tests/services.py) and never uses the packages' system-wide services.
# Safe to re-run.
set -euo pipefail

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null; then
    sudo=(sudo)
else
    echo "Missing ${missing[*]}, and this user cannot install packages." >&2
    echo "Install them as root: apt-get install ${missing[*]} (Debian/Ubuntu)." >&2
    exit 1
fi
if ! command -v apt-get >/dev/null; then
    echo "Missing ${missing[*]}: install them with your system's package manager." >&2
    exit 1
fi
echo "Installing Debian's ${missing[*]} for the scale-out test"
install() { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
install || { "${sudo[@]}" apt-get update >/dev/null && install; }
