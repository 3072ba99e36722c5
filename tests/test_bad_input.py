"""Bad input over REST gets a clear error or a safe answer, and nothing is lost."""

from __future__ import annotations

import uuid

import pytest
import requests


def webhook(assistant) -> str:
    return f"{assistant.url}/webhooks/rest/webhook"


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex}"


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b'{"sender": "a", "message": "hi"', "application/json"),  # truncated JSON
        (b"\x00\xff\xfe\x81binary\x00", "application/octet-stream"),
        (b"sender=a&message=hi", "application/x-www-form-urlencoded"),
    ],
)
def test_unparseable_bodies_get_a_client_error(body, content_type, assistant):
    reply = requests.post(
        webhook(assistant),
        data=body,
        headers={"Content-Type": content_type},
        timeout=30,
    )

    assert 400 <= reply.status_code < 500


@pytest.mark.parametrize(
    "payload",
    [
        {"sender": "x"},  # no message
        {"message": "hi", "sender": ["not", "a", "string"]},
        ["sender", "message"],
        {"sender": "x", "message": {"nested": "object"}},
        {"sender": "", "message": "hi"},
        {"sender": "x", "message": "hi", "metadata": "not an object"},
    ],
)
def test_malformed_requests_get_a_client_error(payload, assistant):
    reply = requests.post(webhook(assistant), json=payload, timeout=30)

    assert 400 <= reply.status_code < 500


@pytest.mark.parametrize("message", ["", "   ", "\n\t", "🙂😢", "لماذا أبكي بعد الجنس"])
def test_empty_emoji_and_foreign_text_get_a_safe_answer(message, assistant):
    replies = assistant.say(new_sender(), message)

    assert replies and all(r.get("text") for r in replies)


@pytest.mark.parametrize(
    "message",
    [
        "/greet{bad json",
        '/what_is_pct{"distress_level": "none"}',
        "/not_an_intent",
        "/action_restart",
    ],
)
def test_typed_intent_syntax_never_crashes(message, assistant):
    replies = assistant.say(new_sender(), message)

    assert replies and all(r.get("text") for r in replies)


def test_a_100_kb_message_is_answered_and_stored_whole(assistant, domain):
    sender = new_sender()
    message = "why do i cry after sex? " + "a" * 100_000

    replies = assistant.say(sender, message)

    assert replies and all(r.get("text") for r in replies)
    stored = [e for e in assistant.tracker(sender)["events"] if e["event"] == "user"]
    assert stored[-1]["text"] == message


def test_a_request_cannot_pose_as_another_channel(assistant):
    sender = new_sender()
    body = {"sender": sender, "message": "hi", "input_channel": "twilio"}

    requests.post(webhook(assistant), json=body, timeout=30).raise_for_status()

    [stored] = [e for e in assistant.tracker(sender)["events"] if e["event"] == "user"]
    assert stored["input_channel"] == "rest"
