"""The website channel: a real Socket.IO client gets the answers.

With session_persistence on, Rasa 3.6 replies to a room the client joins with
enter_room; python-socketio releases after 5.9 made that a coroutine Rasa never
awaits, and the browser got no reply. This pins the behaviour end to end.
"""

from __future__ import annotations

import asyncio
import uuid

import socketio

REPLY_TIMEOUT_S = 30


async def chat(url: str, session_id: str, messages: list) -> list:
    client = socketio.AsyncClient(reconnection=False)
    replies: asyncio.Queue = asyncio.Queue()
    confirmed = asyncio.Event()
    client.on("bot_uttered", replies.put_nowait)
    client.on("session_confirm", lambda *_: confirmed.set())
    await client.connect(url, transports=["websocket"], socketio_path="/socket.io")
    try:
        await client.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(confirmed.wait(), REPLY_TIMEOUT_S)
        answers = []
        for message in messages:
            await client.emit(
                "user_uttered", {"message": message, "session_id": session_id}
            )
            answers.append(await asyncio.wait_for(replies.get(), REPLY_TIMEOUT_S))
        return answers
    finally:
        await client.disconnect()


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
