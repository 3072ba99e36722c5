"""The website channel: a real Socket.IO client gets the answers.

With session_persistence on, Rasa 3.6 replies to a room the client joins with
enter_room; python-socketio releases after 5.9 made that a coroutine Rasa never
awaits, and the browser got no reply. This pins the behaviour end to end, plus
what channels/socketio.py adds: only the widget's origin may connect, malformed
events get an error instead of a crash, link buttons keep their links, the
server issues every session id, and the page can delete its conversation.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import requests
import socketio

REPLY_TIMEOUT_S = 30
ISSUED = "<the session id the server issued>"  # filled in by the test


@asynccontextmanager
async def connected(
    url: str, origin: str | None = None
) -> AsyncIterator[tuple[socketio.AsyncClient, asyncio.Queue]]:
    """A client whose `bot_uttered` and `invalid_request` events land in a queue."""
    client = socketio.AsyncClient(reconnection=False)
    events: asyncio.Queue = asyncio.Queue()
    client.on("bot_uttered", lambda data: events.put_nowait(("bot_uttered", data)))
    client.on("invalid_request", lambda d: events.put_nowait(("invalid_request", d)))
    client.on("session_confirm", lambda d: events.put_nowait(("session_confirm", d)))
    await client.connect(
        url,
        transports=["websocket"],
        socketio_path="/socket.io",
        headers={"Origin": origin} if origin else {},
    )
    try:
        yield client, events
    finally:
        await client.disconnect()


async def next_event(events: asyncio.Queue) -> tuple[str, Any]:
    return await asyncio.wait_for(events.get(), REPLY_TIMEOUT_S)


async def start_session(
    client: socketio.AsyncClient, events: asyncio.Queue, session_id: object = None
) -> str:
    """The session id the server confirms when the widget asks for `session_id`
    (none: a new session)."""
    await client.emit("session_request", {"session_id": session_id})
    kind, confirmed = await next_event(events)
    assert kind == "session_confirm"
    return str(confirmed)


async def chat(
    url: str,
    messages: list,
    session_id: str | None = None,
    custom_data: dict | None = None,
) -> tuple[str, list]:
    """The session and the first reply to each message, as the widget sends them."""
    async with connected(url) as (client, events):
        session_id = await start_session(client, events, session_id)
        answers = []
        for message in messages:
            await client.emit(
                "user_uttered",
                {
                    "message": message,
                    "session_id": session_id,
                    "customData": custom_data or {},
                },
            )
            answers.append((await next_event(events))[1])
        return session_id, answers


def user_texts(assistant, session_id: str) -> list[str]:
    """What the store keeps of the person's messages in that session."""
    tracker = assistant.tracker(session_id, channel="socketio")
    return [e["text"] for e in tracker["events"] if e["event"] == "user"]


def forget(assistant, session_id: str) -> requests.Response:
    """What the page's Quick exit and Clear conversation send (web/chat-privacy.js)."""
    return requests.post(
        f"{assistant.url}/webhooks/socketio/forget",
        data=session_id,
        headers={"Content-Type": "text/plain;charset=UTF-8"},
        timeout=30,
    )


async def replies_until(events: asyncio.Queue, last_text: str) -> list[dict]:
    replies: list[dict] = []
    while not replies or replies[-1].get("text") != last_text:
        replies.append((await next_event(events))[1])
    return replies


async def test_browser_client_gets_answer_then_its_replies_with_the_rating(
    assistant, domain
):
    responses = domain["responses"]
    asked = responses["utter_ask_feedback"][0]["text"]
    async with connected(assistant.url) as (client, events):
        session_id = await start_session(client, events, None)
        await client.emit(
            "user_uttered",
            {"message": "is it normal to cry after sex?", "session_id": session_id},
        )
        answer, question = await replies_until(events, asked)

    assert answer["text"] == responses["utter_is_it_normal"][0]["text"]
    # the quick replies come with the last bubble: the answer's, then 👍 and 👎
    assert [r["payload"] for r in question["quick_replies"]] == [
        b["payload"]
        for name in ("utter_is_it_normal", "utter_ask_feedback")
        for b in responses[name][0]["buttons"]
    ]


async def test_conversation_continues_after_reconnecting(assistant, domain):
    session, _ = await chat(assistant.url, ["what can i do when i cry after sex"])

    again, [reply] = await chat(assistant.url, ["anything else?"], session)

    assert again == session
    assert reply["text"] == domain["responses"]["utter_talk_to_partner"][0]["text"]


