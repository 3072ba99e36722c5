"""Each conversation belongs to one channel: its key names the channel.

Rasa keys a conversation by the sender id alone, and the REST sender is
whatever the client writes. So `{"sender": "+447700900123", "message":
"/opt_out"}` on the public REST webhook reached that number's SMS
conversation: it could opt the person out of every reply, crisis replies
included, delete their conversation or set its slots. Here every channel's
messages are stored under "<input channel>:<sender>", so a client of one
channel can only ever name conversations of that channel, and replies still go
to the sender as the platform knows it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage

Handler = Callable[[UserMessage], Awaitable[Any]]


def key(channel: str, sender: str) -> str:
    """The conversation id under which `sender` of `channel` is stored."""
    return f"{channel}:{sender}"


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

    async def handle(message: UserMessage) -> Any:
        conversation = key(message.input_channel or "", message.sender_id)
        message.output_channel = ReplyToSender(
            message.output_channel, conversation, message.sender_id
        )
        message.sender_id = conversation
        return await on_new_message(message)

    return handle
