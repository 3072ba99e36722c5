"""Many conversations at once against the served assistant: throughput, latency
percentiles and errors over REST and over socket.io (the widget's channel)."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime, timezone
from typing import Any

import socketio

from bench.serving import percentile
from tests.crowd import CONVERSATION, TURN_TIMEOUT_S, Turn, crowd
from tests.servers import Assistant

CONVERSATIONS = 50


def figures(conversations: list[list[Turn]], wall_s: float) -> dict[str, Any]:
    """Every turn that got its whole answer counts; any other is an error."""
    answered = [
        t.seconds * 1000 for turns in conversations for t in turns if t.answered
    ]
    planned = len(conversations) * len(CONVERSATION)
    return {
        "turns": planned,
        "errors": planned - len(answered),
        "turns_per_s": round(len(answered) / wall_s, 1),
        "wall_s": round(wall_s, 1),
        **{
            f"p{pct}_ms": round(percentile(answered, pct), 1) if answered else None
            for pct in (50, 95, 99)
        },
        "max_ms": round(max(answered), 1) if answered else None,
    }


def parts(turn: Turn) -> int:
    """How many socket.io messages the turn's REST replies make: the channel
    sends each text split at blank lines (channels/socketio.py)."""
    return sum(len((r.get("text") or "").strip().split("\n\n")) for r in turn.replies)


async def socketio_conversation(url: str, expected: list[int]) -> list[Turn]:
    """One widget's conversation in a new session: each turn ends with its last
    expected message."""
    client = socketio.AsyncClient(reconnection=False)
    replies: asyncio.Queue = asyncio.Queue()
    sessions: asyncio.Queue = asyncio.Queue()
    client.on("bot_uttered", replies.put_nowait)
    client.on("session_confirm", sessions.put_nowait)
    turns: list[Turn] = []
    try:
        await client.connect(url, transports=["websocket"], socketio_path="/socket.io")
        await client.emit("session_request", {})
        session_id = await asyncio.wait_for(sessions.get(), TURN_TIMEOUT_S)
        for message, count in zip(CONVERSATION, expected, strict=True):
            started = time.perf_counter()
            await client.emit(
                "user_uttered", {"message": message, "session_id": session_id}
            )
            got = [
                await asyncio.wait_for(replies.get(), TURN_TIMEOUT_S)
                for _ in range(count)
            ]
            turns.append(Turn(message, time.perf_counter() - started, 200, got))
    except (socketio.exceptions.SocketIOError, asyncio.TimeoutError):
        pass  # the turns not taken count as errors
    finally:
        await client.disconnect()
    return turns


async def rest_and_socketio(url: str) -> dict[str, dict[str, Any]]:
    # One conversation alone first: it warms the servers up, and its replies
    # say how many messages each turn makes on socket.io.
    [reference] = (await crowd(url, [uuid.uuid4().hex])).values()
    expected = [parts(turn) for turn in reference]
    senders = [uuid.uuid4().hex for _ in range(CONVERSATIONS)]

    started = time.perf_counter()
    rest = list((await crowd(url, senders)).values())
    rest_s = time.perf_counter() - started

    started = time.perf_counter()
    sio = await asyncio.gather(*(socketio_conversation(url, expected) for _ in senders))
    sio_s = time.perf_counter() - started
    return {"rest": figures(rest, rest_s), "socketio": figures(list(sio), sio_s)}


def measure(assistant: Assistant) -> dict[str, Any]:
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "conversations": CONVERSATIONS,
        "turns_each": len(CONVERSATION),
        **asyncio.run(rest_and_socketio(assistant.url)),
    }
