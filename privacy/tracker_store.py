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
- A SQLite file is opened once, in write-ahead-log mode, and kept open
  (issue 14): see `_reopen_sqlite`.
"""

from __future__ import annotations

import copy
import itertools
import json
import logging
import sqlite3
import time
from collections import deque
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rasa.core.lock_store import LockStore
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    Event,
    SessionStarted,
    UserUttered,
    deserialise_events,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import ConnectionException
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from rasa.utils.endpoints import read_endpoint_config
from sqlalchemy import Table, bindparam, create_engine, event, func, or_, select
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from privacy import feedback, logs, schedule
from privacy.recent_conversations import RecentConversations, Stored
from privacy.redaction import redact
from scaling import action_replies
from scaling.tables import create_tables

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session
    from sqlalchemy.sql import Select

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

    engine: Engine  # Rasa's, or _reopen_sqlite's

    def __init__(
        self,
        domain: Domain | None = None,
        dialect: str = "sqlite",
        db: str = "rasa.db",
        in_server: bool = False,
        recent_events: int = 50_000,
        **kwargs: Any,
    ) -> None:
        # set by the servers' endpoints files: their log rules, daily purge and
        # quicker check of action replies; the retention command and tests
        # build the store without them
        if in_server:
            logs.install()
            action_replies.install()
        if dialect == "sqlite":
            _create_directory(db)
        super().__init__(domain, dialect=dialect, db=db, **kwargs)
        if self.engine.dialect.name == "sqlite" and _is_file(db):
            self._reopen_sqlite()
        # about 2 KB an event: some 100 MB at most (privacy/recent_conversations.py)
        self._recent = RecentConversations(recent_events)
        self._latest_session = _latest_session_query(self.SQLEvent.__table__)
        self._check_writable(db)
        create_tables(self.engine, feedback.metadata)
        if in_server:
            schedule.start(self)

    def _reopen_sqlite(self) -> None:
        """Rasa's engine opens and closes the file for every query (SQLAlchemy
        1.4's NullPool), in the rollback-journal mode, whose commit syncs the
        disk several times. Kept open in write-ahead-log mode, a turn's reads
        and writes took a third less time (issue 14). synchronous stays FULL:
        each commit still reaches the disk before the turn is answered, so a
        power cut loses no conversation and no deletion already confirmed."""
        url = self.engine.url
        self.engine.dispose()
        # the retention purge uses the pool from its own thread
        self.engine = create_engine(
            url, poolclass=QueuePool, connect_args={"check_same_thread": False}
        )
        event.listen(self.engine, "connect", _write_ahead_log)
        self.sessionmaker = sessionmaker(bind=self.engine)

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
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        with self.session_scope() as session:
            before = self._stored(session, sender_id)
            # the events not stored yet, as Rasa's store finds them, redacted:
            # redacting the whole conversation on every save made each turn
            # cost more the longer the conversation (issue 14)
            first_new = min(before.events, len(tracker.events))
            new = [
                redacted(e) for e in itertools.islice(tracker.events, first_new, None)
            ]
            events = [*itertools.islice(tracker.events, first_new), *new]
            feedback.record(session, sender_id, events, first_new)
            rows = [self._row(sender_id, e) for e in new]
            session.add_all(rows)
            session.flush()  # gives the rows their ids
            # what the store holds after this transaction, without another
            # query; any other write to the conversation meanwhile changes the
            # count or the highest id, so the next retrieve reloads it
            after = Stored(
                before.events + len(rows),
                max((r.id for r in rows), default=before.last_id),
            )
            session.commit()
        if any(isinstance(e, SessionStarted) for e in new):
            self._recent.forget(sender_id)  # the latest session is a new one
        else:
            self._recent.extend(sender_id, before.events, new, after)

    def _row(self, sender_id: str, event: Event) -> SQLTrackerStore.SQLEvent:
        """The row of `event`, as Rasa's store writes it."""
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {})
            .get("intent", {})
            .get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )

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
        count, last_id = session.execute(
            self._latest_session, {"sender_id": sender_id}
        ).one()
        return Stored(count, last_id)

    async def stream_events(self, tracker: DialogueStateTracker) -> None:
        """An event broker, when one is configured, gets the stored copy."""
        if self.event_broker is not None:
            stored = copy.copy(tracker)
            stored.events = deque(redacted(e) for e in tracker.events)
            await super().stream_events(stored)

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


def _latest_session_query(events: Table) -> Select:
    """How many events the conversation's latest session has and the highest
    id among them: the session Rasa's store retrieves. Built once, so a turn
    does not pay for building and compiling it again."""
    sender_id = bindparam("sender_id")
    session_start = (
        select(func.max(events.c.timestamp).label("session_start"))
        .where(
            events.c.sender_id == sender_id,
            events.c.type_name == SessionStarted.type_name,
        )
        .subquery()
    )
    return select(func.count(events.c.id), func.max(events.c.id)).where(
        events.c.sender_id == sender_id,
        or_(
            events.c.timestamp >= session_start.c.session_start,
            session_start.c.session_start.is_(None),
        ),
    )


def _write_ahead_log(connection: sqlite3.Connection, _: Any) -> None:
    connection.execute("PRAGMA journal_mode=WAL")


def _is_file(db: str) -> bool:
    return db not in ("", ":memory:")


def _create_directory(db: str) -> None:
    if not _is_file(db):
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
