#!/usr/bin/env bash
# Resolve the dependencies for Python 3.10 (Linux) and pin them, each with the
# sha256 of every file PyPI has for that version:
#   requirements.in     -> requirements.lock      runtime: what the image installs
#   requirements-dev.in -> requirements-dev.lock  test and lint tools, resolved
#                                                 against requirements.lock
# Pins already in a lock are kept while they still fit, so a change to a .in file
# changes only what it must. To move everything to the newest releases that fit:
#   scripts/lock.sh --upgrade              (or --upgrade-package NAME, repeatable)
# Then both locks are installed into a throwaway venv exactly as scripts/install.sh
# does (--no-deps --require-hashes) and checked with `pip check`.
set -euo pipefail
cd "$(dirname "$0")/.."
python=$(scripts/find_python310.sh)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export PIP_DISABLE_PIP_VERSION_CHECK=1

# pip-tools and what it needs, pinned and hash-checked here. To move pip-tools on:
# `pip download --no-deps --only-binary :all:` the new wheels, `pip hash` each.
cat > "$tmp/tools.txt" <<'TOOLS'
pip==24.3.1 --hash=sha256:3790624780082365f47549d032f3770eeb2b1e8bd1f7b2e02dace1afa361b4ed
pip-tools==7.6.2 --hash=sha256:f37eb4b736859c2c30230e50977312c61918b7ef931071ff7811fd067715c25f
build==1.6.1 --hash=sha256:ecd351a4be9d35a9eaaba244a7687143c9c7d4aea6ac964e7e7ddab20cbcf4e7
click==8.5.1 --hash=sha256:8bb5376d2006950386f8c6427613334a2acadc5f559cb80e638d00b4df957e37
packaging==26.4 --hash=sha256:81383611a09c1bc0b08b76e0fd5829d7c6824c65b27a6aee339da133f4233ea2
pyproject_hooks==1.3.3 --hash=sha256:5fc53fdac9f7bd63fbcdc868fb5f90b4784d78a53a3d3388cd738b807441a20b
setuptools==70.3.0 --hash=sha256:fe384da74336c398e0d956d1cae0669bc02eed936cdb1d49b57de1990dc11ffc
tomli==2.5.0 --hash=sha256:32a7b79ac57a2e83670ce329ccf675798bc5a2094783a63676866b70503f2e2b
typing_extensions==4.16.0 --hash=sha256:481caa481374e813c1b176ada14e97f1f67a4539ce9cfeb3f350d78d6370c2e8
wheel==0.48.0 --hash=sha256:3217dcc807155e45db462d7ef2431f5ddda0d7273b700d05a67b271ceb1287ab
TOOLS
"$python" -m venv "$tmp/tools"
grep '^pip==' "$tmp/tools.txt" > "$tmp/pip.txt"
"$tmp/tools/bin/python" -m pip install --quiet --no-deps --require-hashes -r "$tmp/pip.txt"
"$tmp/tools/bin/python" -m pip install --quiet --no-deps --require-hashes \
    --only-binary :all: -r "$tmp/tools.txt"

# --allow-unsafe: pip, setuptools and wheel are pinned too (the image gets them);
# --strip-extras: requirements-dev.in uses requirements.lock as a constraint file;
# no index or find-links lines: a machine's pip configuration stays out of the locks.
export CUSTOM_COMPILE_COMMAND="make lock"
for name in requirements requirements-dev; do
    "$tmp/tools/bin/pip-compile" --quiet --generate-hashes --allow-unsafe \
        --strip-extras --no-emit-index-url --no-emit-find-links \
        --output-file "$name.lock" "$@" "$name.in"
done

# The same install as scripts/install.sh, into a throwaway venv.
"$python" -m venv "$tmp/check"
awk '/^pip==/ {p = 1; print; next} p && /^[^ ]/ {exit} p' requirements.lock > "$tmp/pip.txt"
"$tmp/check/bin/python" -m pip install --quiet --no-deps --require-hashes -r "$tmp/pip.txt"
"$tmp/check/bin/python" -m pip install --quiet --no-deps --require-hashes \
    -r requirements.lock -r requirements-dev.lock
"$tmp/check/bin/python" -m pip check
echo "requirements.lock and requirements-dev.lock updated"
