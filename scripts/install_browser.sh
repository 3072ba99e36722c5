#!/usr/bin/env bash
# Debian's Chromium, for the widget tests (tests/test_widget.py). Playwright
# drives it; it never downloads a browser of its own. Safe to re-run.
set -euo pipefail

if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null; then
    sudo=(sudo)
else
    echo "Chromium is missing and this user cannot install packages." >&2
    echo "Install it as root: apt-get install chromium (Debian/Ubuntu)." >&2
    exit 1
fi
if ! command -v apt-get >/dev/null; then
    echo "Chromium is missing: install it with your system's package manager." >&2
    exit 1
fi
echo "Installing Debian's chromium for the browser tests"
"${sudo[@]}" apt-get install -y --no-install-recommends chromium >/dev/null \
    || { "${sudo[@]}" apt-get update >/dev/null && "${sudo[@]}" apt-get install -y --no-install-recommends chromium >/dev/null; }
