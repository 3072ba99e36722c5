"""Each delivery from a platform reaches the bot once, whichever replica gets it.

A platform sends a webhook again when it thinks the first try failed (a
timeout, an error, a dropped connection), and whoever captured a signed
request can send it again: Telegram's secret and Meta's and Twilio's
signatures never expire, Slack's after five minutes. Each copy was one more
turn of the person's conversation: the crisis reply twice, STOP or START twice.

So each verified delivery's id (Telegram `update_id`, Messenger `mid`, Twilio
`MessageSid`, Slack `event_id`) is recorded in a table of the tracker store's
own database: the SQLite file under `make run`, PostgreSQL when scaled out.
Its primary key makes the first insert win, atomically, on every replica at
once; the channel answers a repeat as it answers a message (a 2xx, so the
platform stops) without passing it on. Redis would do when scaled out, but the
local profile has no Redis (its lock store is in memory), while every profile
has the database: one design, the same SQL on SQLite and PostgreSQL.

- An id is recorded with the sender it came from, so a repeated id can only
  silence a repeat from the same person, never another person's message (a
  replay always has the same sender). It is stored as a digest: the table
  holds no phone number or platform id.
- Entries are kept `remember_hours` (channels/deliveries.yml). Each insert
  first deletes the expired ones, so an expired id counts as new.
- A database error silences no one: the delivery is passed on unrecorded.
- A tracker store without a database (in memory: a bare `rasa run`, the
  in-process tests) gets an in-memory table beside it, forgotten with it.
"""

from __future__ import annotations

import hashlib
import logging
import time
import weakref
from pathlib import Path

import sqlalchemy as sa
import yaml
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from sanic.request import Request
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from channels import identity
from scaling.tables import create_tables

logger = logging.getLogger(__name__)

SETTINGS = yaml.safe_load(Path(__file__).with_name("deliveries.yml").read_text())
REMEMBER_S = float(SETTINGS["remember_hours"]) * 3600

METADATA = sa.MetaData()
TABLE = sa.Table(
    "webhook_deliveries",
    METADATA,
    sa.Column("platform", sa.String(32), primary_key=True),
    sa.Column("delivery", sa.String(64), primary_key=True),  # SHA-256, hex
    sa.Column("first_seen", sa.Float, nullable=False, index=True),
)


class Deliveries:
    """The deliveries recorded in one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._created = False

    def is_new(self, platform: str, delivery: str, now: float | None = None) -> bool:
        """Record `delivery`; False when it was recorded in the last REMEMBER_S."""
        now = time.time() if now is None else now
        try:
            self._create()
            return self._insert(platform, delivery, now)
        except SQLAlchemyError:
            logger.exception("A %s delivery was not recorded; passed on.", platform)
            return True

    def _insert(self, platform: str, delivery: str, now: float) -> bool:
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    TABLE.delete().where(TABLE.c.first_seen < now - REMEMBER_S)
                )
                connection.execute(
                    TABLE.insert().values(
                        platform=platform, delivery=delivery, first_seen=now
                    )
                )
        except IntegrityError:  # recorded first by another request, on any replica
            return False
        return True

    def _create(self) -> None:
        if self._created:
            return
        create_tables(self.engine, METADATA)
        self._created = True


# Per tracker store: Rasa builds a new one each time it loads a model.
_recorded: weakref.WeakKeyDictionary[TrackerStore, Deliveries] = (
    weakref.WeakKeyDictionary()
)


def _innermost(store: TrackerStore) -> TrackerStore:
    """The configured store inside Rasa's wrappers (FailSafe, Awaitable)."""
    wrapped = getattr(store, "_tracker_store", None)
    return _innermost(wrapped) if isinstance(wrapped, TrackerStore) else store


def _in_memory() -> Engine:
    # one connection, so one database, whichever thread asks
    return sa.create_engine(
        "sqlite://",
        poolclass=StaticPool,
        connect_args={"check_same_thread": False},
    )


def of(store: TrackerStore) -> Deliveries:
    """The deliveries kept beside `store`'s conversations."""
    store = _innermost(store)
    if store not in _recorded:
        engine = store.engine if isinstance(store, SQLTrackerStore) else _in_memory()
        _recorded[store] = Deliveries(engine)
    return _recorded[store]


def is_new(request: Request, platform: str, sender: object, delivery: object) -> bool:
    """Whether this delivery, already verified as the platform's, is its first.
    One without an id is: there is nothing to know it by."""
    if delivery is None or delivery == "":
        return True
    conversation = identity.key(platform, str(sender))
    digest = hashlib.sha256(f"{conversation}\0{delivery}".encode()).hexdigest()
    new = of(request.app.ctx.agent.tracker_store).is_new(platform, digest)
    if not new:
        logger.info("A %s delivery seen before was answered, not passed on.", platform)
    return new