@pytest.mark.parametrize(
    "asked", ["a-session-i-made-up", "0" * 22 + "." + "0" * 32, 42, ""]
)
async def test_a_session_id_the_server_did_not_issue_gets_a_new_session(
    assistant, asked
):
    async with connected(assistant.url) as (client, events):
        confirmed = await start_session(client, events, asked)
        other = await start_session(client, events)

    assert confirmed != asked
    assert len({confirmed, other}) == 2  # each new session id is different


async def test_nobody_can_write_into_a_session_by_altering_its_id(assistant):
    session, _ = await chat(assistant.url, ["is it normal to cry after sex?"])
    forged = session[:-1] + ("0" if session[-1] != "0" else "1")

    async with connected(assistant.url) as (client, events):
        await start_session(client, events)
        await client.emit("user_uttered", {"message": "/opt_out", "session_id": forged})
        kind, data = await next_event(events)

    assert kind == "invalid_request"
    assert "session_confirm" in data["error"]
    assert user_texts(assistant, session) == ["is it normal to cry after sex?"]


def test_senders_are_stored_under_a_pseudonym_only(assistant):
    reply = assistant.say("+447700900123", "hello")

    assert reply and reply[0]["recipient_id"] == "+447700900123"
    tracker = assistant.tracker("+447700900123")
    assert "+447700900123" not in tracker["sender_id"]
    assert tracker["sender_id"].startswith("rest:")


async def test_the_page_deletes_the_servers_copy_of_its_conversation(assistant):
    session, _ = await chat(assistant.url, ["is it normal to cry after sex?"])
    assert user_texts(assistant, session)

    reply = forget(assistant, session)

    assert reply.status_code == 204
    assert user_texts(assistant, session) == []
    # the session is new again: the next message starts a new conversation
    _, [answer] = await chat(assistant.url, ["hello"], session)
    assert user_texts(assistant, session) == ["hello"]


@pytest.mark.parametrize("body", ["not-issued", "", "\x00\xff"])
async def test_only_an_issued_session_can_be_deleted(assistant, body):
    session, _ = await chat(assistant.url, ["is it normal to cry after sex?"])

    reply = forget(assistant, body)
    altered = forget(assistant, session[:-1] + ("0" if session[-1] != "0" else "1"))

    assert reply.status_code == altered.status_code == 403
    assert "issued" in reply.json()["error"]
    assert user_texts(assistant, session) == ["is it normal to cry after sex?"]


async def test_the_widget_page_may_connect(assistant, web_origin):
    async with connected(assistant.url, origin=web_origin) as (client, _):
        assert client.connected


@pytest.mark.parametrize("origin", ["https://example.com", "http://127.0.0.1:1"])
async def test_other_web_pages_may_not_connect(assistant, origin):
    with pytest.raises(socketio.exceptions.ConnectionError):
        async with connected(assistant.url, origin=origin):
            pass


async def test_crisis_contacts_arrive_as_links_for_the_hinted_country(
    assistant, domain
):
    async with connected(assistant.url) as (client, events):
        session = await start_session(client, events)
        await client.emit(
            "user_uttered",
            {
                "message": "i want to end my life",
                "session_id": session,
                "customData": {"country": "US"},
            },
        )
        replies = await replies_until(
            events, domain["responses"]["utter_keep_talking"][0]["text"]
        )

    # as `buttons`, which the widget keeps on screen, unlike quick replies
    links = [r["url"] for reply in replies for r in reply.get("buttons", [])]
    assert "tel:988" in links
    assert "sms:988" in links
    assert any("911" in reply["text"] for reply in replies)


@pytest.mark.parametrize(
    ("event", "problem"),
    [
        ("hello", '"message" must be a string'),
        ({"message": 42, "session_id": ISSUED}, '"message" must be a string'),
        ({"message": "hi"}, '"session_id" must be one session_confirm gave'),
        ({"message": "hi", "session_id": "x" * 500}, '"session_id" must be one'),
        (
            {"message": "hi", "session_id": ISSUED, "customData": "{not json"},
            "JSON object",
        ),
        ({"message": "hi", "session_id": ISSUED, "customData": [1, 2]}, "JSON object"),
    ],
)
async def test_malformed_events_get_an_error_and_the_chat_goes_on(
    assistant, domain, event, problem
):
    async with connected(assistant.url) as (client, events):
        await client.emit("session_request", "not an object")
        _, session = await next_event(events)  # a fresh session id all the same
        if isinstance(event, dict) and event.get("session_id") == ISSUED:
            event = {**event, "session_id": session}
        await client.emit("user_uttered", event)

        kind, data = await next_event(events)
        assert kind == "invalid_request"
        assert problem in data["error"]

    _, [reply] = await chat(assistant.url, ["is it normal to cry after sex?"], session)
    assert reply["text"] == domain["responses"]["utter_is_it_normal"][0]["text"]
