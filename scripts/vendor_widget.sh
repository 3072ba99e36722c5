#!/usr/bin/env bash
# Vendor the chat widget from the npm registry into web/vendor/ (a build output):
# rasa-webchat's self-contained browser bundle, checked against the registry's
# published integrity hash, with its Google Fonts @import removed so the page
# makes no request to a third-party host.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE=rasa-webchat@1.0.1
INTEGRITY=sha512-Ld1zVJvTAaTrs6A5p8t70agNNrKYRyXlvqXZRgBoDvKKUXbA0jhJKECi5bdPGlaR6jsmqWtVylHS+YqIqo0x8w==
OUT=web/vendor/rasa-webchat.js

source scripts/npm_fetch.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fetch_verified "$PACKAGE" "$INTEGRITY" "$tmp" package/lib/index.js package/LICENSE
mkdir -p web/vendor
sed -E 's#@import url\(https?://[^)]*\);?##g' "$tmp/package/lib/index.js" > "$OUT.tmp"
if grep -q 'fonts.googleapis' "$OUT.tmp"; then
    echo "$PACKAGE: a web-font import is still in the bundle" >&2
    exit 1
fi
mv "$OUT.tmp" "$OUT"
cp "$tmp/package/LICENSE" web/vendor/rasa-webchat.LICENSE
echo "vendored $PACKAGE into $OUT"
