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

"$(dirname "$0")/apt_install.sh" "the scale-out test" "${missing[@]}"
