"""The website channel: a real Socket.IO client gets the answers.

With session_persistence on, Rasa 3.6 replies to a room the client joins with
enter_room; python-socketio releases after 5.9 made that a coroutine Rasa never
awaits, and the browser got no reply. This pins the behaviour end to end, plus
what channels/socketio.py adds: only the widget's origin may connect, malformed
events get an error instead of a crash, and link buttons keep their links.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import socketio

REPLY_TIMEOUT_S = 30


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


async def chat(
    url: str, session_id: str, messages: list, custom_data: dict | None = None
) -> list:
    """The first reply to each message, as the widget sends them."""
    async with connected(url) as (client, events):
        await client.emit("session_request", {"session_id": session_id})
        assert await next_event(events) == ("session_confirm", session_id)
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
        return answers


async def replies_until(events: asyncio.Queue, last_text: str) -> list[dict]:
    replies: list[dict] = []
    while not replies or replies[-1].get("text") != last_text:
        replies.append((await next_event(events))[1])
    return replies


async def test_browser_client_gets_answer_with_quick_replies(assistant, domain):
    session = uuid.uuid4().hex

    [reply] = await chat(assistant.url, session, ["is it normal to cry after sex?"])

    assert reply["text"] == domain["responses"]["utter_is_it_normal"][0]["text"]
    assert reply["quick_replies"][0]["payload"] == "/causes_overview"


async def test_conversation_continues_after_reconnecting(assistant, domain):
    session = uuid.uuid4().hex
    await chat(assistant.url, session, ["what can i do when i cry after sex"])

    [reply] = await chat(assistant.url, session, ["anything else?"])

    assert reply["text"] == domain["responses"]["utter_talk_to_partner"][0]["text"]


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
    session = uuid.uuid4().hex
    async with connected(assistant.url) as (client, events):
        await client.emit("session_request", {"session_id": session})
        await next_event(events)
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
        ({"message": 42, "session_id": "s"}, '"message" must be a string'),
        ({"message": "hi"}, '"session_id" must come from session_confirm'),
        ({"message": "hi", "session_id": "x" * 500}, '"session_id" must come'),
        (
            {"message": "hi", "session_id": "s", "customData": "{not json"},
            "JSON object",
        ),
        ({"message": "hi", "session_id": "s", "customData": [1, 2]}, "JSON object"),
    ],
)
async def test_malformed_events_get_an_error_and_the_chat_goes_on(
    assistant, domain, event, problem
):
    session = uuid.uuid4().hex
    async with connected(assistant.url) as (client, events):
        await client.emit("session_request", "not an object")
        await next_event(events)  # a fresh session id all the same
        await client.emit("user_uttered", event)

        kind, data = await next_event(events)
        assert kind == "invalid_request"
        assert problem in data["error"]

    [reply] = await chat(assistant.url, session, ["is it normal to cry after sex?"])
    assert reply["text"] == domain["responses"]["utter_is_it_normal"][0]["text"]
