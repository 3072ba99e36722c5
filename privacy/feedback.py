"""Ratings of topic answers, in their own tables of the conversation store.

The response generator (nlg/feedback.py) ends some topic answers with "Was
this helpful?" and two buttons. When a tapped rating is saved, the store
(privacy/tracker_store.py) writes one row here, in the same transaction as the
conversation's events: the topic, the rating, the day, the channel kind, the
assistant version (the model's id) and the conversation key. The key is kept
only so that "delete my conversation" can remove the row.

- A rating counts once, and only as the reply to the message that offered it.
- After a 👎, what the person says was missing is kept, redacted, only when the
  operator turns it on (privacy/settings.yml) and the message shows no risk.
- Raw rows expire with the retention period. Before they go, they are folded
  into weekly counts per topic and rating, which carry no key and can be kept
  for trends.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from rasa.shared.core.events import BotUttered, Event, UserUttered
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from privacy.settings import keeps_what_was_missing
from safety import taxonomy

# The intents of the two buttons (domain.yml, utter_ask_feedback), and what each
# one records.
RATINGS = {"feedback_helpful": "helpful", "feedback_not_helpful": "not_helpful"}
ASK_WHAT_WAS_MISSING = "utter_ask_what_was_missing"

metadata = MetaData()
ratings = Table(
    "answer_feedback",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation", String(255), nullable=False, index=True),
    Column("topic", String(255), nullable=False),
    Column("rating", String(16), nullable=False),
    Column("day", String(10), nullable=False, index=True),
    Column("channel", String(255)),
    Column("assistant_version", String(255)),
    Column("what_was_missing", Text),
)
weekly = Table(
    "answer_feedback_weekly",
    metadata,
    Column("week", String(8), primary_key=True),
    Column("topic", String(255), primary_key=True),
    Column("rating", String(16), primary_key=True),
    Column("ratings", Integer, nullable=False),
    Column("conversations", Integer, nullable=False),
)


def offered(bot: BotUttered) -> bool:
    """Whether a bot message carries the rating buttons."""
    return any(
        str(b.get("payload", "")).removeprefix("/") in RATINGS
        for b in bot.data.get("buttons") or []
    )


def _previous_bot(events: Sequence[Event], index: int) -> BotUttered | None:
    """Walks back from `index`: the conversation's deque is never copied."""
    for before in range(index - 1, -1, -1):
        if isinstance(event := events[before], BotUttered):
            return event
    return None


def _day(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).date().isoformat()


def record(
    session: Session, conversation: str, events: Sequence[Event], first_new: int
) -> None:
    """Write what the new events (from `first_new` on) say about answers."""
    for index in range(first_new, len(events)):
        event = events[index]
        if not isinstance(event, UserUttered):
            continue
        bot = _previous_bot(events, index)
        if bot is None:
            continue
        rating = RATINGS.get(str(event.intent_name))
        if rating and offered(bot):
            session.execute(
                insert(ratings).values(**_row(conversation, event, bot, rating))
            )
        elif (bot.metadata or {}).get("utter_action") == ASK_WHAT_WAS_MISSING:
            _keep_what_was_missing(session, conversation, event)


def _row(
    conversation: str, event: UserUttered, bot: BotUttered, rating: str
) -> dict[str, Any]:
    answer = str((bot.metadata or {}).get("utter_action") or "")
    return {
        "conversation": conversation,
        "topic": answer.removeprefix("utter_"),
        "rating": rating,
        "day": _day(event.timestamp),
        "channel": event.input_channel,
        "assistant_version": (event.metadata or {}).get("model_id"),
    }


def _keep_what_was_missing(
    session: Session, conversation: str, event: UserUttered
) -> None:
    """The reply to "what was missing?", already redacted, on the conversation's
    latest 👎: never a button, nor a message that shows risk."""
    text = event.text or ""
    if not keeps_what_was_missing() or not text or text.startswith("/"):
        return
    if event.intent_name in taxonomy.load().safety_path_intents:
        return
    latest = (
        select(ratings.c.id)
        .where(ratings.c.conversation == conversation)
        .where(ratings.c.rating == RATINGS["feedback_not_helpful"])
        .order_by(ratings.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    session.execute(
        update(ratings).where(ratings.c.id == latest).values(what_was_missing=text)
    )


def forget(session: Session, conversation: str) -> None:
    session.execute(delete(ratings).where(ratings.c.conversation == conversation))


def expire(session: Session, before: date, conversations: Sequence[str]) -> None:
    """Fold the rows older than `before`, and those of `conversations`, into
    the weekly counts, then delete them."""
    stale = or_(
        ratings.c.day < before.isoformat(),
        *(
            ratings.c.conversation.in_(conversations[start : start + 500])
            for start in range(0, len(conversations), 500)
        ),
    )
    rows = session.execute(
        select(ratings.c.day, ratings.c.topic, ratings.c.rating, ratings.c.conversation)
        .where(stale)
    ).all()  # fmt: skip
    folded: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for day, topic, rating, conversation in rows:
        folded[(week_of(day), topic, rating)].append(conversation)
    for (week, topic, rating), keys in folded.items():
        _add_weekly(session, week, topic, rating, len(keys), len(set(keys)))
    session.execute(delete(ratings).where(stale))


def _add_weekly(
    session: Session, week: str, topic: str, rating: str, count: int, people: int
) -> None:
    where = and_(
        weekly.c.week == week, weekly.c.topic == topic, weekly.c.rating == rating
    )
    existing = session.execute(select(weekly.c.ratings).where(where)).first()
    if existing is None:
        session.execute(
            insert(weekly).values(
                week=week,
                topic=topic,
                rating=rating,
                ratings=count,
                conversations=people,
            )
        )
    else:
        session.execute(
            update(weekly).where(where).values(
                ratings=weekly.c.ratings + count,
                conversations=weekly.c.conversations + people,
            )
        )  # fmt: skip


def week_of(day: str) -> str:
    year, number, _ = date.fromisoformat(day).isocalendar()
    return f"{year}-W{number:02d}"


@dataclass(frozen=True)
class Stored:
    """What the report reads: raw rows (with keys, which stay in
    insights/aggregate.py) and the weekly counts kept after them."""

    rows: list[
        tuple[str, str, str, str, str | None]
    ]  # key, day, topic, rating, missing
    weekly: list[tuple[str, str, str, int, int]]  # week, topic, rating, n, people


def stored(session: Session) -> Stored:
    rows = session.execute(
        select(ratings.c.conversation, ratings.c.day, ratings.c.topic,
               ratings.c.rating, ratings.c.what_was_missing).order_by(ratings.c.id)
    ).all()  # fmt: skip
    folded = session.execute(
        select(weekly.c.week, weekly.c.topic, weekly.c.rating, weekly.c.ratings,
               weekly.c.conversations)
    ).all()  # fmt: skip
    return Stored([tuple(r) for r in rows], [tuple(r) for r in folded])
