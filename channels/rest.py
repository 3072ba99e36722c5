"""Rasa's REST channel with strict request validation.

The stock channel trusts the body: a missing sender puts the message into a
shared "default" conversation, a non-string message or a JSON list crashes the
handler with a 500, and the body may claim to come from another channel. Here a
bad request gets a 400 that says what is wrong, before Rasa sees it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.exceptions import InvalidUsage as BadRequest  # Sanic 21.12 name
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import guards, identity

MAX_SENDER_LENGTH = 128


def _body(request: Request) -> dict[str, Any]:
    body = request.json
    if not isinstance(body, dict):
        raise BadRequest('Send a JSON object: {"sender": "...", "message": "..."}.')
    return body


class ValidatedRestInput(RestInput):
    """Same URL and replies as `rest`; rejects malformed requests with 400."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    async def _extract_sender(self, req: Request) -> str | None:
        sender = _body(req).get("sender")
        if not isinstance(sender, str) or not sender.strip():
            raise BadRequest('"sender" must be a non-empty string.')
        if len(sender) > MAX_SENDER_LENGTH or not sender.isprintable():
            raise BadRequest(
                f'"sender": printable, at most {MAX_SENDER_LENGTH} characters.'
            )
        return sender

    def _extract_message(self, req: Request) -> str | None:
        message = _body(req).get("message")
        if not isinstance(message, str):
            raise BadRequest('"message" must be a string.')
        return message

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        webhook = super().blueprint(identity.keyed(on_new_message))
        guards.install(webhook)  # server-wide rules (channels/guards.py)

        @webhook.exception(BadRequest)
        async def explain(_: Request, error: BadRequest) -> HTTPResponse:
            # Sanic's JSON error shape whatever the content type; it would
            # answer a body that is not JSON with an HTML page
            return response.json(
                {"description": "Bad Request", "status": 400, "message": str(error)},
                status=400,
            )

        return webhook

    def _extract_input_channel(self, req: Request) -> str:
        # The body must not be able to pose as another channel.
        return self.name()

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        metadata = _body(request).get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise BadRequest('"metadata" must be a JSON object.')
        return metadata
