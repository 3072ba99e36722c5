"""Telegram's, Slack's, Meta's and Twilio's APIs, faked on 127.0.0.1.

The channels' *_API_URL settings point the assistant's outgoing calls here
instead of at the real platforms: each request is recorded and answered as the
real API answers it (a wrong token is refused as the real one would be). The
`sign_*` helpers sign webhooks as each platform does, written from the
platforms' documentation rather than with the libraries the channels use.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

TELEGRAM_TOKEN = "123456789:AAtest-telegram-token"
TELEGRAM_BOT = "pct_test_bot"
TELEGRAM_SECRET = "telegram-secret_0123456789"
SLACK_TOKEN = "xoxb-test-slack-token"
SLACK_SECRET = "slack-signing-secret"
FACEBOOK_VERIFY = "facebook-verify-token"
FACEBOOK_SECRET = "facebook-app-secret"
FACEBOOK_TOKEN = "facebook-page-access-token"
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "twilio-auth-token"
TWILIO_NUMBER = "+15005550006"
# The public URLs the platforms would call (what a proxy would forward).
PUBLIC = "https://bot.example.org/webhooks"
TWILIO_WEBHOOK_URL = f"{PUBLIC}/twilio/webhook"
# API methods that send the person something
SENDING = {"sendMessage", "chat.postMessage", "me/messages", "Messages.json"}


@dataclass(frozen=True)
class Call:
    platform: str  # telegram, slack, facebook, twilio
    method: str  # sendMessage, chat.postMessage, me/messages, Messages.json ...
    query: dict[str, str]
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def recipient(self) -> str | None:
        body = self.body
        recipient = {
            "telegram": body.get("chat_id"),
            "slack": body.get("channel"),
            "facebook": (body.get("recipient") or {}).get("id"),
            "twilio": body.get("To"),
        }[self.platform]
        return None if recipient is None else str(recipient)


def _answer(call: Call) -> tuple[int, dict[str, Any]]:
    """What the real API answers (only the fields the clients read)."""
    body, now = call.body, int(time.time())
    if call.platform == "telegram":
        if call.query["token"] != TELEGRAM_TOKEN:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        if call.method == "getMe":
            user = {"id": 123456789, "is_bot": True, "first_name": "PCT"}
            return 200, {"ok": True, "result": {**user, "username": TELEGRAM_BOT}}
        if call.method == "sendMessage":
            chat = {"id": int(body["chat_id"]), "type": "private"}
            message = {"message_id": now, "date": now, "chat": chat}
            return 200, {"ok": True, "result": {**message, "text": body["text"]}}
        return 200, {"ok": True, "result": True}
    if call.platform == "slack":
        if call.headers.get("authorization") != f"Bearer {SLACK_TOKEN}":
            return 200, {"ok": False, "error": "invalid_auth"}
        return 200, {"ok": True, "channel": body.get("channel"), "ts": f"{now}.000100"}
    if call.platform == "facebook":
        if call.query.get("access_token") != FACEBOOK_TOKEN:
            return 400, {"error": {"message": "Invalid OAuth access token."}}
        return 200, {"recipient_id": call.recipient, "message_id": f"m_{now}"}
    basic = base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
    if call.headers.get("authorization") != f"Basic {basic}":
        return 401, {"code": 20003, "message": "Authenticate", "status": 401}
    message = {"to": body["To"], "from": body["From"], "body": body["Body"]}
    message.update(sid=f"SM{now:032d}", account_sid=TWILIO_SID, status="queued")
    return 201, message


def _route(path: str) -> tuple[str, str, dict[str, str]]:
    """(platform, method, path parameters) of an API path."""
    parts = path.strip("/").split("/")
    if parts[0].startswith("bot"):  # /bot<token>/<method>
        return "telegram", parts[1], {"token": parts[0].removeprefix("bot")}
    if parts[0] == "api":  # /api/chat.postMessage
        return "slack", parts[1], {}
    if parts[0] == "2010-04-01":  # /2010-04-01/Accounts/<sid>/Messages.json
        return "twilio", parts[-1], {}
    return "facebook", "/".join(parts[1:]), {}  # /v21.0/me/messages


class FakePlatforms:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    @classmethod
    @contextmanager
    def serve(cls) -> Iterator[FakePlatforms]:
        fake = cls()
        thread = threading.Thread(target=fake._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield fake
        finally:
            fake._server.shutdown()
            fake._server.server_close()

    @property
    def env(self) -> dict[str, str]:
        """Every channel on, calling this server."""
        return {
            "TELEGRAM_ACCESS_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_BOT_NAME": TELEGRAM_BOT,
            "TELEGRAM_WEBHOOK_URL": f"{PUBLIC}/telegram/webhook",
            "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
            "TELEGRAM_API_URL": self.url,
            "SLACK_BOT_TOKEN": SLACK_TOKEN,
            "SLACK_SIGNING_SECRET": SLACK_SECRET,
            "SLACK_API_URL": f"{self.url}/api/",
            "FACEBOOK_VERIFY_TOKEN": FACEBOOK_VERIFY,
            "FACEBOOK_APP_SECRET": FACEBOOK_SECRET,
            "FACEBOOK_PAGE_ACCESS_TOKEN": FACEBOOK_TOKEN,
            "FACEBOOK_GRAPH_URL": self.url,
            "TWILIO_ACCOUNT_SID": TWILIO_SID,
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "TWILIO_NUMBER": TWILIO_NUMBER,
            "TWILIO_WEBHOOK_URL": TWILIO_WEBHOOK_URL,
            "TWILIO_API_URL": self.url,
        }

    def called(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def sent_to(self, recipient: str) -> list[Call]:
        """Messages sent to one person (not typing indicators or lookups)."""
        with self._lock:
            return [
                c
                for c in self.calls
                if c.method in SENDING
                and c.recipient == recipient
                and "sender_action" not in c.body
            ]

    def wait_for(self, recipient: str, count: int, timeout_s: float = 30) -> list[Call]:
        """For channels that answer the webhook before the bot replies (Slack)."""
        deadline = time.monotonic() + timeout_s
        while len(sent := self.sent_to(recipient)) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(sent)} of {count} messages to {recipient}")
            time.sleep(0.1)
        time.sleep(0.5)  # anything sent after the expected ones shows too
        return self.sent_to(recipient)

    def _record(self, path: str, headers: dict[str, str], raw: bytes) -> Call:
        url = urlsplit(path)
        platform, method, params = _route(url.path)
        if headers.get("content-type", "").startswith("application/json"):
            body = json.loads(raw or b"{}")
        else:
            body = dict(parse_qsl(raw.decode(), keep_blank_values=True))
        query = {**dict(parse_qsl(url.query)), **params}
        call = Call(platform, method, query, headers, body)
        with self._lock:
            self.calls.append(call)
        return call

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, answer = _answer(fake._record(self.path, headers, raw))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:  # keep pytest's output clean
                pass

        return Handler


# --- signing webhooks as each platform does ----------------------------------


def sign_slack(
    body: bytes, timestamp: int | None = None, secret: str = SLACK_SECRET
) -> dict[str, str]:
    """Slack: v0=HMAC-SHA256("v0:<timestamp>:<body>") in hex."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    base = b"v0:" + ts.encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def sign_facebook(body: bytes, secret: str = FACEBOOK_SECRET) -> dict[str, str]:
    """Meta: sha256=HMAC-SHA256(body) in hex, and the legacy SHA-1 one."""
    sha256 = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    sha1 = hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()
    return {
        "X-Hub-Signature-256": f"sha256={sha256}",
        "X-Hub-Signature": f"sha1={sha1}",
    }


def sign_twilio(
    url: str, params: dict[str, str], token: str = TWILIO_TOKEN
) -> dict[str, str]:
    """Twilio: base64 HMAC-SHA1 of the URL, then each parameter's name and
    value in name order."""
    data = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()
    return {"X-Twilio-Signature": base64.b64encode(digest).decode()}
