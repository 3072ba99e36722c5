"""Ours and the stock `rasa init` bot side by side, in one run on this machine
(issue 14). Both servers run at once; every measure alternates between them,
request by request or round by round, so whatever else the machine does hits
both alike. Messages are held-out questions with varied openings and closings,
and no bot is sent the same text twice in the run, so a cache of parses could
not help."""

from __future__ import annotations

import asyncio
import math
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import AbstractAsyncContextManager, ExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp
import matplotlib
import rasa
import socketio

from bench import stock_bot
from bench.load import Say, figures, widget
from bench.profiling import questions
from bench.serving import percentile, rss_mb, timed
from tests.crowd import Turn, chat_client, converse
from tests.servers import Assistant, running_assistant

BOTS = ("ours", "stock")
SEED = 14
CLOSINGS = ("", " thanks", " pls", "??")  # with profiling's openings: 12,312 texts
WARM_UP = 10
REQUESTS = 150  # REST round trips, then parses, per bot
LONG_TURNS, ENDS = 300, 10  # one conversation; median of its first and last 10
# 20 conversations at once, each sending its next turn when the answer arrives,
# in rounds ours, stock, stock, ours: a drift over the rounds hits both alike
AT_ONCE, ROUND_TURNS, ROUNDS = 20, 10, ("ours", "stock", "stock", "ours")
# People at a realistic pace: each waits for the answer, then 2-8 s
MIN_GAP_S, MAX_GAP_S = 2.0, 8.0
# people at once over REST -> seconds each bot is measured at that level
PEOPLE_S = {10: 30, 25: 30, 50: 40, 100: 30, 150: 40, 200: 30}
SOCKETIO_PEOPLE, SOCKETIO_S = 50, 40
PLOT = "latency_by_people.png"


@dataclass(frozen=True)
class Person:
    start_s: float  # when they send their first message
    gaps_s: tuple[float, ...]  # from each answer to their next message


def pace(people: int, seconds: float, seed: int = SEED) -> list[Person]:
    """A crowd from one seeded generator, so both bots meet the same one: each
    person starts within the first MAX_GAP_S and has more gaps than they can
    use in `seconds`."""
    rng = random.Random(seed)
    turns = math.floor(seconds / MIN_GAP_S) + 1
    return [
        Person(
            rng.uniform(0, MAX_GAP_S),
            tuple(rng.uniform(MIN_GAP_S, MAX_GAP_S) for _ in range(turns)),
        )
        for _ in range(people)
    ]


def draw(texts: Iterator[str]) -> str:
    text = next(texts, None)
    if text is None:
        raise RuntimeError("out of distinct held-out texts: add closings")
    return text


def latency(samples: list[float]) -> dict[str, float]:
    return {
        "p50": round(statistics.median(samples), 1),
        "p95": round(percentile(samples, 95), 1),
    }


def alternating(
    calls: Mapping[str, Callable[[str], object]],
    texts: dict[str, Iterator[str]],
    count: int,
) -> dict[str, list[float]]:
    """ms of `count` calls to each bot, each with its next text, one bot then
    the other, which goes first alternating."""
    samples: dict[str, list[float]] = {name: [] for name in calls}
    for number in range(count):
        order = list(calls) if number % 2 == 0 else list(calls)[::-1]
        for name in order:
            samples[name] += timed(partial(calls[name], draw(texts[name])), 1)
    return samples


def new_conversations(bot: Assistant) -> Callable[[str], object]:
    """Each text the first message of a new conversation."""
    return lambda text: bot.say(uuid.uuid4().hex, text)


async def back_to_back(url: str, texts: Iterator[str]) -> tuple[list[Turn], float]:
    """AT_ONCE conversations of ROUND_TURNS turns at once: their turns, and
    seconds until the last one ended."""
    batches = [tuple(draw(texts) for _ in range(ROUND_TURNS)) for _ in range(AT_ONCE)]
    started = time.perf_counter()
    async with chat_client(AT_ONCE) as session:
        done = await asyncio.gather(
            *(converse(session, url, uuid.uuid4().hex, batch) for batch in batches)
        )
    return [turn for turns in done for turn in turns], time.perf_counter() - started


