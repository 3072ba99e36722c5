"""Rasa's SQL tracker store (SQLite by default, PostgreSQL when scaled out) that
keeps as little personal data as it can.

- A user message is stored with its identifiers redacted (privacy/redaction.py):
  the text, the text inside its parse data and its entity values. The live turn
  has already run on the original by the time the tracker is saved.
- When `action_delete_conversation` has run, every stored event of the
  conversation is deleted, and only what came after it (the confirmation) is
  kept. `forget` deletes a conversation the same way from outside a turn (the
  widget's Quick exit and Clear conversation).
- A tapped rating of an answer is written to its own table in the same
  transaction as the events (privacy/feedback.py); deleting a conversation
  deletes its ratings.
- `delete_older_than` backs the retention command (privacy/retention.py) and,
  in a server, the purge at start-up and every day (privacy/schedule.py).
- It fails loudly. Rasa wraps every store in one that saves to memory when a
  save fails, so a store that could not open lost each conversation at the
  next restart, with one ERROR line as the only sign. This one creates the
  SQLite file's directory, and a database it cannot write to stops Rasa before
  it serves anything: `rasa run` exits with status 1 and says why.
- In a server it also keeps message text out of the logs (privacy/logs.py).
- A turn reads its conversation from the events the previous turn left in
  memory, once one aggregate query shows the database still holds exactly
  those (privacy/recent_conversations.py); otherwise from the database.
"""

from __future__ import annotations

import copy
import itertools
import json
import logging
import time
from collections import deque
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rasa.core.lock_store import LockStore
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    Event,
    UserUttered,
    deserialise_events,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import ConnectionException
from rasa.utils.endpoints import read_endpoint_config
from sqlalchemy import func
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from privacy import feedback, logs, schedule
from privacy.recent_conversations import RecentConversations, Stored
from privacy.redaction import redact

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

DELETE_ACTION = "action_delete_conversation"
PROBE = "privacy.tracker_store:probe"  # the sender of the write test, never kept


class StoreUnavailable(ConnectionException):
    """Rasa's command line prints it and exits with status 1."""


def redacted(event: Event) -> Event:
    if not isinstance(event, UserUttered) or not event.text:
        return event
    stored = copy.deepcopy(event)
    stored.text = redact(event.text)
    stored.parse_data["text"] = stored.text
    for entity in stored.entities:
        if isinstance(entity.get("value"), str):
            entity["value"] = redact(entity["value"])
    return stored


def deletion_point(tracker: DialogueStateTracker) -> int | None:
    """Index of the latest run of action_delete_conversation, if any."""
    for index in range(len(tracker.events) - 1, -1, -1):
        event = tracker.events[index]
        if isinstance(event, ActionExecuted) and event.action_name == DELETE_ACTION:
            return index
    return None


