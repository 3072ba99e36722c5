#!/usr/bin/env bash
# Install Debian packages for a test: apt_install.sh "what for" package...
# As root, or through sudo; otherwise it says what to run. Refreshes the package
# lists only when the install fails without.
set -euo pipefail

purpose=$1
shift
if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null; then
    sudo=(sudo)
else
    echo "Missing $*, and this user cannot install packages." >&2
    echo "Install as root: apt-get install $* (Debian/Ubuntu)." >&2
    exit 1
fi
if ! command -v apt-get >/dev/null; then
    echo "Missing $*: install with your system's package manager." >&2
    exit 1
fi
echo "Installing Debian's $* for $purpose"
install() { "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >/dev/null; }
install "$@" || { "${sudo[@]}" apt-get update >/dev/null && install "$@"; }
