#!/usr/bin/env bash
# Create .venv with Python 3.10, install exactly the pinned, hash-checked runtime
# and dev sets (requirements.lock, requirements-dev.lock), then build the offline
# spaCy pipeline. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

python=$(scripts/find_python310.sh)
if ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
    echo "Creating .venv with $python"
    rm -rf .venv
    "$python" -m venv .venv
fi

export PIP_DISABLE_PIP_VERSION_CHECK=1
# pip first, at the version and hashes requirements.lock pins for it.
pip_req=$(mktemp)
trap 'rm -f "$pip_req"' EXIT
awk '/^pip==/ {p = 1; print; next} p && /^[^ ]/ {exit} p' requirements.lock > "$pip_req"
.venv/bin/python -m pip install --quiet --no-deps --require-hashes -r "$pip_req"
# --no-deps: the locks are the whole resolved set, so nothing else may sneak in;
# --require-hashes: every file must match a sha256 in them. The runtime lock (all
# the image gets) and the test and lint tools in one run: the packages both need
# are pinned alike in both.
.venv/bin/python -m pip install --quiet --no-deps --require-hashes \
    -r requirements.lock -r requirements-dev.lock
.venv/bin/python -m pip check
.venv/bin/python scripts/build_spacy_pipeline.py --install --quiet
touch .venv/.installed
echo "Installed into .venv"