def throughput(
    bots: dict[str, Assistant], texts: dict[str, Iterator[str]]
) -> dict[str, Any]:
    turns: dict[str, list[Turn]] = {name: [] for name in bots}
    wall = dict.fromkeys(bots, 0.0)
    for name in ROUNDS:
        taken, seconds = asyncio.run(back_to_back(bots[name].url, texts[name]))
        turns[name] += taken
        wall[name] += seconds
    return {
        "conversations": AT_ONCE,
        "turns_each": ROUND_TURNS,
        "rounds": ROUNDS.count(BOTS[0]),
        **{name: figures(turns[name], wall[name]) for name in bots},
    }


def growth(ms: list[float], ends: int) -> dict[str, float]:
    """How much a conversation's last turns cost against its first: the
    medians of the first and of the last `ends` turns."""
    first, last = statistics.median(ms[:ends]), statistics.median(ms[-ends:])
    return {
        "first_ms": round(first, 1),
        "last_ms": round(last, 1),
        "growth": round(last / first, 2),
    }


def long_conversation(
    bots: dict[str, Assistant], texts: dict[str, Iterator[str]]
) -> dict[str, Any]:
    """One conversation of LONG_TURNS turns with each bot, turn by turn."""
    calls = {name: partial(bot.say, uuid.uuid4().hex) for name, bot in bots.items()}
    samples = alternating(calls, texts, LONG_TURNS)
    return {
        "turns": LONG_TURNS,
        "ends": ENDS,
        **{name: growth(ms, ENDS) for name, ms in samples.items()},
    }


@asynccontextmanager
async def rest_window(session: aiohttp.ClientSession, url: str) -> AsyncIterator[Say]:
    """A person's conversation over REST, as tests/crowd.py holds it."""
    sender = uuid.uuid4().hex

    async def say(text: str) -> Turn:
        [turn] = await converse(session, url, sender, (text,))
        return turn

    yield say


async def person(
    chat: AbstractAsyncContextManager[Say],
    who: Person,
    texts: Iterator[str],
    deadline: float,
) -> list[Turn]:
    """One person's turns until the deadline: a message, the answer, a gap."""
    await asyncio.sleep(who.start_s)
    turns: list[Turn] = []
    try:
        async with chat as say:
            for gap in who.gaps_s:
                if time.monotonic() >= deadline:
                    break
                turns.append(await say(draw(texts)))
                await asyncio.sleep(max(0.0, min(gap, deadline - time.monotonic())))
    except (socketio.exceptions.SocketIOError, asyncio.TimeoutError) as error:
        turns.append(Turn("", 0.0, error=f"no session: {error!r}"))
    return turns


async def at_pace(
    url: str, channel: str, people: int, seconds: float, texts: Iterator[str]
) -> dict[str, Any]:
    """`people` at once on `channel` for `seconds`, then their last answers."""
    crowd = pace(people, seconds)
    started = time.perf_counter()
    deadline = time.monotonic() + seconds
    async with chat_client(people) as session:

        def chat() -> AbstractAsyncContextManager[Say]:
            return rest_window(session, url) if channel == "rest" else widget(url)

        done = await asyncio.gather(
            *(person(chat(), who, texts, deadline) for who in crowd)
        )
    turns = [turn for taken in done for turn in taken]
    return figures(turns, time.perf_counter() - started)


