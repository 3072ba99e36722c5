"""Rasa's socket.io channel, for the website widget, made stricter.

The stock channel accepts connections from any web page, takes messages of up
to 1 MB, crashes its handler on a malformed event, and drops a button's link
when it sends quick replies, so the widget cannot show crisis contacts as
tap-to-call links. And it lets the client choose its session id, so anyone
could continue anyone's conversation. This subclass keeps Rasa's blueprint and
replaces the two event handlers and the output:

- The server issues each session id, signed (channels/identity.py); an id the
  server did not issue is refused, and a new one is issued instead.
- POST /webhooks/socketio/forget with an issued session id as the body deletes
  that conversation from the store: the page's Quick exit and Clear
  conversation send it.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from channels import guards, identity, settings
from channels.buttons import is_link
from privacy import tracker_store

logger = logging.getLogger(__name__)

INVALID_EVENT = "invalid_request"  # tells a client what was wrong with its event


class WebchatOutput(SocketIOOutput):
    async def send_text_with_buttons(
        self,
        recipient_id: str,
        text: str,
        buttons: list[dict[str, Any]],
        **kwargs: Any,
    ) -> None:
        """As Rasa sends them (text split at blank lines, buttons on the last
        part), except for links. rasa-webchat renders {"type": "web_url", "url"}
        as a link, so tel: and sms: are tappable, but only under the latest
        message for `quick_replies`: contacts go as `buttons`, which stay."""
        parts = text.strip().split("\n\n") or [text]
        for part in parts[:-1]:
            await self._send_message(recipient_id, {"text": part})
        key = "buttons" if any(is_link(b) for b in buttons) else "quick_replies"
        await self._send_message(
            recipient_id, {"text": parts[-1], key: [_reply(b) for b in buttons]}
        )


def _reply(button: dict[str, Any]) -> dict[str, Any]:
    if is_link(button):
        return {"type": "web_url", "title": button["title"], "url": button["url"]}
    return {
        "content_type": "text",
        "title": button["title"],
        "payload": button.get("payload", button["title"]),
    }


def _session_id(data: dict[str, Any]) -> str | None:
    session_id = data.get("session_id")
    return session_id if identity.issued(session_id) else None


def _metadata(data: dict[str, Any], key: str) -> dict[str, Any] | None:
    """The widget's customData: an object, or a JSON string of one."""
    metadata = data.get(key)
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except ValueError:
            return None
    if metadata is None:
        return {}
    return metadata if isinstance(metadata, dict) else None


class WebchatInput(SocketIOInput):
    """Same events and replies as `socketio`; only WEBCHAT_ORIGINS may connect,
    with messages no larger than a request body (channels/guards.py)."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def get_output_channel(self) -> OutputChannel | None:
        if self.sio is None:
            return super().get_output_channel()
        return WebchatOutput(self.sio, self.bot_message_evt)

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        on_new_message = identity.keyed(on_new_message)
        webhook = super().blueprint(on_new_message)
        sio: AsyncServer = webhook.ctx.sio
        # Rasa turns engine.io's origin check off; pages elsewhere may not connect.
        sio.eio.cors_allowed_origins = list(settings.webchat().allowed_origins)
        sio.eio.cors_credentials = False  # no cookies, so none to allow
        # engine.io closes a connection that sends a larger message
        sio.eio.max_http_buffer_size = guards.MAX_BODY_BYTES

        async def invalid(sid: str, problem: str) -> None:
            logger.warning("socket.io event rejected: %s", problem)
            await sio.emit(INVALID_EVENT, {"error": problem}, room=sid)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            data = data if isinstance(data, dict) else {}
            session_id = _session_id(data) or identity.new_session()
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id)
                # a coroutine in python-socketio 5.10 and newer
                if inspect.isawaitable(joined):
                    await joined
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            if not isinstance(data, dict) or not isinstance(data.get("message"), str):
                await invalid(sid, '"message" must be a string')
                return
            sender_id = _session_id(data) if self.session_persistence else sid
            if sender_id is None:
                await invalid(sid, '"session_id" must be one session_confirm gave')
                return
            metadata = _metadata(data, self.metadata_key or "metadata")
            if metadata is None:
                await invalid(sid, f'"{self.metadata_key}" must be a JSON object')
                return
            await on_new_message(
                UserMessage(
                    data["message"],
                    WebchatOutput(sio, self.bot_message_evt),
                    sender_id,
                    input_channel=self.name(),
                    metadata=metadata,
                )
            )

        @webhook.route("/forget", methods=["POST"])
        async def forget(request: Request) -> HTTPResponse:
            session_id = request.body.decode("utf-8", "replace").strip()
            if not identity.issued(session_id):
                return response.json(
                    {"error": "The body must be a session id this server issued."},
                    status=403,
                )
            agent = request.app.ctx.agent
            await tracker_store.forget(
                agent.tracker_store,
                agent.lock_store,
                identity.key(self.name(), session_id),
            )
            logger.info("A website conversation was deleted from the page.")
            return response.empty()

        return webhook
