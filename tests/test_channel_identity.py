"""channels/identity.py: a conversation is stored under its channel's name, and
replies still reach the sender as the platform knows them."""

from __future__ import annotations

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels.identity import key, keyed


@pytest.mark.parametrize(
    "channel, sender",
    [
        ("rest", "+447700900123"),
        ("twilio", "+447700900123"),
        ("whatsapp", "whatsapp:+1"),
    ],
)
async def test_a_message_is_stored_under_its_channel_and_answered_to_its_sender(
    channel, sender
):
    seen: list[UserMessage] = []

    async def bot(message: UserMessage) -> None:
        seen.append(message)
        await message.output_channel.send_response(message.sender_id, {"text": "hi"})

    output = CollectingOutputChannel()
    await keyed(bot)(UserMessage("hello", output, sender, input_channel=channel))

    [message] = seen
    assert message.sender_id == key(channel, sender) == f"{channel}:{sender}"
    assert message.output_channel.name() == output.name()
    assert output.messages == [{"recipient_id": sender, "text": "hi"}]


def test_the_same_sender_on_two_channels_is_two_conversations():
    assert key("rest", "+447700900123") != key("twilio", "+447700900123")