def crowds(
    bots: dict[str, Assistant],
    texts: dict[str, Iterator[str]],
    levels: list[tuple[str, int, float]],
) -> list[dict[str, Any]]:
    """Each level for each bot, one bot after the other, which first
    alternating from level to level."""
    rows = []
    for number, (channel, people, seconds) in enumerate(levels):
        order = list(bots) if number % 2 == 0 else list(bots)[::-1]
        row: dict[str, Any] = {"channel": channel, "people": people,
                               "seconds": seconds}  # fmt: skip
        for name in order:
            print(f"  {people} people on {channel}: {name} ...", flush=True)
            row[name] = asyncio.run(
                at_pace(bots[name].url, channel, people, seconds, texts[name])
            )
        rows.append(row)
    return rows


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    """p50 and p95 against the number of people, ours and stock."""
    matplotlib.use("Agg")  # no display: files only
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.5))
    people = [row["people"] for row in rows]
    for name, colour in zip(BOTS, ("tab:blue", "tab:orange"), strict=True):
        for pct, style in (("p50", "-"), ("p95", "--")):
            axes.plot(
                people,
                [row[name][f"{pct}_ms"] for row in rows],
                style,
                color=colour,
                marker="o",
                label=f"{name} {pct}",
            )
    axes.set_yscale("log")
    axes.set_xlabel(
        f"people at once, each {MIN_GAP_S:.0f}-{MAX_GAP_S:.0f} s between messages"
    )
    axes.set_ylabel("REST round trip (ms, log scale)")
    axes.set_title("Latency against the number of people: ours and stock rasa init")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def measure(model: Path, results: Path) -> dict[str, Any]:
    """Every figure of the side-by-side, with ours served from `model`; the
    plot goes to `results`."""
    began = time.perf_counter()
    stock_model = stock_bot.build()
    texts = {
        name: iter(questions(random.Random(SEED), CLOSINGS)) for name in BOTS
    }  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        work = Path(tmp)
        # one after the other, so neither start-up competes with the other's
        stock = stack.enter_context(stock_bot.running(stock_model, work))
        ours = stack.enter_context(running_assistant(work, model))
        bots = {"ours": ours, "stock": stock}
        print("  single client: REST round trips and parses ...", flush=True)
        new = {name: new_conversations(bot) for name, bot in bots.items()}
        alternating(new, texts, WARM_UP)
        rest = alternating(new, texts, REQUESTS)
        parses = {name: bot.parse for name, bot in bots.items()}
        parse = alternating(parses, texts, REQUESTS)
        print(f"  one conversation of {LONG_TURNS} turns ...", flush=True)
        long = long_conversation(bots, texts)
        print(f"  {AT_ONCE} conversations at once, back to back ...", flush=True)
        most = throughput(bots, texts)
        levels = [("rest", people, seconds) for people, seconds in PEOPLE_S.items()]
        paced = crowds(
            bots, texts, [*levels, ("socketio", SOCKETIO_PEOPLE, SOCKETIO_S)]
        )
        rss = {name: rss_mb(bot.pids["rasa_server"]) for name, bot in bots.items()}
        action_server_mb = rss_mb(ours.pids["action_server"])
    rest_rows = [row for row in paced if row["channel"] == "rest"]
    plot(rest_rows, results / PLOT)
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "rasa": rasa.__version__,
        "stock_model": stock_model.name,
        "rest_round_trip_ms": {
            "requests": REQUESTS,
            **{name: latency(ms) for name, ms in rest.items()},
        },
        "nlu_parse_ms": {
            "requests": REQUESTS,
            **{name: latency(ms) for name, ms in parse.items()},
        },
        "long_conversation": long,
        "throughput": most,
        "at_pace": {
            "gap_s": [MIN_GAP_S, MAX_GAP_S],
            "seed": SEED,
            "rest": rest_rows,
            "socketio": [row for row in paced if row["channel"] == "socketio"],
        },
        "startup_s": {
            name: round(bot.startup_s["rasa_server"], 1) for name, bot in bots.items()
        },
        "rss_mb": rss,
        "action_server_rss_mb": action_server_mb,
        "plot": PLOT,
        "minutes": round((time.perf_counter() - began) / 60, 1),
    }
