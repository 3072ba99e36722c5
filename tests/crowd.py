"""Many people chatting at once over REST: one scripted conversation, run by
many senders concurrently (tests/test_faults.py, and `make bench` for the load
figures)."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

# Twenty turns that touch every path a real conversation takes: typed questions,
# topic buttons, follow-ups that read the history, and an escalation that calls
# the action server.
CONVERSATION = (
    "hi",
    "why do i cry after sex?",
    "/cause_hormones",
    "is it normal?",
    "what should i do after crying after sex",
    "what else can i do?",
    "my partner cried after sex, how do i help them?",
    "/aftercare",
    "does this happen to men too?",
    "and what about women?",
    "i feel so hopeless and i can't stop crying after sex",
    "no, i'm fine",
    "when should i worry that it's more serious?",
    "should i see a therapist?",
    "/couples_therapy",
    "are you a bot?",
    "what can you help me with?",
    "where does this information come from?",
    "thanks",
    "bye",
)
TURN_TIMEOUT_S = 120


@dataclass
class Turn:
    message: str
    seconds: float
    status: int = 0  # 0: no HTTP answer at all
    replies: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""

    @property
    def completed(self) -> bool:
        """The server handled the message, whatever it replied."""
        return self.status == 200 and not self.error

    @property
    def answered(self) -> bool:
        return self.completed and bool(self.replies)


async def converse(
    session: aiohttp.ClientSession, url: str, sender: str, messages: tuple[str, ...]
) -> list[Turn]:
    """One person's conversation, a turn at a time, as a chat client sends it."""
    turns = []
    for message in messages:
        started = time.perf_counter()
        try:
            async with session.post(
                f"{url}/webhooks/rest/webhook",
                json={"sender": sender, "message": message},
            ) as reply:
                text = await reply.text()
                turn = Turn(message, 0.0, reply.status)
                try:
                    body = json.loads(text)
                except ValueError:  # a proxy's error page, or nothing at all
                    turn.error = f"not JSON: {text[:80]!r}"
                else:
                    turn.replies = body if reply.ok else []
                    if not reply.ok:
                        turn.error = str(body)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            turn = Turn(message, 0.0, error=repr(error))
        turn.seconds = time.perf_counter() - started
        turns.append(turn)
    return turns


def chat_client(connections: int) -> aiohttp.ClientSession:
    """An HTTP session for `connections` conversations at once, each turn
    allowed TURN_TIMEOUT_S."""
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=TURN_TIMEOUT_S),
        connector=aiohttp.TCPConnector(limit=connections),
    )


async def crowd(
    url: str, senders: list[str], messages: tuple[str, ...] = CONVERSATION
) -> dict[str, list[Turn]]:
    """Every sender's conversation at once, each sender's turns in order."""
    async with chat_client(len(senders)) as session:
        conversations = await asyncio.gather(
            *(converse(session, url, sender, messages) for sender in senders)
        )
    return dict(zip(senders, conversations, strict=True))
