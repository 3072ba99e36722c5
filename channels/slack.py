"""Rasa's Slack channel, refusing replayed and unsigned requests with 401.

Rasa 3.6 already checks Slack's v0 signature (HMAC-SHA256 of the timestamp and
raw body with the signing secret, compared in constant time) and refuses
timestamps more than five minutes off. Still missing: a captured request could
be replayed within those minutes, Slack's retries of an event were passed on
again unless their reason was a timeout, and a refusal was a 400. Here, in
the store every replica shares (channels/deliveries.py), each signature is
accepted once (a copy is a replay: 401) and each event once, by `event_id`
(Slack signs a retry anew: it is answered 200 and dropped). The URL check gets
its challenge back as plain text, as Slack documents. Replies: link buttons
only for web links (Rasa sent a contact's URL back to the bot as the button's
value), phone and SMS contacts as text, and up to 25 buttons (Rasa dropped
them all past 5).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from channels import buttons as kinds
from channels import deliveries, disabled, identity, settings
from channels.settings import SlackSettings

logger = logging.getLogger(__name__)

MAX_BUTTONS = 25  # Slack's limit for one actions block


class LinkSlackOutput(SlackBot):
    def __init__(
        self,
        config: SlackSettings,
        channel: str | None,
        thread_id: str | None,
        proxy: str | None,
    ) -> None:
        super().__init__(config.bot_token, channel, thread_id, proxy)
        self.client = AsyncWebClient(
            config.bot_token, proxy=proxy, base_url=config.api_url
        )

    async def send_text_with_buttons(
        self,
        recipient_id: str,
        text: str,
        buttons: list[dict[str, Any]],
        **kwargs: Any,
    ) -> None:
        text = kinds.with_contacts(text, buttons)
        elements = [
            {"type": "button", "text": _plain(b["title"]), "url": b["url"]}
            if kinds.is_web_link(b)
            else {"type": "button", "text": _plain(b["title"]), "value": b["payload"]}
            for b in buttons
            if not kinds.is_contact(b)
        ][:MAX_BUTTONS]
        blocks: list[dict[str, Any]] = [{"type": "section", "text": _plain(text)}]
        if elements:
            blocks.append({"type": "actions", "elements": elements})
        await self._post_message(
            channel=self.slack_channel or recipient_id,
            as_user=True,
            text=text,
            blocks=blocks,
        )


def _plain(text: str) -> dict[str, str]:
    return {"type": "plain_text", "text": text}


class HardenedSlackInput(SlackInput):
    """Rasa's `slack` webhook, each signed request once; off without its variables."""

    def __init__(self, config: SlackSettings | None) -> None:
        self.config = config
        super().__init__(
            config.bot_token if config else "",
            # Rasa's from_credentials defaults, which its __init__ lacks
            slack_retry_reason_header="x-slack-retry-reason",
            slack_retry_number_header="x-slack-retry-num",
            slack_signing_secret=config.signing_secret if config else "",
        )

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> HardenedSlackInput:
        return cls(settings.slack())

    def _validate_credentials(self) -> None:
        if self.config:  # an off channel has no secret to check
            super()._validate_credentials()

    def get_output_channel(
        self, channel: str | None = None, thread_id: str | None = None
    ) -> LinkSlackOutput | None:
        if self.config is None:
            return None
        return LinkSlackOutput(
            self.config, channel or self.slack_channel, thread_id, self.proxy
        )

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        if self.config is None:
            return disabled.blueprint(self.name())
        webhook = super().blueprint(identity.keyed(on_new_message))

        @webhook.middleware("request")
        async def only_from_slack(request: Request) -> HTTPResponse | None:
            if not request.path.endswith("/webhook"):  # the health check
                return None
            if not self.signed_once(request):
                logger.warning("Slack request with a bad or replayed signature refused")
                return response.json({"error": "Not signed by Slack."}, status=401)
            body = request.json if request.content_type == "application/json" else {}
            if not isinstance(body, dict):
                return None
            if body.get("type") == "url_verification":
                # Slack's documented answer; Rasa's was the challenge as a JSON string
                return response.text(str(body.get("challenge", "")))
            event = body.get("event")
            user = event.get("user") if isinstance(event, dict) else None
            if not deliveries.is_new(request, "slack", user, body.get("event_id")):
                return response.text("")  # what Rasa answers an event
            return None

        return webhook

    def signed_once(self, request: Request) -> bool:
        """Rasa's signature and timestamp check, and not seen before."""
        if not self.is_request_from_slack_authentic(request):
            return False
        signature = request.headers["X-Slack-Signature"]
        return deliveries.is_new(request, "slack", None, signature)
