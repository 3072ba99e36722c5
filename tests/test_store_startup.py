"""The conversation store under a real Rasa server (privacy/tracker_store.py):
it creates its directory, keeps conversations across a restart, purges old ones
at start-up without `make purge`, stops Rasa with a clear message when it
cannot write, instead of keeping conversations in memory until a restart, and
lets replicas started together on a fresh PostgreSQL database all start."""

from __future__ import annotations

import asyncio
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels import identity
from privacy.tracker_store import PrivateSQLTrackerStore
from tests.servers import (
    ROOT,
    START_TIMEOUT_S,
    Deployment,
    plan,
    poll_until,
    restartable_assistant,
)
from tests.services import postgres

# starts the assistant, a browser or a database: not in make test-fast
pytestmark = pytest.mark.servers

PURGED = "Retention: deleted {} conversation(s) older than 30 days."


def store_at(db: Path) -> dict:
    """endpoints.yml's tracker_store with its SQLite file at `db`."""
    config = yaml.safe_load((ROOT / "endpoints.yml").read_text())["tracker_store"]
    return {"tracker_store": {**config, "db": str(db)}}


def senders(db: Path) -> set[str]:
    # built outside an event loop: no purge schedule of its own
    return set(asyncio.run(PrivateSQLTrackerStore(db=str(db)).keys()))


def save_month_old_conversation(db: Path, sender: str) -> None:
    store = PrivateSQLTrackerStore(db=str(db))
    said = UserUttered("hello", {"name": "greet"}, timestamp=time.time() - 31 * 86400)
    asyncio.run(store.save(DialogueStateTracker.from_events(sender, [said])))


@dataclass(frozen=True)
class Restarted:
    deployment: Deployment
    db: Path
    sender: str  # chatted before the restart
    events_before: int
    old: str  # a month-old conversation saved while Rasa was stopped


@pytest.fixture(scope="module")
def restarted(tmp_path_factory) -> Iterator[Restarted]:
    """Rasa started with its SQLite file in a directory that does not exist yet,
    a chat, Rasa stopped, a month-old conversation added, Rasa started again."""
    workdir = tmp_path_factory.mktemp("store-restart")
    db = workdir / "not" / "there" / "yet" / "conversations.db"
    with restartable_assistant(workdir, endpoints=store_at(db)) as deployment:
        sender = f"restart-{uuid.uuid4().hex}"
        deployment.assistant.say(sender, "why do i cry after sex?")
        events_before = len(deployment.assistant.tracker(sender)["events"])
        deployment.rasa.stop()
        old = f"old-{uuid.uuid4().hex}"
        save_month_old_conversation(db, old)
        deployment.rasa.start()
        yield Restarted(deployment, db, sender, events_before, old)


def test_the_missing_directory_is_created_and_the_conversation_survives_a_restart(
    restarted,
):
    assistant = restarted.deployment.assistant

    assert restarted.db.is_file()
    events = assistant.tracker(restarted.sender)["events"]
    assert len(events) == restarted.events_before
    assert assistant.say(restarted.sender, "what can i do?")


def test_old_conversations_are_purged_at_start_up_and_only_counted_in_the_log(
    restarted,
):
    log = restarted.deployment.rasa.log

    remaining = poll_until(
        lambda: senders(restarted.db), lambda keys: restarted.old not in keys
    )

    assert identity.key("rest", restarted.sender) in remaining
    text = poll_until(log.read_text, lambda text: PURGED.format(1) in text)
    assert text.count(PURGED.format(0)) == 1  # the first start found nothing
    assert restarted.old not in text


@pytest.mark.parametrize("problem", ["a directory", "a file as its directory"])
def test_a_store_that_cannot_write_stops_rasa_with_a_clear_message(tmp_path, problem):
    if problem == "a directory":
        db = tmp_path / "conversations.db"
        db.mkdir()
    else:
        (tmp_path / "var").write_text("")
        db = tmp_path / "var" / "conversations.db"
    setup = plan(tmp_path, endpoints=store_at(db))
    log = tmp_path / "rasa.log"

    with log.open("w") as out:
        rasa = subprocess.Popen(
            setup.rasa_args, cwd=ROOT, env=setup.env,
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        status = rasa.wait(timeout=START_TIMEOUT_S)
    finally:
        rasa.kill()

    text = log.read_text()
    assert status != 0
    assert f"StoreUnavailable: The conversation store cannot write to '{db}'" in text
    assert "Rasa server is up and running" not in text


REPLICAS = 8


def test_replicas_started_together_on_a_fresh_database_all_start():
    # before the lock, 4 of 5 such starts lost at least one replica to
    # PostgreSQL refusing a second CREATE TABLE of the feedback table
    with postgres() as database:
        together = threading.Barrier(REPLICAS)

        def start() -> PrivateSQLTrackerStore:
            together.wait()
            return PrivateSQLTrackerStore(
                dialect="postgresql", host=database.host, port=database.port,
                db=database.db, username=database.user, password=database.password,
            )  # fmt: skip

        with ThreadPoolExecutor(REPLICAS) as pool:
            starts = [pool.submit(start) for _ in range(REPLICAS)]
            failures = [repr(error) for s in starts if (error := s.exception())]
        assert failures == []

        sender = f"replica-{uuid.uuid4().hex}"
        said = UserUttered("hello", {"name": "greet"})
        first, last = starts[0].result(), starts[-1].result()
        asyncio.run(first.save(DialogueStateTracker.from_events(sender, [said])))

        assert sender in asyncio.run(last.keys())
