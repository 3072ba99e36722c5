"""Profile turns end to end: py-spy samples the running Rasa server and action
server while several conversations at once talk to them over REST, and
bench/stacks.py turns the samples into ms per turn for each part of a turn."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path
from typing import Any

import aiohttp
import yaml
from rasa.shared.nlu.training_data.loading import load_data

from bench import stacks
from bench.accuracy import HOLDOUT
from tests.crowd import Turn, chat_client, converse
from tests.servers import BIN, Assistant, poll_until

REDTEAM = HOLDOUT.with_name("safety_redteam.yml")
# Closed loop: each chat window sends its next turn once the last one is
# answered, so 8 keep Rasa busy without queueing a turn for minutes.
AT_ONCE = 8
TURNS_EACH = 20  # a conversation's length, then the window starts a new one
LOAD_S = 90  # long enough that the parts' shares settle to a point or so
WARM_UP_TURNS = 5
RATE_HZ = 100
# Put before the held-out questions, so no text is sent twice in a run.
OPENINGS = ("", "hi, ", "ok so ", "um, ", "hey, quick question: ",
            "sorry if this is weird but ")  # fmt: skip
# One message in RISK_EVERY is a red-team one: the safety path runs, with its
# call to the action server, about as often as in tests/crowd.py's conversation.
RISK_EVERY = 20


def questions(rng: random.Random, closings: tuple[str, ...] = ("",)) -> list[str]:
    """Held-out questions (never trained on) with each of the openings and
    `closings`, shuffled by `rng`; no text twice, so no cache of parses would
    help."""
    held_out = dict.fromkeys(
        e.get("text") for e in load_data(str(HOLDOUT)).intent_examples
    )
    texts = [
        f"{opening}{text}{closing}"
        for opening in OPENINGS
        for closing in closings
        for text in held_out
    ]
    rng.shuffle(texts)
    return texts


def messages(seed: int = 14) -> Iterator[str]:
    """Held-out questions with varied openings, and red-team messages among
    them; no text twice."""
    rng = random.Random(seed)
    asked = questions(rng)
    risky = [m["text"] for m in yaml.safe_load(REDTEAM.read_text())["messages"]]
    rng.shuffle(risky)
    for number, question in enumerate(asked, 1):
        if number % RISK_EVERY == 0 and risky:
            yield risky.pop()
        yield question


async def chat_window(
    session: aiohttp.ClientSession, url: str, texts: Iterator[str], deadline: float
) -> list[list[Turn]]:
    """One person after another at one chat window, each a new conversation of
    TURNS_EACH turns, until the deadline."""
    conversations: list[list[Turn]] = []
    while time.monotonic() < deadline and (batch := list(islice(texts, TURNS_EACH))):
        sender = uuid.uuid4().hex
        turns: list[Turn] = []
        conversations.append(turns)
        for text in batch:
            turns += await converse(session, url, sender, (text,))
            if time.monotonic() >= deadline:
                break
    return conversations


async def load(url: str, texts: Iterator[str], seconds: float) -> list[list[Turn]]:
    """AT_ONCE chat windows for `seconds`: every conversation they held."""
    deadline = time.monotonic() + seconds
    async with chat_client(AT_ONCE) as session:
        windows = await asyncio.gather(
            *(chat_window(session, url, texts, deadline) for _ in range(AT_ONCE))
        )
    return [conversation for window in windows for conversation in window]


def py_spy() -> str:
    """py-spy from the venv (requirements-dev.lock), else from the PATH."""
    path = os.pathsep.join([str(BIN), os.environ.get("PATH", "")])
    found = shutil.which("py-spy", path=path)
    if found is None:
        raise RuntimeError("py-spy is missing: run `make install`")
    return found


def _attach(stack: ExitStack, pid: int, raw: Path, log: Path) -> subprocess.Popen:
    """py-spy recording one process, every thread, waiting or not (--idle), so
    its samples span the whole window; stopped with Ctrl-C when `stack` closes."""
    spy = stack.enter_context(
        subprocess.Popen(
            [py_spy(), "record", "--pid", str(pid), "--idle", "--rate", str(RATE_HZ),
             "--format", "raw", "--output", str(raw)],
            stdout=stack.enter_context(log.open("w")),
            stderr=subprocess.STDOUT,
        )
    )  # fmt: skip
    stack.callback(spy.send_signal, signal.SIGINT)  # py-spy writes its file then
    # It says so once attached, and exits at once where ptrace is not allowed.
    poll_until(log.read_text, lambda said: "Sampling" in said or spy.poll() is not None)
    return spy


@contextmanager
def recorded(pids: dict[str, int], workdir: Path) -> Iterator[dict[str, Path]]:
    """py-spy's samples of each process while the block runs, in raw files."""
    raw = {name: workdir / f"{name}.txt" for name in pids}
    logs = {name: workdir / f"{name}.log" for name in pids}
    with ExitStack() as stack:
        spies = {name: _attach(stack, pid, raw[name], logs[name])
                 for name, pid in pids.items()}  # fmt: skip
        yield raw
    for name, spy in spies.items():
        if spy.returncode != 0 or not raw[name].exists():
            raise RuntimeError(f"py-spy on the {name}:\n{logs[name].read_text()}")


def measure(assistant: Assistant) -> dict[str, Any]:
    texts = messages()
    # First turns load what Rasa loads lazily: not part of a turn's cost.
    asyncio.run(load(assistant.url, islice(texts, WARM_UP_TURNS), 60))
    with tempfile.TemporaryDirectory() as tmp:
        with recorded(assistant.pids, Path(tmp)) as raw:
            started = time.perf_counter()
            conversations = asyncio.run(load(assistant.url, texts, LOAD_S))
            seconds = time.perf_counter() - started
        sampled = {name: stacks.samples(path.read_text()) for name, path in raw.items()}
    turns = [turn for conversation in conversations for turn in conversation]
    answered = sum(turn.answered for turn in turns)
    if not answered:
        raise RuntimeError(f"no turn was answered: {turns[:3]}")
    tallies = {name: stacks.tally(name, counts) for name, counts in sampled.items()}
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "at_once": AT_ONCE,
        "conversations": len(conversations),
        "turns_each": TURNS_EACH,
        "turns": answered,
        "errors": len(turns) - answered,
        "seconds": round(seconds, 1),
        "rate_hz": RATE_HZ,
        "samples": {name: counts.total() for name, counts in tallies.items()},
        **stacks.breakdown(tallies, seconds, answered),
    }
