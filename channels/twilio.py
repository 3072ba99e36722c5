"""Rasa's Twilio channel for SMS and WhatsApp, signed, with opt-out and country.

Rasa 3.6 passes any POST to its webhook to the bot: no X-Twilio-Signature
check. Here Twilio's RequestValidator checks it against TWILIO_WEBHOOK_URL (the
URL as Twilio sees it; behind a proxy the server sees another) and a bad one
gets 403. The route is ours; Rasa's TwilioOutput sends. Also:

- Twilio's opt-out keywords (STOP, START ...) reach the bot as /opt_out and
  /opt_in; while the conversation's `opted_out` slot is set, nothing else is
  passed on, so the number gets nothing until it opts back in. The slot lives
  in the tracker, so it lasts as long as the tracker store keeps conversations.
- The sender's country, from the number's country code (libphonenumber; +1
  tells Canada from the US by area code), goes with each message as metadata,
  {"country": "GB"}, which the escalation uses to pick local services.
- A reply is one message from the number written to (SMS parts can arrive out
  of order), its options numbered; answering a number picks that option.
- WhatsApp messages have input_channel "whatsapp", SMS "twilio".
- Each message is passed on once (channels/deliveries.py, by `MessageSid`):
  one Twilio sends again gets the same empty answer and is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import phonenumbers
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.twilio import TwilioInput, TwilioOutput
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from channels import buttons as kinds
from channels import deliveries, disabled, identity, settings
from channels.settings import TwilioSettings

logger = logging.getLogger(__name__)

# Twilio's default keywords; with Advanced Opt-Out it also says which it saw.
OPT_OUT_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
OPT_IN_WORDS = {"START", "UNSTOP"}
OPT_OUT, OPT_IN = "/opt_out", "/opt_in"
WHATSAPP = "whatsapp:"


def opt_command(body: str, opt_out_type: str | None) -> str | None:
    """Twilio acts only on a message that is the keyword alone."""
    word = body.strip().upper()
    if opt_out_type == "STOP" or word in OPT_OUT_WORDS:
        return OPT_OUT
    if opt_out_type == "START" or word in OPT_IN_WORDS:
        return OPT_IN
    return None


def country_of(sender: str) -> str | None:
    """'whatsapp:+447400123456' -> 'GB'; None when the number is not valid."""
    try:
        number = phonenumbers.parse(sender.removeprefix(WHATSAPP))
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(number)
    # "001" is a non-geographic number, "ZZ" an unknown region
    return region if region and region.isalpha() and region != "ZZ" else None


def chosen_option(text: str, tracker: DialogueStateTracker | None) -> str:
    """'2' -> the payload of the second numbered option of the latest reply."""
    if tracker is None or not text.strip().isdigit():
        return text
    latest = next(
        (e for e in reversed(tracker.events) if isinstance(e, BotUttered)), None
    )
    options = kinds.replies(latest.data.get("buttons") or []) if latest else []
    number = int(text)
    return str(options[number - 1]["payload"]) if 0 < number <= len(options) else text


class TextTwilioOutput(TwilioOutput):
    def __init__(self, config: TwilioSettings, from_number: str) -> None:
        super().__init__(config.account_sid, config.auth_token, from_number)
        self.api.base_url = config.api_url

    async def send_text_message(
        self, recipient_id: str, text: str, **kwargs: Any
    ) -> None:
        await self._send_message(
            {"to": recipient_id, "from_": self.twilio_number, "body": text.strip()}
        )

    async def send_text_with_buttons(
        self,
        recipient_id: str,
        text: str,
        buttons: list[dict[str, Any]],
        **kwargs: Any,
    ) -> None:
        """Rasa's default sent each button as its own message, payload and all."""
        lines = [text, *(kinds.line(b) for b in buttons if kinds.is_link(b))]
        lines += [
            f"{number}. {option['title']}"
            for number, option in enumerate(kinds.replies(buttons), start=1)
        ]
        await self.send_text_message(recipient_id, "\n".join(lines))


class HardenedTwilioInput(TwilioInput):
    """The `twilio` webhook, Twilio-signed only; off without its variables."""

    def __init__(self, config: TwilioSettings | None) -> None:
        self.config = config
        super().__init__(
            config and config.account_sid,
            config and config.auth_token,
            config and config.number,
        )

    @classmethod
    def from_credentials(
        cls, credentials: dict[str, Any] | None
    ) -> HardenedTwilioInput:
        return cls(settings.twilio())

    def get_output_channel(
        self, from_number: str | None = None
    ) -> TextTwilioOutput | None:
        if self.config is None:
            return None
        return TextTwilioOutput(self.config, from_number or self.config.number)

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        country = country_of(request.form.get("From", ""))
        return {"country": country} if country else None

    def signed(self, request: Request) -> bool:
        if self.config is None:
            return False
        return RequestValidator(self.config.auth_token).validate(
            self.config.webhook_url or request.url,
            request.form,
            request.headers.get("X-Twilio-Signature", ""),
        )

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        if self.config is None:
            return disabled.blueprint(self.name())
        webhook = Blueprint("twilio_webhook", __name__)
        on_new_message = identity.keyed(on_new_message)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.signed(request):
                logger.warning("Twilio request with a bad signature refused")
                return response.json({"error": "Not signed by Twilio."}, status=403)
            sender, body = request.form.get("From"), request.form.get("Body")
            if not sender or body is None:
                return response.empty()
            if not deliveries.is_new(
                request, "twilio", sender, request.form.get("MessageSid")
            ):
                return response.empty()
            channel = "whatsapp" if sender.startswith(WHATSAPP) else self.name()
            tracker = await request.app.ctx.agent.tracker_store.retrieve(
                identity.key(channel, sender)
            )
            command = opt_command(body, request.form.get("OptOutType"))
            if command != OPT_IN and tracker and tracker.get_slot("opted_out"):
                return response.empty()  # opted out: not even stored
            await on_new_message(
                UserMessage(
                    command or chosen_option(body, tracker),
                    self.get_output_channel(request.form.get("To")),
                    sender,
                    input_channel=channel,
                    metadata=self.get_metadata(request),
                )
            )
            return response.empty()

        return webhook
