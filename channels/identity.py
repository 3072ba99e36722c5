"""Each conversation belongs to one channel: its key names the channel.

Rasa keys a conversation by the sender id alone, and the REST sender is
whatever the client writes. So `{"sender": "+447700900123", "message":
"/opt_out"}` on the public REST webhook reached that number's SMS
conversation: it could opt the person out of every reply, crisis replies
included, delete their conversation or set its slots. Here every channel's
messages are stored under "<input channel>:<sender>", so a client of one
channel can only ever name conversations of that channel, and replies still go
to the sender as the platform knows it.

The sender itself is never stored: the key holds an HMAC of it, with a secret
from the environment (IDENTITY_SECRET, or the file IDENTITY_SECRET_FILE names),
so the database holds no phone number or platform id, and nobody without the
secret can find a person's conversation from their number. The same secret
signs the website's session ids: the server issues them, and a client can only
continue a session it was given.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.shared.exceptions import RasaException

from channels import settings

Handler = Callable[[UserMessage], Awaitable[Any]]
DIGEST_CHARS = 32  # 128 bits of the HMAC, in hex
SESSION_NONCE_BYTES = 16


class MissingSecret(RasaException):
    """Rasa's command line prints it and exits with status 1."""


@cache
def _secret(purpose: str) -> bytes:
    """A key per purpose, derived from the one secret, so a session signature
    can never be replayed as a sender's digest."""
    try:
        secret = settings.identity_secret()
    except OSError as error:
        raise MissingSecret(f"IDENTITY_SECRET_FILE cannot be read: {error}") from error
    if secret is None or len(secret) < settings.MIN_SECRET_LENGTH:
        raise MissingSecret(
            f"IDENTITY_SECRET (or IDENTITY_SECRET_FILE) must hold a secret of at "
            f"least {settings.MIN_SECRET_LENGTH} characters: it pseudonymises who "
            "wrote each conversation and signs the website's sessions. `make run` "
            "generates one for local use; production takes it from a secret store."
        )
    return hmac.digest(secret.encode(), purpose.encode(), "sha256")


def _mac(purpose: str, text: str, chars: int) -> str:
    return hmac.new(_secret(purpose), text.encode(), hashlib.sha256).hexdigest()[:chars]


def key(channel: str, sender: str) -> str:
    """The conversation id under which `sender` of `channel` is stored."""
    digest = _mac("sender", f"{channel}\0{sender}", DIGEST_CHARS)
    return f"{channel}:{digest}"


def new_session() -> str:
    """A website session id: unguessable, and signed so that only this server
    (or a replica sharing its secret) can have issued it."""
    nonce = base64.urlsafe_b64encode(secrets.token_bytes(SESSION_NONCE_BYTES))
    text = nonce.decode().rstrip("=")
    return f"{text}.{_mac('session', text, DIGEST_CHARS)}"


def issued(session_id: object) -> bool:
    """Whether `session_id` is one that new_session() returned."""
    if not isinstance(session_id, str) or session_id.count(".") != 1:
        return False
    text, signature = session_id.split(".")
    return hmac.compare_digest(signature, _mac("session", text, DIGEST_CHARS))


def check_secret() -> None:
    """Raises MissingSecret now, at start-up, rather than at the first message."""
    _secret("sender")


class ReplyToSender(OutputChannel):
    """The channel's own output, addressed by the platform's sender id."""

    def __init__(self, output: OutputChannel, conversation: str, sender: str):
        self.output, self.conversation, self.sender = output, conversation, sender

    def name(self) -> str:
        # Rasa picks channel-specific responses by the output's name
        return self.output.name()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        recipient = self.sender if recipient_id == self.conversation else recipient_id
        await self.output.send_response(recipient, message)

    def __getattr__(self, attribute: str) -> Any:
        # what callers read from the output (REST reads `messages`)
        return getattr(self.output, attribute)


def keyed(on_new_message: Handler) -> Handler:
    """`on_new_message` for a channel: stores each message under its key."""
    check_secret()

    async def handle(message: UserMessage) -> Any:
        conversation = key(message.input_channel or "", message.sender_id)
        message.output_channel = ReplyToSender(
            message.output_channel, conversation, message.sender_id
        )
        message.sender_id = conversation
        return await on_new_message(message)

    return handle
