#!/bin/sh
# Rasa in the scale-out profile (compose.yaml, deploy/k8s/): REST, socket.io and
# the messaging webhooks on port 5005 inside the deployment's network, with the
# shared stores of deploy/endpoints.yml. As in scripts/run.sh, Rasa's HTTP API is
# on only when RASA_AUTH_TOKEN or RASA_JWT_SECRET is set, and then every call
# needs it; nginx and the Ingress never route to the API anyway.
set -eu
set --
if [ -n "${RASA_AUTH_TOKEN:-}" ]; then
    set -- "$@" --auth-token "$RASA_AUTH_TOKEN"
fi
if [ -n "${RASA_JWT_SECRET:-}" ]; then
    set -- "$@" --jwt-secret "$RASA_JWT_SECRET" --jwt-method "${RASA_JWT_METHOD:-HS256}"
fi
if [ $# -gt 0 ]; then
    set -- --enable-api "$@"
fi
exec rasa run --model models/pct-assistant.tar.gz --endpoints deploy/endpoints.yml \
    --credentials credentials.yml --interface 0.0.0.0 --port 5005 "$@"
