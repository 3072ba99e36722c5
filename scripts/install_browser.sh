#!/usr/bin/env bash
# Debian's Chromium, for the widget tests (tests/test_widget.py). Playwright
# drives it; it never downloads a browser of its own. Safe to re-run.
set -euo pipefail

if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then
    exit 0
fi
"$(dirname "$0")/apt_install.sh" "the browser tests" chromium
