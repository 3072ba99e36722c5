"""The insights report (make report): weekly counts from stored conversations,
with small counts suppressed, no conversation key, and no words anyone wrote
unless the operator turns that section on."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

import insights.__main__ as report_command
from actions.topics import topic_titles
from insights import aggregate, events
from privacy.tracker_store import PrivateSQLTrackerStore
from tests.conftest import ROOT

MONDAY = datetime(2026, 11, 30, 12, tzinfo=timezone.utc).timestamp()  # 2026-W49
WEEK_S = 7 * 86400
TOPICS = set(topic_titles())


@pytest.fixture
def store(tmp_path) -> PrivateSQLTrackerStore:
    domain = Domain.load(ROOT / "domain.yml")
    return PrivateSQLTrackerStore(domain, db=str(tmp_path / "conversations.db"))


def asked(
    text: str, intent: str, at: float, ranking: tuple[str, ...] = ()
) -> UserUttered:
    parse_data = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "intent_ranking": [{"name": n, "confidence": 0.3} for n in ranking],
    }
    return UserUttered(text, parse_data["intent"], [], parse_data, at, "rest")


def answered(topic: str, at: float) -> list:
    return [
        ActionExecuted(f"utter_{topic}", timestamp=at),
        BotUttered("…", metadata={"utter_action": f"utter_{topic}"}, timestamp=at),
    ]


def escalated(level: str, region: str | None, at: float) -> list:
    return [
        ActionExecuted("action_escalate_to_therapist", timestamp=at),
        SlotSet("distress_level", level, timestamp=at),
        SlotSet("region", region, timestamp=at),
        ActionExecuted("action_listen", timestamp=at),
    ]


def topic(intent: str, text: str, at: float = MONDAY) -> list:
    return [asked(text, intent, at), *answered(intent, at)]


async def people(store, prefix: str, count: int, conversation) -> list[str]:
    """`count` conversations keyed `rest:<prefix><n>`; `conversation(n)` (or the
    same list for each) is its events."""
    keys = [f"rest:{prefix}{n}" for n in range(count)]
    for n, key in enumerate(keys):
        kept = conversation(n) if callable(conversation) else conversation
        await store.save(
            DialogueStateTracker.from_events(key, kept, store.domain.slots)
        )
    return keys


def summary(store, show_questions: bool = False) -> dict:
    counts = aggregate.tally(events.conversations(store), TOPICS)
    return aggregate.summary(counts, events.ratings(store), 5, show_questions)


async def test_answers_are_counted_per_topic_and_week_and_small_counts_hidden(store):
    await people(store, "six", 6, topic("what_is_pct", "what is it"))
    await people(store, "two", 2, topic("cause_hormones", "hormones?"))
    await people(store, "later", 5, topic("is_it_normal", "normal?", MONDAY + WEEK_S))

    report = summary(store)

    assert report["weeks"] == ["2026-W49", "2026-W50"]
    assert report["answers"]["what_is_pct"] == {"2026-W49": 6, "2026-W50": 0}
    assert report["answers"]["cause_hormones"] == {"2026-W49": "<5", "2026-W50": 0}
    assert report["answers"]["is_it_normal"] == {"2026-W49": 0, "2026-W50": 5}
    assert report["conversations"] == {"2026-W49": 8, "2026-W50": 5}


async def test_the_fallback_rate_counts_typed_messages_not_understood(store):
    conversation = [
        *topic("what_is_pct", "what is pct"),
        asked("asdfgh", "nlu_fallback", MONDAY + 1),
        asked("/out_of_scope", "out_of_scope", MONDAY + 2),  # a button: not counted
        asked("recipe for soup", "out_of_scope", MONDAY + 3),
    ]
    await people(store, "person", 5, conversation)

    report = summary(store)

    assert report["messages"] == {"2026-W49": 20}
    assert report["fallbacks"] == {"2026-W49": 10}
    assert report["fallback_rate_pct"] == {"2026-W49": 50.0}


async def test_escalations_are_counted_by_level_and_region(store):
    crisis = [asked("i want to die", "express_suicidal_thoughts", MONDAY)]
    await people(store, "uk", 5, [*crisis, *escalated("crisis", "UK", MONDAY)])
    low = [asked("so low", "express_distress", MONDAY)]
    await people(store, "one", 1, [*low, *escalated("distress", None, MONDAY)])

    report = summary(store)

    assert report["escalations"] == {
        "crisis, UK": {"2026-W49": 5},
        "distress, unknown": {"2026-W49": "<5"},
    }


async def fallback_questions(store) -> None:
    """Five conversations whose question was likeliest about medication, and
    four about nothing the assistant covers."""
    ranking = ("medication", "cause_hormones")
    await people(store, "pill", 5, lambda n: [
        asked(f"<b>does the pill</b> do it {n}", "nlu_fallback", MONDAY, ranking)
    ])  # fmt: skip
    await people(store, "cat", 4, lambda n: [
        asked(f"my cat question {n}", "out_of_scope", MONDAY)
    ])  # fmt: skip


async def test_questions_not_understood_are_shown_only_when_turned_on(store):
    await fallback_questions(store)

    assert summary(store)["fallback_questions"] is None
    shown = summary(store, show_questions=True)["fallback_questions"]
    # the medication group has 5 conversations; "none" has 4, so it stays hidden
    assert list(shown) == ["medication"]
    assert len(shown["medication"]) == 5


def run_report(tmp_path, monkeypatch, show_questions: bool) -> dict[str, bytes]:
    """`make report` on the store, with the fallback questions on or off."""
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(yaml.safe_dump({"tracker_store": {
        "type": "privacy.tracker_store.PrivateSQLTrackerStore",
        "db": str(tmp_path / "conversations.db")}}))  # fmt: skip
    settings = report_command.settings()
    options = {**settings["insights"], "show_fallback_questions": show_questions}
    monkeypatch.setattr(
        report_command, "settings", lambda: {**settings, "insights": options}
    )
    out = tmp_path / "reports"
    assert report_command.main(["--endpoints", str(endpoints), "--out", str(out)]) == 0
    return {p.name: p.read_bytes() for p in out.iterdir()}


@pytest.mark.parametrize("show_questions", [False, True])
async def test_the_report_names_no_conversation_and_quotes_no_one_unless_asked(
    store, tmp_path, monkeypatch, show_questions
):
    conversation = [
        *topic("what_is_pct", "what is pct"),
        *escalated("crisis", "US", MONDAY),
    ]
    keys = await people(store, "person", 5, conversation)
    await fallback_questions(store)

    written = run_report(tmp_path, monkeypatch, show_questions)

    assert set(written) == {
        "insights.html", "insights.json",
        "answers.png", "fallback_rate.png", "escalations.png",
    }  # fmt: skip
    everything = b"".join(written.values()).decode("utf-8", "replace")
    assert not [key for key in keys if key in everything]
    assert "person" not in everything and "rest:" not in everything
    assert ("does the pill" in everything) == show_questions
    assert "my cat question" not in everything  # its group is too small
    assert "<b>" not in written["insights.html"].decode()  # escaped, never markup
    figures = json.loads(written["insights.json"])
    assert figures["answers"]["what_is_pct"] == {"2026-W49": 5}
    assert figures["escalations"] == {"crisis, US": {"2026-W49": 5}}
