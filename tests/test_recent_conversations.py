"""The store keeps the events of recent conversations so a turn does not parse
its whole conversation again, and never serves them once the database holds
something else. Its SQLite file stays open, in write-ahead-log mode."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from privacy import tracker_store
from privacy.recent_conversations import RecentConversations, Stored
from privacy.tracker_store import DELETE_ACTION, PrivateSQLTrackerStore
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(ROOT / "domain.yml")


@pytest.fixture
def db(tmp_path) -> str:
    return str(tmp_path / "conversations.db")


def store_on(db: str, domain: Domain, **kwargs) -> PrivateSQLTrackerStore:
    return PrivateSQLTrackerStore(domain, db=db, **kwargs)


def turn(text: str) -> list:
    parse = {"text": text, "intent": {"name": "is_it_normal", "confidence": 1.0}}
    return [
        UserUttered(text, parse["intent"], [], parse),
        ActionExecuted("utter_is_it_normal"),
        BotUttered(f"answer to {text}"),
        ActionExecuted("action_listen"),
    ]


async def take_turn(store, sender: str, text: str) -> DialogueStateTracker:
    tracker = await store.retrieve(sender) or DialogueStateTracker.from_events(
        sender, [ActionExecuted("action_listen")], store.domain.slots
    )
    for event in turn(text):
        tracker.update(event)
    await store.save(tracker)
    return tracker


async def retrieved(store: PrivateSQLTrackerStore, sender: str) -> DialogueStateTracker:
    tracker = await store.retrieve(sender)
    assert tracker is not None, f"{sender}'s conversation is not in the store"
    return tracker


def as_stored(tracker: DialogueStateTracker | None) -> list[dict]:
    return [e.as_dict() for e in tracker.events] if tracker else []


async def test_a_retrieved_conversation_is_what_the_database_holds(db, domain):
    served, fresh = store_on(db, domain), store_on(db, domain, recent_events=0)
    for number in range(5):
        await take_turn(served, "sam", f"question {number}, email sam@example.com")

    tracker = await retrieved(served, "sam")

    assert as_stored(tracker) == as_stored(await retrieved(fresh, "sam"))
    assert tracker.latest_message.text == "question 4, email [email]"


async def test_the_next_turn_reads_no_stored_event_again(db, domain, monkeypatch):
    store = store_on(db, domain)
    await take_turn(store, "ola", "one")
    await take_turn(store, "ola", "two")
    parsed: list[int] = []
    deserialise = tracker_store.deserialise_events

    def counted(events: list[dict]) -> list:
        parsed.append(len(events))
        return deserialise(events)

    monkeypatch.setattr(tracker_store, "deserialise_events", counted)

    await take_turn(store, "ola", "three")
    tracker = await retrieved(store, "ola")

    assert parsed == []
    assert [e.text for e in tracker.events if e.type_name == "user"] == [
        "one",
        "two",
        "three",
    ]


async def test_another_replicas_turn_is_seen_at_once(db, domain):
    first, second = store_on(db, domain), store_on(db, domain)
    await take_turn(first, "kim", "one")
    await take_turn(first, "kim", "two")

    await take_turn(second, "kim", "three")

    texts = [
        e.text for e in (await retrieved(first, "kim")).events if e.type_name == "user"
    ]
    assert texts == ["one", "two", "three"]


async def test_a_turn_that_was_never_saved_leaves_no_trace(db, domain):
    store = store_on(db, domain)
    await take_turn(store, "ana", "saved")
    unsaved = await retrieved(store, "ana")
    unsaved.update(SlotSet("pending_question", "is_safe"))
    for event in turn("lost in a crash"):
        unsaved.update(event)

    tracker = await retrieved(store, "ana")

    assert [e.text for e in tracker.events if e.type_name == "user"] == ["saved"]
    assert tracker.get_slot("pending_question") is None


async def test_a_deleted_conversation_is_not_served_from_memory(db, domain):
    store, other = store_on(db, domain), store_on(db, domain)
    await take_turn(store, "lee", "my number is 07911 123456")
    await store.retrieve("lee")

    other.delete("lee")

    assert await store.retrieve("lee") is None


async def test_deleting_at_the_persons_request_keeps_only_the_confirmation(db, domain):
    store = store_on(db, domain)
    tracker = await take_turn(store, "max", "delete everything")
    tracker.update(ActionExecuted(DELETE_ACTION))
    tracker.update(BotUttered("Deleted."))
    await store.save(tracker)

    kept = await retrieved(store, "max")

    assert [e.type_name for e in kept.events] == ["bot"]


async def test_a_new_session_starts_from_its_own_events(db, domain):
    store, fresh = store_on(db, domain), store_on(db, domain, recent_events=0)
    tracker = await take_turn(store, "zoe", "before")
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    await take_turn(store, "zoe", "after")

    assert as_stored(await retrieved(store, "zoe")) == as_stored(
        await fresh.retrieve("zoe")
    )


async def test_sqlite_is_in_write_ahead_log_mode_and_a_restart_keeps_every_turn(
    db, domain
):
    store = store_on(db, domain)
    for number in range(3):
        await take_turn(store, "ida", f"question {number}")
    before = as_stored(await retrieved(store, "ida"))

    # the first store still holds the file open, as after a crash
    restarted = store_on(db, domain)

    assert as_stored(await retrieved(restarted, "ida")) == before
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


async def test_the_purge_thread_and_the_turns_share_the_store(db, domain):
    store = store_on(db, domain)
    await take_turn(store, "ray", "first")
    purged: list[int] = []
    later = time.time() + 2 * 86400

    purge = threading.Thread(
        target=lambda: purged.append(store.delete_older_than(1, now=later))
    )
    purge.start()
    purge.join()

    assert purged == [1]
    assert await store.retrieve("ray") is None


def test_memory_is_bounded_by_events_oldest_conversation_first():
    recent = RecentConversations(max_events=10)
    for sender in ("a", "b", "c"):
        recent.keep(sender, Stored(4, 4), [ActionExecuted("action_listen")] * 4)

    assert recent.events("a", Stored(4, 4)) is None
    assert recent.events("b", Stored(4, 4)) is not None
    assert recent.events("c", Stored(4, 4)) is not None
    assert recent.events("c", Stored(4, 5)) is None  # the store holds another event
