"""Throughput of the scale-out profile with one and with two Rasa replicas on
this machine (issue 14): PostgreSQL, the Redis lock store, one action server
and the profile's nginx in front, as tests/scale_out.py assembles them. The
load section's crowd (50 conversations of 20 turns at once, over REST) goes
through nginx. The crowd comes from one address, so the profile's
per-address limits are lifted for the run; everything else is the profile's."""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench.load import CONVERSATIONS, figures
from tests.crowd import CONVERSATION, crowd
from tests.scale_out import running_scale_out

REPLICAS = (1, 2)
UNLIMITED = {
    "rate=5r/s": "rate=100000r/s",
    # nginx counts requests to the millisecond: 50 conversations from one
    # address outrun a burst of 20 within one, whatever the rate (the 429s
    # of the earlier runs with two replicas)
    "limit_req zone=chat_requests burst=20 nodelay;": (
        "limit_req zone=chat_requests burst=10000 nodelay;"
    ),
    "limit_conn chat_connections 20;": "limit_conn chat_connections 10000;",
}


async def _crowd_through(url: str) -> dict[str, Any]:
    await crowd(url, [uuid.uuid4().hex])  # one conversation alone warms up
    senders = [uuid.uuid4().hex for _ in range(CONVERSATIONS)]
    started = time.perf_counter()
    conversations = await crowd(url, senders)
    wall_s = time.perf_counter() - started
    turns = [t for c in conversations.values() for t in c]
    return figures(turns, wall_s, CONVERSATIONS * len(CONVERSATION))


def measure() -> dict[str, Any]:
    results: dict[str, Any] = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "conversations": CONVERSATIONS,
        "turns_each": len(CONVERSATION),
    }
    for replicas in REPLICAS:
        with (
            tempfile.TemporaryDirectory() as work,
            running_scale_out(Path(work), replicas, UNLIMITED) as profile,
        ):
            results[str(replicas)] = asyncio.run(_crowd_through(profile.url))
    return results
