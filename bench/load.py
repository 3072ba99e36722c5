"""Many conversations at once against the served assistant: throughput, latency
percentiles and errors over REST and over socket.io (the widget's channel)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import Any

import socketio

from bench.serving import percentile
from tests.crowd import CONVERSATION, TURN_TIMEOUT_S, Turn, crowd
from tests.servers import Assistant

CONVERSATIONS = 50


def figures(turns: list[Turn], wall_s: float, planned: int | None = None) -> dict:
    """Latency of every turn the server handled. Errors: the turns it did not
    (no 200, no acknowledgement, a timeout), and each of the `planned` turns
    never taken; silent: the turns it handled without a reply."""
    completed = [t for t in turns if t.completed]
    handled = [t.seconds * 1000 for t in completed]
    planned = len(turns) if planned is None else planned
    failed = Counter(why_failed(t) for t in turns if not t.completed)
    if planned > len(turns):
        failed["never taken"] = planned - len(turns)
    return {
        "turns": planned,
        "errors": planned - len(completed),
        # what went wrong, so an error can be traced without rerunning
        "error_kinds": dict(failed.most_common()),
        "silent": sum(not t.replies for t in completed),
        "turns_per_s": round(len(completed) / wall_s, 1),
        "wall_s": round(wall_s, 1),
        **{
            f"p{pct}_ms": round(percentile(handled, pct), 1) if handled else None
            for pct in (50, 95, 99)
        },
        "max_ms": round(max(handled), 1) if handled else None,
    }


def why_failed(turn: Turn) -> str:
    """A failed turn's status and error, short enough to count alike ones."""
    status = f"HTTP {turn.status}" if turn.status else "no HTTP answer"
    return f"{status}: {turn.error[:80]}" if turn.error else status


Say = Callable[[str], Awaitable[Turn]]


@asynccontextmanager
async def widget(url: str) -> AsyncIterator[Say]:
    """A chat widget's socket.io connection, in a new session: what it says is a
    turn, which ends when Rasa acknowledges the message. Rasa does so once it
    has handled it, after it sent every reply on the same connection."""
    client = socketio.AsyncClient(reconnection=False)
    replies: asyncio.Queue = asyncio.Queue()
    sessions: asyncio.Queue = asyncio.Queue()
    client.on("bot_uttered", replies.put_nowait)
    client.on("session_confirm", sessions.put_nowait)

    async def say(message: str) -> Turn:
        started = time.perf_counter()
        try:
            await client.call(
                "user_uttered",
                {"message": message, "session_id": session_id},
                timeout=TURN_TIMEOUT_S,
            )
        except socketio.exceptions.SocketIOError as error:  # timeouts too
            return Turn(message, time.perf_counter() - started, error=repr(error))
        seconds = time.perf_counter() - started
        got = [replies.get_nowait() for _ in range(replies.qsize())]
        return Turn(message, seconds, 200, got)

    try:
        await client.connect(url, transports=["websocket"], socketio_path="/socket.io")
        await client.emit("session_request", {})
        session_id = await asyncio.wait_for(sessions.get(), TURN_TIMEOUT_S)
        yield say
    finally:
        await client.disconnect()


async def socketio_conversation(url: str) -> list[Turn]:
    """tests/crowd.py's conversation in one widget."""
    try:
        async with widget(url) as say:
            return [await say(message) for message in CONVERSATION]
    except (socketio.exceptions.SocketIOError, asyncio.TimeoutError):
        return []  # no session: the turns not taken count as errors


async def rest_and_socketio(url: str) -> dict[str, dict[str, Any]]:
    # One conversation alone first: it warms the servers up.
    await crowd(url, [uuid.uuid4().hex])
    senders = [uuid.uuid4().hex for _ in range(CONVERSATIONS)]
    planned = CONVERSATIONS * len(CONVERSATION)

    started = time.perf_counter()
    rest = await crowd(url, senders)
    rest_s = time.perf_counter() - started

    started = time.perf_counter()
    sio = await asyncio.gather(*(socketio_conversation(url) for _ in senders))
    sio_s = time.perf_counter() - started
    return {
        "rest": figures([t for c in rest.values() for t in c], rest_s, planned),
        "socketio": figures([t for c in sio for t in c], sio_s, planned),
    }


def measure(assistant: Assistant) -> dict[str, Any]:
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "conversations": CONVERSATIONS,
        "turns_each": len(CONVERSATION),
        **asyncio.run(rest_and_socketio(assistant.url)),
    }
