"""Rasa's Telegram channel, taking updates only from Telegram.

Rasa 3.6 accepts any POST to its webhook as an update: it only checks that its
own token belongs to TELEGRAM_BOT_NAME. Telegram echoes the secret token given
to setWebhook in X-Telegram-Bot-Api-Secret-Token, so here a request without it
gets 403 before Rasa reads it. Rasa also set the webhook (without a secret)
from a throwaway event loop each time it built an output channel, leaving the
bot's HTTP session on a closed loop; here it is set once the server runs.
Each update is passed on once (channels/deliveries.py, by `update_id`): one
Telegram sends again is answered "success" and dropped.
Replies: quick replies and web links as inline buttons, one per row, phone
and SMS contacts as text; a tapped button is acknowledged so its spinner stops.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.bot.api import TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, User
from aiogram.utils.exceptions import TelegramAPIError
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.telegram import TelegramInput, TelegramOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import buttons as kinds
from channels import deliveries, disabled, identity, settings
from channels.settings import TelegramSettings

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
UPDATES = ["message", "edited_message", "callback_query"]  # what Rasa handles


def secret_matches(request: Request, secret: str) -> bool:
    sent = request.headers.get(SECRET_HEADER, "")
    return hmac.compare_digest(sent.encode(), secret.encode())


class LinkTelegramOutput(TelegramOutput):
    def __init__(self, config: TelegramSettings) -> None:
        super().__init__(config.access_token)
        self.server = TelegramAPIServer.from_base(config.api_url)
        self._me: User | None = None

    async def get_me(self) -> User:
        """Rasa asks on every update; the answer never changes."""
        if self._me is None:
            self._me = await super().get_me()
        return self._me

    async def send_text_with_buttons(
        self,
        recipient_id: str,
        text: str,
        buttons: list[dict[str, Any]],
        **kwargs: Any,
    ) -> None:
        # Inline URL buttons take only http(s) and tg: links.
        rows = [
            [
                InlineKeyboardButton(b["title"], url=b["url"])
                if kinds.is_web_link(b)
                else InlineKeyboardButton(b["title"], callback_data=b["payload"])
            ]
            for b in buttons
            if not kinds.is_contact(b)
        ]
        await self.send_message(
            recipient_id,
            kinds.with_contacts(text, buttons),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=rows) if rows else None,
        )

    async def set_secret_webhook(self, config: TelegramSettings) -> bool:
        # aiogram 2.15's set_webhook predates secret_token (Bot API 6.1).
        webhook = {
            "url": config.webhook_url,
            "secret_token": config.secret_token,
            "allowed_updates": json.dumps(UPDATES),
        }
        try:
            return bool(await self.request("setWebhook", webhook))
        except TelegramAPIError as error:
            logger.error("Telegram webhook not set: %s", error)
            return False


class HardenedTelegramInput(TelegramInput):
    """Rasa's `telegram` webhook behind the secret token; off without its variables."""

    def __init__(self, config: TelegramSettings | None) -> None:
        self.config = config
        self._output: LinkTelegramOutput | None = None
        super().__init__(
            config and config.access_token,
            config and config.bot_name,
            config and config.webhook_url,
            debug_mode=False,  # a failed turn must not make Telegram resend it
        )

    @classmethod
    def from_credentials(
        cls, credentials: dict[str, Any] | None
    ) -> HardenedTelegramInput:
        return cls(settings.telegram())

    def get_output_channel(self) -> LinkTelegramOutput | None:
        """One bot, so one HTTP session, for the server's lifetime."""
        if self.config and self._output is None:
            self._output = LinkTelegramOutput(self.config)
        return self._output

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        config, bot = self.config, self.get_output_channel()
        if config is None or bot is None:
            return disabled.blueprint(self.name())
        webhook = super().blueprint(identity.keyed(on_new_message))

        @webhook.listener("after_server_start")
        async def set_webhook(*_: Any) -> None:
            await bot.set_secret_webhook(config)

        @webhook.middleware("request")
        async def only_from_telegram(request: Request) -> HTTPResponse | None:
            if not request.path.endswith("webhook"):  # the health check
                return None
            if not secret_matches(request, config.secret_token):
                logger.warning("Telegram request without the secret token refused")
                return response.json({"error": "Not from Telegram."}, status=403)
            if request.path.endswith("/set_webhook"):  # Rasa's would drop the secret
                ok = await bot.set_secret_webhook(config)
                return response.json({"ok": ok}, status=200 if ok else 502)
            update = request.json
            if not deliveries.is_new(
                request, "telegram", _chat(update), _field(update, "update_id")
            ):
                return response.text("success")  # what Rasa answers an update
            await _acknowledge_button(bot, update)
            return None

        return webhook


def _field(value: Any, name: str) -> Any:
    return value.get(name) if isinstance(value, dict) else None


def _chat(update: Any) -> Any:
    """The chat the update is from: Rasa's sender id."""
    message = (
        _field(update, "message")
        or _field(update, "edited_message")
        or _field(_field(update, "callback_query"), "message")
    )
    return _field(_field(message, "chat"), "id")


async def _acknowledge_button(bot: LinkTelegramOutput, update: Any) -> None:
    """Telegram shows a spinner on a tapped button until it is answered."""
    query = update.get("callback_query") if isinstance(update, dict) else None
    if isinstance(query, dict) and query.get("id"):
        try:
            await bot.answer_callback_query(str(query["id"]))
        except TelegramAPIError as error:
            logger.warning("Telegram button not acknowledged: %s", error)
