"""Counts per week from the stored conversations, with small counts suppressed.

Every figure is a count of events together with the set of conversations they
came from. A figure drawn from fewer than `min_conversations` conversations is
shown as "<5", so that no single person's conversation can be picked out; only
the suppressed figures leave this module.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from insights.events import Event
from privacy.feedback import RATINGS, Stored
from safety.detector import UNPLACED_INTENTS

ESCALATION = "action_escalate_to_therapist"
UNKNOWN_REGION = "unknown"

Shown = int | str  # a count, or "<5"


@dataclass
class Cell:
    events: int = 0
    conversations: set[int] = field(default_factory=set)

    def add(self, conversation: int) -> None:
        self.events += 1
        self.conversations.add(conversation)


@dataclass
class Tally:
    """Raw counts, keyed by (week, label); they still know the conversations."""

    messages: dict[str, Cell] = field(default_factory=lambda: defaultdict(Cell))
    fallbacks: dict[str, Cell] = field(default_factory=lambda: defaultdict(Cell))
    answers: dict[tuple[str, str], Cell] = field(
        default_factory=lambda: defaultdict(Cell)
    )
    escalations: dict[tuple[str, str], Cell] = field(
        default_factory=lambda: defaultdict(Cell)
    )
    questions: dict[str, list[tuple[int, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )


def week(timestamp: float) -> str:
    year, number, _ = datetime.fromtimestamp(timestamp, timezone.utc).isocalendar()
    return f"{year}-W{number:02d}"


def likeliest_topic(event: Event, topics: set[str]) -> str | None:
    ranking = (event.get("parse_data") or {}).get("intent_ranking") or []
    return next((r["name"] for r in ranking if r.get("name") in topics), None)


def tally(conversations: list[list[Event]], topics: set[str]) -> Tally:
    counts = Tally()
    for conversation, events in enumerate(conversations):
        _count(counts, conversation, events, topics)
    return counts


def _count(
    counts: Tally, conversation: int, events: list[Event], topics: set[str]
) -> None:
    answers = {f"utter_{topic}": topic for topic in topics}
    slots: dict[str, Any] = {}
    # an escalation's level and region are in the slots its action sets, which
    # follow it: it is counted at the next action or message
    escalated_in: str | None = None
    for event in [*events, {"event": "end"}]:
        kind = event.get("event")
        if kind == "slot":
            slots[str(event.get("name"))] = event.get("value")
            continue
        if escalated_in is not None and kind in ("user", "action", "end"):
            level = str(slots.get("distress_level"))
            region = str(slots.get("region") or UNKNOWN_REGION)
            counts.escalations[(escalated_in, f"{level}, {region}")].add(conversation)
            escalated_in = None
        if kind == "end":
            break
        when = week(float(event.get("timestamp") or 0))
        if kind == "user":
            _count_message(counts, conversation, event, when, topics)
        elif kind == "action" and event.get("name") == ESCALATION:
            escalated_in = when
        elif kind == "bot":
            response = (event.get("metadata") or {}).get("utter_action")
            if response in answers:
                counts.answers[(when, answers[response])].add(conversation)


def _count_message(
    counts: Tally, conversation: int, event: Event, when: str, topics: set[str]
) -> None:
    counts.messages[when].add(conversation)
    intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
    text = str(event.get("text") or "")
    # not understood: the "did you mean" buttons or the out-of-scope reply
    if intent in UNPLACED_INTENTS and not text.startswith("/"):  # not a button
        counts.fallbacks[when].add(conversation)
        topic = likeliest_topic(event, topics) or "none"
        counts.questions[topic].append((conversation, text))


def shown(cell: Cell | None, minimum: int) -> Shown:
    """The count, or "<5" when it comes from fewer than `minimum` conversations."""
    if cell is None or not cell.conversations:
        return 0
    return cell.events if len(cell.conversations) >= minimum else f"<{minimum}"


def shown_conversations(cell: Cell, minimum: int) -> Shown:
    """How many conversations a week had, suppressed like any count."""
    count = len(cell.conversations)
    return count if count >= minimum else f"<{minimum}"


def rate(part: Shown, whole: Shown) -> float | None:
    if not isinstance(part, int) or not isinstance(whole, int) or not whole:
        return None
    return round(100 * part / whole, 1)


def by_label(
    cells: dict[tuple[str, str], Cell], weeks: list[str], minimum: int
) -> dict[str, dict[str, Shown]]:
    labels = sorted({label for _, label in cells})
    return {
        label: {w: shown(cells.get((w, label)), minimum) for w in weeks}
        for label in labels
    }


def summary(
    counts: Tally, stored: Stored, minimum: int, show_questions: bool
) -> dict[str, Any]:
    """Everything the report shows, suppressed: no conversation key, and no
    words anyone wrote unless `show_questions` (fallback questions), or unless
    the operator keeps what was missing after a 👎 (then it is stored)."""
    weeks = sorted(counts.messages)
    messages = {w: shown(counts.messages[w], minimum) for w in weeks}
    fallbacks = {w: shown(counts.fallbacks.get(w), minimum) for w in weeks}
    return {
        "min_conversations": minimum,
        "weeks": weeks,
        "conversations": {
            w: shown_conversations(counts.messages[w], minimum) for w in weeks
        },
        "messages": messages,
        "fallbacks": fallbacks,
        "fallback_rate_pct": {w: rate(fallbacks[w], messages[w]) for w in weeks},
        "answers": by_label(counts.answers, weeks, minimum),
        "escalations": by_label(counts.escalations, weeks, minimum),
        "helpfulness": helpfulness(stored, minimum),
        "what_was_missing": what_was_missing(stored, minimum),
        "fallback_questions": (
            {
                topic: sorted({text for _, text in said})
                for topic, said in sorted(counts.questions.items())
                if len({conversation for conversation, _ in said}) >= minimum
            }
            if show_questions
            else None
        ),
    }


def helpfulness(stored: Stored, minimum: int) -> dict[str, dict[str, Any]]:
    """Ratings per topic and their helpful share, from the raw rows of the
    retention period and the weekly counts kept after them. A count is shown
    when its raw rows' conversations and the folded weeks' conversations add
    up to `minimum`."""
    ratings: dict[tuple[str, str], int] = defaultdict(int)
    people: dict[tuple[str, str], int] = defaultdict(int)
    keys: dict[tuple[str, str], set[str]] = defaultdict(set)
    for key, _, topic, rating, _ in stored.rows:
        ratings[(topic, rating)] += 1
        keys[(topic, rating)].add(key)
    for _, topic, rating, count, conversations in stored.weekly:
        ratings[(topic, rating)] += count
        people[(topic, rating)] += conversations
    table: dict[str, dict[str, Any]] = {}
    for topic in sorted({topic for topic, _ in ratings}):
        row: dict[str, Any] = {}
        for rating in RATINGS.values():
            count = ratings.get((topic, rating), 0)
            seen = len(keys.get((topic, rating), ())) + people.get((topic, rating), 0)
            row[rating] = count if not count or seen >= minimum else f"<{minimum}"
        total = row["helpful"] + row["not_helpful"] if _counts(row) else None
        row["helpful_pct"] = rate(row["helpful"], total) if total is not None else None
        table[topic] = row
    return table


def _counts(row: dict[str, Any]) -> bool:
    return all(isinstance(row[rating], int) for rating in RATINGS.values())


def what_was_missing(stored: Stored, minimum: int) -> dict[str, list[str]]:
    """What people said was missing after a 👎 (kept only when the operator
    turned it on), per topic, for topics with replies from `minimum`
    conversations."""
    said: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for key, _, topic, _, text in stored.rows:
        if text:
            said[topic].append((key, text))
    return {
        topic: sorted({text for _, text in replies})
        for topic, replies in sorted(said.items())
        if len({key for key, _ in replies}) >= minimum
    }
