"""Bad input over REST gets a clear error or a safe answer, nothing is lost, and
the assistant answers the next normal message as usual."""

from __future__ import annotations

import uuid

import pytest
import requests

from channels.guards import MAX_BODY_BYTES
from tests.conftest import as_read, asking_feedback

NORMAL = "why do i cry after sex?"


def webhook(assistant) -> str:
    return f"{assistant.url}/webhooks/rest/webhook"


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex}"


def texts(replies: list[dict]) -> list[str]:
    return [reply.get("text") or "" for reply in replies]


def first_answer(domain) -> str:
    """The answer to NORMAL as a new conversation's first (nlg/feedback.py)."""
    return asking_feedback(
        domain, domain["responses"]["utter_causes_overview"][0]["text"]
    )


def answers_normally(assistant, domain, sender: str | None = None) -> bool:
    """The next normal question, in the same conversation or a new one, gets
    its curated answer (the first of a conversation asks for feedback)."""
    replies = assistant.say(sender or new_sender(), NORMAL)
    expected = domain["responses"]["utter_causes_overview"][0]["text"]
    return texts(replies) in ([expected], [first_answer(domain)])


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b'{"sender": "a", "message": "hi"', "application/json"),  # truncated JSON
        (b"\x00\xff\xfe\x81binary\x00", "application/octet-stream"),
        (b"\x00\xff\xfe\x81binary\x00", "application/json"),
        (b'{"sender": "a", "message": "\xff\xfe"}', "application/json"),  # not UTF-8
        (b"sender=a&message=hi", "application/x-www-form-urlencoded"),
        (b"why do i cry after sex?", "text/plain"),
        (b"<message>hi</message>", "application/xml"),
        (b'\xef\xbb\xbf{"sender": "a"}', "application/json"),  # byte-order mark
        (
            b'{"sender": "a", "metadata": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5001,
            "application/json",
        ),  # nested too deep
        (b"\x00\xff\xfe\x81binary\x00", None),
        (b"", "application/json"),
        (b"null", "application/json"),
    ],
)
def test_unparseable_bodies_get_a_client_error_that_says_why(
    body, content_type, assistant, domain
):
    headers = {"Content-Type": content_type} if content_type else {}

    reply = requests.post(webhook(assistant), data=body, headers=headers, timeout=30)

    assert 400 <= reply.status_code < 500
    # an error a client can read, not Sanic's HTML page (channels/rest.py)
    assert "json" in reply.json()["message"].lower()
    assert answers_normally(assistant, domain)


@pytest.mark.parametrize("content_type", ["text/plain", "text/plain; charset=utf-8"])
def test_a_json_body_with_another_content_type_is_answered(
    content_type, assistant, domain
):
    body = f'{{"sender": "{new_sender()}", "message": "{NORMAL}"}}'.encode()
    headers = {"Content-Type": content_type}

    reply = requests.post(webhook(assistant), data=body, headers=headers, timeout=30)

    assert reply.status_code == 200
    assert texts(reply.json()) == [first_answer(domain)]


def test_a_json_body_without_a_content_type_is_answered(assistant, domain):
    body = f'{{"sender": "{new_sender()}", "message": "{NORMAL}"}}'.encode()

    # bytes and no headers: requests sends no Content-Type at all
    reply = requests.post(webhook(assistant), data=body, timeout=30)

    assert "Content-Type" not in reply.request.headers
    assert texts(reply.json()) == [first_answer(domain)]


@pytest.mark.parametrize(
    "payload, problem",
    [
        ({"sender": "x"}, '"message" must be a string'),
        ({"message": "hi", "sender": ["not", "a", "string"]}, '"sender" must be'),
        (["sender", "message"], "JSON object"),
        ({"sender": "x", "message": {"nested": "object"}}, '"message" must be'),
        ({"sender": "", "message": "hi"}, '"sender" must be'),
        ({"sender": "x", "message": "hi", "metadata": "not an object"}, "metadata"),
    ],
)
def test_malformed_requests_get_a_client_error_that_says_why(
    payload, problem, assistant, domain
):
    reply = requests.post(webhook(assistant), json=payload, timeout=30)

    assert 400 <= reply.status_code < 500
    assert problem in reply.json()["message"]
    assert answers_normally(assistant, domain)


