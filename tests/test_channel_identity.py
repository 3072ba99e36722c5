"""channels/identity.py: a conversation is stored under its channel's name and
a pseudonym of its sender, replies still reach the sender as the platform knows
them, and only the server can issue a website session id."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels import identity
from channels.identity import MissingSecret, issued, key, keyed, new_session
from tests.servers import ROOT, START_TIMEOUT_S, plan

SECRET_VARIABLES = ("IDENTITY_SECRET", "IDENTITY_SECRET_FILE")


@pytest.fixture
def secret(monkeypatch) -> Iterator[pytest.MonkeyPatch]:
    """Set IDENTITY_SECRET or IDENTITY_SECRET_FILE for one test; the run's
    own secret comes back afterwards."""
    for name in SECRET_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    identity._secret.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    identity._secret.cache_clear()


def with_secret(secret: pytest.MonkeyPatch, value: str) -> None:
    secret.setenv("IDENTITY_SECRET", value)
    identity._secret.cache_clear()


@pytest.mark.parametrize(
    "channel, sender",
    [
        ("rest", "+447700900123"),
        ("twilio", "+447700900123"),
        ("whatsapp", "whatsapp:+447700900124"),
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
    assert message.sender_id == key(channel, sender)
    assert message.sender_id.startswith(f"{channel}:")
    assert "".join(filter(str.isdigit, sender)) not in message.sender_id
    assert message.output_channel.name() == output.name()
    assert output.messages == [{"recipient_id": sender, "text": "hi"}]


def test_the_same_sender_on_two_channels_is_two_conversations():
    assert key("rest", "+447700900123") != key("twilio", "+447700900123")


def test_the_pseudonym_depends_on_the_secret(secret):
    with_secret(secret, "a" * 40)
    first = key("twilio", "+447700900123")
    with_secret(secret, "b" * 40)

    assert key("twilio", "+447700900123") != first


@pytest.mark.parametrize("value", [None, "", "too short"])
def test_without_a_long_enough_secret_nothing_is_keyed(secret, value):
    if value is not None:
        secret.setenv("IDENTITY_SECRET", value)

    with pytest.raises(MissingSecret, match="IDENTITY_SECRET"):
        keyed(lambda message: None)  # type: ignore[arg-type,return-value]


def test_the_secret_can_come_from_a_file(secret, tmp_path: Path):
    (tmp_path / "secret").write_text("c" * 40 + "\n")
    with_secret(secret, "c" * 40)
    from_variable = key("rest", "alex")
    secret.delenv("IDENTITY_SECRET")
    secret.setenv("IDENTITY_SECRET_FILE", str(tmp_path / "secret"))
    identity._secret.cache_clear()

    assert key("rest", "alex") == from_variable


def test_an_unreadable_secret_file_is_a_clear_error(secret, tmp_path: Path):
    secret.setenv("IDENTITY_SECRET_FILE", str(tmp_path / "missing"))

    with pytest.raises(MissingSecret, match="IDENTITY_SECRET_FILE cannot be read"):
        key("rest", "alex")


def test_only_session_ids_the_server_issued_are_accepted(secret):
    with_secret(secret, "d" * 40)
    session = new_session()
    text, signature = session.split(".")

    assert issued(session)
    assert new_session() != session
    assert not issued(f"{text}.{signature[::-1]}")
    assert not issued(f"{text}x.{signature}")
    assert not issued(text)
    assert not issued(f"{session}.{signature}")
    with_secret(secret, "e" * 40)  # another deployment's secret
    assert not issued(session)


@pytest.mark.servers
def test_rasa_will_not_start_without_a_secret(tmp_path: Path):
    setup = plan(tmp_path)
    env = {k: v for k, v in setup.env.items() if k not in SECRET_VARIABLES}

    result = subprocess.run(
        setup.rasa_args, cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=START_TIMEOUT_S,
    )  # fmt: skip

    assert result.returncode != 0
    assert "MissingSecret: IDENTITY_SECRET" in result.stdout + result.stderr
    assert "Rasa server is up and running" not in result.stdout + result.stderr
