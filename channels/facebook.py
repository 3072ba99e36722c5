"""Rasa's Facebook Messenger channel, checking Meta's SHA-256 signature.

Rasa 3.6 checks the legacy SHA-1 X-Hub-Signature with `==` (timing leaks the
digest), answers a wrong signature or verify token with 200, handles only the
first event of a batch, and posts to Graph API v2.12. Here X-Hub-Signature-256
is checked in constant time, refusals are 403, every event is handled, and
calls carry appsecret_proof. Each message or postback is passed on once
(channels/deliveries.py, by its `mid`): one Meta sends again is dropped.
Rasa's Messenger parses the events; the routes are ours because Rasa's create
that Messenger, with its client, inside.
Replies: quick replies as Messenger quick replies (Rasa's button template took
at most 3 and failed on our tel: links), web links and international numbers
as template buttons, other contacts as text.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fbmessenger import MessengerClient
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.facebook import FacebookInput, Messenger, MessengerBot
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import buttons as kinds
from channels import deliveries, disabled, identity, settings
from channels.settings import FacebookSettings

logger = logging.getLogger(__name__)

GRAPH_API_VERSION = "21.0"
SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_TITLE = 20  # characters, for quick replies and template buttons
MAX_TEMPLATE_BUTTONS = 3
MAX_QUICK_REPLIES = 13


def signature_valid(app_secret: str, body: bytes, header: str) -> bool:
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"sha256={digest}".encode(), header.encode())


def is_new(request: Request, event: dict[str, Any]) -> bool:
    """Whether the event is the first delivery of its message or postback."""
    sent = event.get("message") or event.get("postback") or {}
    sender = (event.get("sender") or {}).get("id")
    return deliveries.is_new(request, "facebook", sender, sent.get("mid"))


def graph_client(config: FacebookSettings) -> MessengerClient:
    client = MessengerClient(config.page_access_token, app_secret=config.app_secret)
    client.graph_url = f"{config.graph_url.rstrip('/')}/v{GRAPH_API_VERSION}"
    return client


def _title(title: str) -> str:
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1] + "…"


def _template_button(button: dict[str, Any]) -> dict[str, Any] | None:
    url, title = str(button["url"]), _title(str(button["title"]))
    if kinds.is_web_link(button):
        return {"type": "web_url", "url": url, "title": title}
    number = url.removeprefix("tel:")
    if url.startswith("tel:+"):  # Messenger dials only numbers with their country code
        return {"type": "phone_number", "payload": number, "title": title}
    return None


def _quick_reply(button: dict[str, Any]) -> dict[str, Any]:
    title = _title(str(button["title"]))
    return {"content_type": "text", "title": title, "payload": button["payload"]}


class LinkMessengerOutput(MessengerBot):
    async def send_text_with_buttons(
        self,
        recipient_id: str,
        text: str,
        buttons: list[dict[str, Any]],
        **kwargs: Any,
    ) -> None:
        template: list[dict[str, Any]] = []
        lines = [text]
        for button in filter(kinds.is_link, buttons):
            made = _template_button(button)
            if made and len(template) < MAX_TEMPLATE_BUTTONS:
                template.append(made)
            else:
                lines.append(kinds.line(button))
        text = "\n".join(lines)
        message: dict[str, Any] = (
            {
                "attachment": {
                    "type": "template",
                    "payload": {
                        "template_type": "button",
                        "text": text,
                        "buttons": template,
                    },
                }
            }
            if template
            else {"text": text}
        )
        replies = kinds.replies(buttons)[:MAX_QUICK_REPLIES]
        if replies:
            message["quick_replies"] = [_quick_reply(r) for r in replies]
        self.messenger_client.send(message, recipient_id, "RESPONSE")


class _Messenger(Messenger):
    """Rasa's event parsing, with our Graph client and replies; passes on the
    events `is_new` takes."""

    def __init__(
        self,
        config: FacebookSettings,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        is_new: Callable[[dict[str, Any]], bool],
    ) -> None:
        super().__init__(config.page_access_token, on_new_message)
        self.client = graph_client(config)
        self.is_new = is_new

    async def handle(self, payload: Any, metadata: dict[str, Any] | None) -> None:
        """Every event of the batch (Rasa returned after the first)."""
        entries = payload.get("entry", []) if isinstance(payload, dict) else []
        for event in (e for entry in entries for e in entry.get("messaging", [])):
            if not self.is_new(event):
                continue
            self.last_message = event
            if event.get("message"):
                await self.message(event, metadata)
            elif event.get("postback"):
                await self.postback(event, metadata)

    async def _handle_user_message(
        self, text: str, sender_id: str, metadata: dict[str, Any] | None
    ) -> None:
        message = UserMessage(
            text,
            LinkMessengerOutput(self.client),
            sender_id,
            input_channel=self.name(),
            metadata=metadata,
        )
        try:
            await self.on_new_message(message)
        except Exception:  # Meta would resend the event on a 500
            logger.exception("Facebook message not handled")


class HardenedFacebookInput(FacebookInput):
    """The `facebook` webhook, SHA-256 signed only; off without its variables."""

    def __init__(self, config: FacebookSettings | None) -> None:
        self.config = config
        super().__init__(
            config and config.verify_token,
            config and config.app_secret,
            config and config.page_access_token,
        )

    @classmethod
    def from_credentials(
        cls, credentials: dict[str, Any] | None
    ) -> HardenedFacebookInput:
        return cls(settings.facebook())

    def get_output_channel(self) -> LinkMessengerOutput | None:
        return LinkMessengerOutput(graph_client(self.config)) if self.config else None

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        config = self.config
        if config is None:
            return disabled.blueprint(self.name())
        webhook = Blueprint("fb_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            """Meta's subscription check when the webhook is registered."""
            token = request.args.get("hub.verify_token", "")
            if request.args.get("hub.mode") == "subscribe" and hmac.compare_digest(
                token.encode(), config.verify_token.encode()
            ):
                return response.text(request.args.get("hub.challenge", ""))
            return response.json({"error": "Wrong verify token."}, status=403)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            signature = request.headers.get(SIGNATURE_HEADER, "")
            if not signature_valid(config.app_secret, request.body, signature):
                logger.warning("Facebook request with a bad signature refused")
                return response.json({"error": "Not signed by Meta."}, status=403)
            messenger = _Messenger(
                config,
                identity.keyed(on_new_message),
                functools.partial(is_new, request),
            )
            await messenger.handle(request.json, self.get_metadata(request))
            return response.text("success")

        return webhook
