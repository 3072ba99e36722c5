"""Latency, start-up time and memory of the running assistant, on loopback."""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rasa.shared.nlu.training_data.loading import load_data
from sklearn.metrics import f1_score

from bench.accuracy import HOLDOUT
from bench.safety import outcome
from safety.detector import CHECK_IN, ESCALATE, FALLBACK_INTENT
from tests.servers import Assistant

WARM_UP = 10
REQUESTS = 200


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def timed(call: Callable[[], object], count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def rss_mb(pid: int, proc: Path = Path("/proc")) -> float:
    """Resident memory (VmRSS, read once) of a process and of its children
    (Sanic may fork workers), each counted once."""
    total_kb = 0
    for status in proc.glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines()
            )
        except (OSError, ValueError):
            continue
        if status.parent.name == str(pid) or fields.get("PPid", "").strip() == str(pid):
            total_kb += int(fields.get("VmRSS", "0 kB").split()[0])
    return round(total_kb / 1024, 1)


OUTCOMES = ("right_answer", "fallback", "check_in", "escalated", "wrong_answer")


def what_a_person_gets(parse: dict[str, Any], intent: str) -> str:
    """The first reply to a held-out question: its answer, the "did you mean"
    buttons, the safety check-in (its "No, I'm okay" leads to the answer),
    an escalation, or a wrong answer."""
    decided, _, _ = outcome(parse)
    if decided == CHECK_IN:
        return "check_in"
    if decided == ESCALATE:
        return "escalated"
    predicted = parse["intent"]["name"]
    if predicted == FALLBACK_INTENT:
        return "fallback"
    return "right_answer" if predicted == intent else "wrong_answer"


def placed_topic(parse: dict[str, Any]) -> str:
    """The topic the intent classifier placed the question in: a check-in or
    an escalation replaces the intent and keeps that topic for later (none
    when the classifier could not place it)."""
    decided, _, _ = outcome(parse)
    if decided in (CHECK_IN, ESCALATE):
        return str(parse["risk"].get("asked") or FALLBACK_INTENT)
    return str(parse["intent"]["name"])


def measure(assistant: Assistant) -> dict[str, Any]:
    examples = load_data(str(HOLDOUT)).intent_examples
    held_out = [(m.get("text"), m.get("intent")) for m in examples]
    questions = [text for text, _ in held_out]
    question = iter(questions * (1 + (WARM_UP + REQUESTS) // len(questions)))

    def rest_turn() -> None:
        # a fresh sender each turn: the cost of one question, not of a long history
        assistant.say(uuid.uuid4().hex, next(question))

    timed(rest_turn, WARM_UP)
    rest = timed(rest_turn, REQUESTS)
    # Every held-out message once: parse latency, what a person would get
    # first, and the topic the classifier placed it in.
    nlu, outcomes, placed = [], dict.fromkeys(OUTCOMES, 0), []
    for text, intent in held_out:
        started = time.perf_counter()
        parse = assistant.parse(text)
        nlu.append((time.perf_counter() - started) * 1000)
        outcomes[what_a_person_gets(parse, intent)] += 1
        placed.append(placed_topic(parse))
    intents = [intent for _, intent in held_out]
    return {
        "serving_measured": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "rest_round_trip_ms": {
            "p50": round(statistics.median(rest), 1),
            "p95": round(percentile(rest, 95), 1),
            "requests": REQUESTS,
        },
        "nlu_parse_ms": {
            "p50": round(statistics.median(nlu), 1),
            "p95": round(percentile(nlu, 95), 1),
        },
        "held_out_outcomes_pct": {
            k: round(100 * v / len(held_out), 1) for k, v in outcomes.items()
        },
        "held_out_topic_placed_macro_f1": round(
            f1_score(intents, placed, labels=sorted(set(intents)), average="macro"), 4
        ),
        "startup_s": {k: round(v, 1) for k, v in assistant.startup_s.items()},
        "rss_mb": {name: rss_mb(pid) for name, pid in assistant.pids.items()},
    }