class PrivateSQLTrackerStore(SQLTrackerStore):
    """`type: privacy.tracker_store.PrivateSQLTrackerStore` in endpoints.yml;
    takes the same settings as Rasa's `SQL` store."""

    def __init__(
        self,
        domain: Domain | None = None,
        dialect: str = "sqlite",
        db: str = "rasa.db",
        in_server: bool = False,
        recent_events: int = 50_000,
        **kwargs: Any,
    ) -> None:
        # set by the servers' endpoints files: their log rules and daily
        # purge; the retention command and tests build the store without them
        if in_server:
            logs.install()
        if dialect == "sqlite":
            _create_directory(db)
        super().__init__(domain, dialect=dialect, db=db, **kwargs)
        # about 2 KB an event: some 100 MB at most (privacy/recent_conversations.py)
        self._recent = RecentConversations(recent_events)
        self._saved: tuple[int, list[Event]] = (0, [])
        self._check_writable(db)
        feedback.metadata.create_all(self.engine)
        if in_server:
            schedule.start(self)

    def _check_writable(self, db: str) -> None:
        """Write an event and roll it back: Rasa only logs a failure to create
        the tables, then falls back to memory at the first save."""
        try:
            with self.engine.connect() as connection:
                transaction = connection.begin()
                connection.execute(
                    self.SQLEvent.__table__.insert(),
                    {"sender_id": PROBE, "type_name": PROBE},
                )
                transaction.rollback()
        except SQLAlchemyError as error:
            reason = error.orig if isinstance(error, DBAPIError) else error
            raise _unavailable(db, str(reason)) from error

    async def save(self, tracker: DialogueStateTracker) -> None:
        point = deletion_point(tracker)
        if point is not None:
            self.delete(tracker.sender_id)
            tracker = DialogueStateTracker.from_events(
                tracker.sender_id,
                list(tracker.events)[point + 1 :],
                slots=list(tracker.slots.values()),
            )
            logger.info("A conversation was deleted at the person's request.")
        await super().save(tracker)
        before, added = self._saved
        with self.session_scope() as session:
            stored = self._stored(session, tracker.sender_id)
        self._recent.extend(tracker.sender_id, before, added, stored)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The latest session, as Rasa's store retrieves it, from the events a
        recent turn left when the store still holds exactly those."""
        with self.session_scope() as session:
            stored = self._stored(session, sender_id)
            events = self._recent.events(sender_id, stored)
            if events is None and stored.events:
                query = self._event_query(session, sender_id, False)
                events = deserialise_events([json.loads(r.data) for r in query])
                self._recent.keep(sender_id, stored, events)
        if not events or self.domain is None:
            return None
        return DialogueStateTracker.from_events(sender_id, events, self.domain.slots)

    def _stored(self, session: Session, sender_id: str) -> Stored:
        count, last_id = (
            self._event_query(session, sender_id, False)
            .order_by(None)
            .with_entities(func.count(self.SQLEvent.id), func.max(self.SQLEvent.id))
            .one()
        )
        return Stored(count, last_id)

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """An event broker, when one is configured, gets the stored copy."""
        if self.event_broker is not None:
            stored = copy.copy(tracker)
            stored.events = deque(redacted(e) for e in tracker.events)
            await super().stream_events(stored)

    def _additional_events(
        self, session: Session, tracker: DialogueStateTracker
    ) -> Iterator[Event]:
        """The events not stored yet, as Rasa's store finds them, redacted; any
        rating among them is written in the same session. Only these are
        redacted: redacting the whole conversation on every save made each
        turn cost more the longer the conversation (issue 14)."""
        new = [redacted(e) for e in super()._additional_events(session, tracker)]
        first_new = len(tracker.events) - len(new)
        events = [*itertools.islice(tracker.events, first_new), *new]
        feedback.record(session, tracker.sender_id, events, first_new)
        self._saved = (first_new, new)
        return iter(new)

    def delete(self, sender_id: str) -> None:
        self._recent.forget(sender_id)
        with self.session_scope() as session:
            session.query(self.SQLEvent).filter(
                self.SQLEvent.sender_id == sender_id
            ).delete(synchronize_session=False)
            feedback.forget(session, sender_id)
            session.commit()

    def delete_older_than(self, days: float, now: float | None = None) -> int:
        """Delete conversations whose latest event is older than `days`; how many."""
        cutoff = (now or time.time()) - days * 86400
        with self.session_scope() as session:
            stale = (
                session.query(self.SQLEvent.sender_id)
                .group_by(self.SQLEvent.sender_id)
                .having(func.max(self.SQLEvent.timestamp) < cutoff)
            )
            senders = [sender for (sender,) in stale.all()]
            for sender in senders:
                self._recent.forget(sender)
            cutoff_day = datetime.fromtimestamp(cutoff, timezone.utc).date()
            feedback.expire(session, cutoff_day, senders)
            for start in range(0, len(senders), 500):
                session.query(self.SQLEvent).filter(
                    self.SQLEvent.sender_id.in_(senders[start : start + 500])
                ).delete(synchronize_session=False)
            session.commit()
        return len(senders)


async def forget(
    tracker_store: TrackerStore, lock_store: LockStore, conversation: str
) -> None:
    """Delete `conversation` as if the person had asked: it is marked as
    deleted and saved, under its lock so that no turn running now writes it
    back."""
    async with lock_store.lock(conversation):
        tracker = await tracker_store.retrieve(conversation)
        if tracker is None or not tracker.events:
            return
        tracker.update(ActionExecuted(DELETE_ACTION))
        await tracker_store.save(tracker)


def _unavailable(db: str, reason: str) -> StoreUnavailable:
    message = (
        f"The conversation store cannot write to {db!r} ({reason}). Rasa does "
        "not start without it: conversations kept in memory would be lost at "
        "the next restart. Check `db:` under tracker_store in the endpoints file."
    )
    logger.error(message)
    return StoreUnavailable(message)


def _create_directory(db: str) -> None:
    if db in ("", ":memory:"):
        return
    try:
        Path(db).parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _unavailable(db, f"cannot create its directory: {error}") from error


def from_endpoints(path: str) -> PrivateSQLTrackerStore:
    """The store an endpoints file configures, for commands outside Rasa."""
    config = read_endpoint_config(path, "tracker_store")
    if config is None or config.type != f"{__name__}.{PrivateSQLTrackerStore.__name__}":
        raise SystemExit(
            f"{path}: tracker_store is not {PrivateSQLTrackerStore.__name__}"
        )
    kwargs = {**config.kwargs, "in_server": False}  # it purges when asked
    return PrivateSQLTrackerStore(host=config.url, **kwargs)
