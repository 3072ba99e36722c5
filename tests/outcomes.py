"""What the trained model decides for every evaluation message: the intent, the
safety outcome and level, and the first action the assistant takes.

`make outcomes` records them in tests/decisions/, one file per set (a new set
adds a file and leaves the others alone); tests/test_outcomes.py checks that the
model in models/ still decides the same. A change that should
only make a turn cheaper (issue 14) must leave the files as they are; a change
to the training data or the detector's settings rewrites them on purpose, and
the diff counts what moved. Messages are keyed by a hash of their text, so the
files never show the wording of a sealed set, and a diff never shows which
sealed message moved.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path

from rasa.core.agent import Agent
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.loading import load_data
from rasa.utils.log_utils import configure_structlog

from bench.accuracy import HOLDOUT, UNSEEN_HOLDOUTS
from bench.safety import ROOT, key, messages_of, outcome, registry
from tests.servers import MODEL

DECISIONS = Path(__file__).with_name("decisions")


def evaluation_messages() -> Iterator[tuple[str, str]]:
    """(set name, text) of every safety set and of the intent held-out sets."""
    for entry in registry():
        for message in messages_of(ROOT / entry["path"]):
            yield entry["name"], message["text"]
    for holdout in (HOLDOUT, *UNSEEN_HOLDOUTS):
        for example in load_data(str(holdout)).intent_examples:
            yield holdout.stem, example.get("text")


async def decide(agent: Agent, text: str) -> str:
    """ "intent outcome level first_action" for `text` as a conversation's
    first message."""
    parse = await agent.parse_message(text)
    decided, level, _ = outcome(parse)
    tracker = DialogueStateTracker.from_events(
        "outcomes",
        [
            ActionExecuted("action_listen"),
            UserUttered(text, parse["intent"], parse["entities"], parse),
        ],
        slots=agent.domain.slots,
    )
    prediction = agent.processor.predict_next_with_tracker(tracker)
    first_action = (
        max(prediction["scores"], key=lambda s: s["score"])["action"]
        if prediction
        else None
    )
    return f"{parse['intent']['name']} {decided} {level} {first_action}"


async def _record(agent: Agent) -> dict[str, dict[str, str]]:
    recorded: dict[str, dict[str, str]] = {}
    for name, text in evaluation_messages():
        recorded.setdefault(name, {})[key(text)] = await decide(agent, text)
    return recorded


def record(model: Path = MODEL) -> dict[str, dict[str, str]]:
    configure_structlog(logging.WARNING)  # the policies log every prediction
    return asyncio.run(_record(Agent.load(str(model))))


def recorded_sets() -> list[str]:
    return sorted(path.stem for path in DECISIONS.glob("*.json"))


def load(name: str) -> dict[str, str]:
    return dict(json.loads((DECISIONS / f"{name}.json").read_text()))


def write(recorded: dict[str, dict[str, str]]) -> None:
    """One file per set; a set no longer evaluated loses its file."""
    DECISIONS.mkdir(exist_ok=True)
    for stale in set(recorded_sets()) - set(recorded):
        (DECISIONS / f"{stale}.json").unlink()
    for name, decisions in recorded.items():
        text = json.dumps(decisions, indent=1, sort_keys=True) + "\n"
        (DECISIONS / f"{name}.json").write_text(text)


if __name__ == "__main__":
    write(record())
    print(f"wrote {DECISIONS.relative_to(ROOT)}/")
