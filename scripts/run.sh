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
MODEL=${MODEL:-models/pct-assistant.tar.gz}
BIN=.venv/bin
log_dir=$(mktemp -d)

cleanup() { kill "${web_pid:-}" "${rasa_pid:-}" "$action_pid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$log_dir"; }
trap cleanup EXIT INT TERM

# Actions listen on loopback only: nothing outside this machine may call them.
SANIC_HOST=127.0.0.1 "$BIN/rasa" run actions --actions actions --port 5055 \
    >"$log_dir/actions.log" 2>&1 &
action_pid=$!
for _ in $(seq 60); do
    curl -fsS http://127.0.0.1:5055/health >/dev/null 2>&1 && break
    kill -0 "$action_pid" 2>/dev/null || { cat "$log_dir/actions.log"; exit 1; }
    sleep 0.5
done

if [ "${1:-}" = "--shell" ]; then
    "$BIN/rasa" shell --model "$MODEL" --endpoints endpoints.yml
    exit
fi

api_args=()
if [ -n "${RASA_AUTH_TOKEN:-}" ]; then
    api_args=(--enable-api --auth-token "$RASA_AUTH_TOKEN")
fi
"$BIN/rasa" run --model "$MODEL" --endpoints endpoints.yml --credentials credentials.yml \
    --interface 127.0.0.1 --port "$RASA_PORT" "${api_args[@]}" &
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
