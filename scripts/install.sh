#!/usr/bin/env bash
# Create .venv with Python 3.10 and install exactly the pinned dependency set,
# then build the offline spaCy pipeline. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

python=$(scripts/find_python310.sh)
if ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; then
    echo "Creating .venv with $python"
    rm -rf .venv
    "$python" -m venv .venv
fi

export PIP_DISABLE_PIP_VERSION_CHECK=1
.venv/bin/python -m pip install --quiet pip==24.3.1
# --no-deps: the lock is the whole resolved set, so nothing else may sneak in.
.venv/bin/python -m pip install --quiet --no-deps -r requirements.lock
.venv/bin/python -m pip check
.venv/bin/python scripts/build_spacy_pipeline.py --install --quiet
touch .venv/.installed
echo "Installed into .venv"