@pytest.mark.parametrize(
    "sender",
    [
        "ünïcødé-användare",
        "משתמש-עברית",  # right to left
        "مستخدم",
        "🙂😢-sender",
        "x" * 128,
        "../x",
        "../../etc/passwd",
        "a/b?c=d#e",
        "%2e%2e%2fx",
        "12345",
        "0",
        "-1",
        "1e10",
        "null",
        "' OR 1=1 --",
        "<script>alert(1)</script>",
        " padded ",
    ],
)
def test_unusual_senders_get_their_own_working_conversation(sender, assistant, domain):
    assistant.say(sender, "what should i do after crying after sex")

    replies = assistant.say(sender, "what else can i do?")

    # the follow-up reads this sender's history, and the reply goes back to it
    assert texts(replies) == [domain["responses"]["utter_talk_to_partner"][0]["text"]]
    assert {reply["recipient_id"] for reply in replies} == {sender}


@pytest.mark.parametrize(
    "sender",
    [
        "x" * 129,
        "x" * 60_000,  # long, but the body is within the limit
        "   ",
        "a\x00b",
        "a\nb",
        "\x1b[31mred",
        "\u202eevil",  # right-to-left override, a format character
        "\ud800",  # a lone surrogate, not a character
        12345,
        None,
    ],
)
def test_unusable_senders_get_a_client_error_that_says_why(sender, assistant, domain):
    reply = requests.post(
        webhook(assistant), json={"sender": sender, "message": "hi"}, timeout=30
    )

    assert reply.status_code == 400
    assert '"sender"' in reply.json()["message"]
    assert answers_normally(assistant, domain)


@pytest.mark.parametrize(
    "message",
    [
        "",
        "   ",
        "\n\t",
        "\r\n",
        "\u00a0",  # no-break space
        "\u200b",  # zero-width space
        "🙂😢",
        "👨‍👩‍👧",  # one emoji joined from three
        "لماذا أبكي بعد الجنس",  # Arabic, right to left
        "למה אני בוכה אחרי סקס",  # Hebrew
        "לָמָּה אֲנִי בּוֹכָה",  # Hebrew with vowel points
        "\u202ewhy do i cry\u202c",  # right-to-left override around English
        "mixed עברית and english",
        "hi\x00there",
        "\x1b[2J\x07",
    ],
)
def test_empty_emoji_and_foreign_text_get_a_safe_answer(message, assistant, domain):
    sender = new_sender()

    replies = assistant.say(sender, message)

    assert replies and all(texts(replies))
    assert answers_normally(assistant, domain, sender)


def test_a_crisis_message_with_a_broken_emoji_still_gets_crisis_contacts(
    assistant, domain
):
    # a lone surrogate, as a UTF-16 client that cut an emoji in half sends it,
    # once crashed spaCy: no reply at all (components/message_length_guard.py)
    body = '{"sender": "%s", "message": "i want to kill myself \\ud83d"}'
    reply = requests.post(
        webhook(assistant),
        data=(body % new_sender()).encode(),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )

    assert as_read(
        domain["responses"]["utter_crisis_first_response"][0]["text"]
    ) in texts(reply.json())


@pytest.mark.parametrize(
    "message",
    [
        "/greet{bad json",
        '/what_is_pct{"distress_level": "none"}',
        "/not_an_intent",
        "/action_restart",
    ],
)
def test_typed_intent_syntax_never_crashes(message, assistant, domain):
    sender = new_sender()

    replies = assistant.say(sender, message)

    assert replies and all(texts(replies))
    assert answers_normally(assistant, domain, sender)


def test_a_message_just_under_the_body_limit_is_answered_and_stored_whole(
    assistant, domain
):
    sender = new_sender()
    message = "why do i cry after sex? " + "a" * (MAX_BODY_BYTES - 200)

    replies = assistant.say(sender, message)

    assert replies and all(texts(replies))
    stored = [e for e in assistant.tracker(sender)["events"] if e["event"] == "user"]
    assert stored[-1]["text"] == message
    assert answers_normally(assistant, domain, sender)


def test_a_body_over_the_limit_gets_413_and_nothing_else_changes(assistant, domain):
    body = {"sender": new_sender(), "message": "a" * MAX_BODY_BYTES}

    reply = requests.post(webhook(assistant), json=body, timeout=30)

    assert reply.status_code == 413
    assert answers_normally(assistant, domain)


def test_a_request_cannot_pose_as_another_channel(assistant):
    sender = new_sender()
    body = {"sender": sender, "message": "hi", "input_channel": "twilio"}

    requests.post(webhook(assistant), json=body, timeout=30).raise_for_status()

    [stored] = [e for e in assistant.tracker(sender)["events"] if e["event"] == "user"]
    assert stored["input_channel"] == "rest"
