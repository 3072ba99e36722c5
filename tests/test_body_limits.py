"""Under `make run` (scripts/run.sh) Rasa itself answers a request body over
64 KB with 413, and closes a socket.io connection that sends a larger message,
without harm to the server or to other conversations (channels/guards.py)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
import requests
import socketio

from channels.guards import MAX_BODY_BYTES
from tests.test_run_script import Running, run_script

# starts the assistant, a browser or a database: not in make test-fast
pytestmark = pytest.mark.servers

TIMEOUT_S = 30


@pytest.fixture(scope="module")
def running(tmp_path_factory) -> Iterator[Running]:
    with run_script(tmp_path_factory.mktemp("run-limits")) as running:
        yield running


def say(running: Running, message: str) -> requests.Response:
    return requests.post(
        f"{running.rasa}/webhooks/rest/webhook",
        json={"sender": f"limits-{uuid.uuid4().hex}", "message": message},
        timeout=TIMEOUT_S,
    )


def test_a_70_kb_body_gets_413_from_rasa(running):
    assert MAX_BODY_BYTES < 70_000
    assert say(running, "x" * 70_000).status_code == 413


async def events_of(running: Running) -> tuple[socketio.AsyncClient, asyncio.Queue]:
    """A client of the demo page's origin; its replies and disconnection
    land in the queue."""
    client = socketio.AsyncClient(reconnection=False)
    events: asyncio.Queue = asyncio.Queue()
    client.on("session_confirm", lambda id: events.put_nowait(("session_confirm", id)))
    client.on("bot_uttered", lambda _: events.put_nowait("bot_uttered"))
    client.on("disconnect", lambda: events.put_nowait("disconnect"))
    await client.connect(
        running.rasa,
        transports=["websocket"],
        headers={"Origin": f"http://localhost:{running.ports['web']}"},
    )
    return client, events


async def send(client: socketio.AsyncClient, events: asyncio.Queue, text: str) -> str:
    """What happens first after the widget sends `text` in a new session."""
    await client.emit("session_request", {})
    kind, session = await asyncio.wait_for(events.get(), TIMEOUT_S)
    assert kind == "session_confirm"
    await client.emit("user_uttered", {"message": text, "session_id": session})
    return await asyncio.wait_for(events.get(), TIMEOUT_S)


async def test_an_oversized_socketio_message_closes_only_its_connection(running):
    big, big_events = await events_of(running)
    other, other_events = await events_of(running)
    try:
        assert await send(big, big_events, "x" * 70_000) == "disconnect"
        assert await send(other, other_events, "hello") == "bot_uttered"
    finally:
        await other.disconnect()
    fresh, fresh_events = await events_of(running)
    try:
        assert await send(fresh, fresh_events, "hello") == "bot_uttered"
    finally:
        await fresh.disconnect()
    assert say(running, "hello").json()
