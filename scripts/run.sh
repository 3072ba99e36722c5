#!/usr/bin/env bash
# Start the action server, Rasa (REST + socket.io) and the demo page with the
# chat widget, or a terminal chat with --shell. All stop together on Ctrl-C.
# Expects `make train` and `make install` (the vendored widget) to have run.
set -euo pipefail
cd "$(dirname "$0")/.."

# Rasa would otherwise send usage telemetry and crash reports to a third party.
export RASA_TELEMETRY_ENABLED=false
RASA_PORT=${RASA_PORT:-5005}
WEB_PORT=${WEB_PORT:-8080}
# pages allowed to open the socket.io connection: the demo page, unless set
export WEBCHAT_ORIGINS=${WEBCHAT_ORIGINS:-http://localhost:$WEB_PORT,http://127.0.0.1:$WEB_PORT}
ACTION_PORT=${ACTION_PORT:-5055}
# its action_endpoint must point at ACTION_PORT (endpoints.yml: 5055)
ENDPOINTS=${ENDPOINTS:-endpoints.yml}
MODEL=${MODEL:-models/pct-assistant.tar.gz}
BIN=.venv/bin
# Pseudonymises who wrote each conversation and signs the website's sessions
# (channels/identity.py). Production supplies IDENTITY_SECRET from a secret
# store; for local use one is generated once, readable by this user only and
# kept apart from the conversation database.
if [ -z "${IDENTITY_SECRET:-}" ]; then
    export IDENTITY_SECRET_FILE=${IDENTITY_SECRET_FILE:-var/secrets/identity_secret}
    if [ ! -s "$IDENTITY_SECRET_FILE" ]; then
        (umask 077 && mkdir -p "$(dirname "$IDENTITY_SECRET_FILE")" &&
            "$BIN/python" -c 'import secrets; print(secrets.token_hex(32))' >"$IDENTITY_SECRET_FILE")
        echo "Generated $IDENTITY_SECRET_FILE (local use only; see README \"Conversation identity\")."
    fi
fi
log_dir=$(mktemp -d)
# Rasa's conversation store creates var/ (endpoints.yml: tracker_store) and
# deletes old conversations at start-up and daily (privacy/schedule.py).

cleanup() { kill "${web_pid:-}" "${rasa_pid:-}" "$action_pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$log_dir"; }
trap cleanup EXIT INT TERM

# Actions listen on loopback only: nothing outside this machine may call them.
# Sanic drops a connection that sends nothing for 5 s, even a new one; Rasa busy
# with many conversations can take longer to send, and the action would fail.
SANIC_HOST=127.0.0.1 SANIC_KEEP_ALIVE_TIMEOUT=60 "$BIN/rasa" run actions --actions actions --port "$ACTION_PORT" \
    >"$log_dir/actions.log" 2>&1 &
action_pid=$!
for _ in $(seq 60); do
    curl -fsS "http://127.0.0.1:$ACTION_PORT/health" >/dev/null 2>&1 && break
    kill -0 "$action_pid" 2>/dev/null || { cat "$log_dir/actions.log"; exit 1; }
    sleep 0.5
done

if [ "${1:-}" = "--shell" ]; then
    "$BIN/rasa" shell --model "$MODEL" --endpoints "$ENDPOINTS"
    exit
fi

# Rasa's HTTP API (conversations, models) is off unless a token or a JWT
# secret is set; then every call needs one of them.
api_args=()
if [ -n "${RASA_AUTH_TOKEN:-}" ]; then
    api_args+=(--auth-token "$RASA_AUTH_TOKEN")
fi
if [ -n "${RASA_JWT_SECRET:-}" ]; then
    api_args+=(--jwt-secret "$RASA_JWT_SECRET" --jwt-method "${RASA_JWT_METHOD:-HS256}")
fi
if [ ${#api_args[@]} -gt 0 ]; then
    api_args=(--enable-api "${api_args[@]}")
fi
# Browsers may call Rasa's HTTP routes only from these origins (none by default;
# the widget's socket.io connection is governed by WEBCHAT_ORIGINS).
cors_args=()
if [ -n "${RASA_CORS_ORIGINS:-}" ]; then
    IFS=, read -r -a origins <<<"$RASA_CORS_ORIGINS"
    cors_args=(--cors "${origins[@]}")
fi
"$BIN/rasa" run --model "$MODEL" --endpoints "$ENDPOINTS" --credentials credentials.yml \
    --interface 127.0.0.1 --port "$RASA_PORT" "${api_args[@]}" "${cors_args[@]}" &
rasa_pid=$!
until curl -fsS "http://127.0.0.1:$RASA_PORT/" >/dev/null 2>&1; do
    kill -0 "$rasa_pid" 2>/dev/null || exit 1
    sleep 0.5
done

"$BIN/python" scripts/serve_web.py --port "$WEB_PORT" --socket-url "http://localhost:$RASA_PORT" &
web_pid=$!
until curl -fsS "http://127.0.0.1:$WEB_PORT/" >/dev/null 2>&1; do
    kill -0 "$web_pid" 2>/dev/null || exit 1
    sleep 0.2
done
cat <<MSG

  The assistant is running.
    Chat in your browser:  http://localhost:$WEB_PORT
    REST:      curl -s localhost:$RASA_PORT/webhooks/rest/webhook \\
                 -d '{"sender": "me", "message": "why do I cry after sex?"}'
    socket.io: http://localhost:$RASA_PORT/socket.io (events user_uttered / bot_uttered)
    terminal:  make shell
  Ctrl-C stops it.

MSG
wait "$rasa_pid"
