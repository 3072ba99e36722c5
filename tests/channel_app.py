"""One messaging channel's webhook on a bare Sanic app, called in-process.

Rasa mounts each channel's blueprint under /webhooks/<name>; so does this, with
a handler that records what would reach the bot instead of the bot. Fast
enough for many parametrized cases (tests/test_messaging_channels.py runs the
real assistant).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace

import httpx
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from sanic import Sanic


@dataclass
class Served:
    client: httpx.AsyncClient
    received: list[UserMessage] = field(default_factory=list)
    tracker_store: InMemoryTrackerStore | None = None


@asynccontextmanager
async def serve(channel: InputChannel) -> AsyncIterator[Served]:
    received: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        received.append(message)

    Sanic.test_mode = True  # many apps in one process (what sanic-testing sets)
    app = Sanic(f"channel_{uuid.uuid4().hex}")
    app.blueprint(
        channel.blueprint(on_new_message), url_prefix=f"/webhooks/{channel.name()}"
    )
    store = InMemoryTrackerStore(Domain.empty())
    app.ctx.agent = SimpleNamespace(tracker_store=store)
    # ASGI lifespan start-up: finalizes the routes, runs the channel's listeners
    events: asyncio.Queue = asyncio.Queue()
    await events.put({"type": "lifespan.startup"})
    started = asyncio.Event()

    async def sent(_: dict) -> None:
        started.set()

    lifespan = asyncio.create_task(app({"type": "lifespan"}, events.get, sent))
    await asyncio.wait_for(started.wait(), 30)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver"
        ) as client:
            yield Served(client, received, store)
    finally:
        lifespan.cancel()
