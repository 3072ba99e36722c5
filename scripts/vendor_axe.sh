#!/usr/bin/env bash
# Vendor axe-core, the accessibility checker the widget tests run on the page
# (tests/test_widget.py), from the npm registry into tests/vendor/ (a build
# output), checked against the registry's published integrity hash. It is for
# the tests only: it lives outside web/, so scripts/serve_web.py never serves it.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE=axe-core@4.14.1
INTEGRITY=sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==
OUT=tests/vendor/axe.min.js

source scripts/npm_fetch.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fetch_verified "$PACKAGE" "$INTEGRITY" "$tmp" package/axe.min.js package/LICENSE
mkdir -p tests/vendor
cp "$tmp/package/axe.min.js" "$OUT"
cp "$tmp/package/LICENSE" tests/vendor/axe.LICENSE
echo "vendored $PACKAGE into $OUT"
