"""Privacy: identifiers redacted before storage, "delete my conversation",
retention, and no message text in the logs."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
import yaml
from rasa.core.brokers.broker import EventBroker
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from privacy import retention
from privacy.redaction import redact
from privacy.tracker_store import PrivateSQLTrackerStore
from tests.conftest import ROOT, as_read


@pytest.mark.parametrize(
    "text, stored",
    [
        ("write to sam.o@example.co.uk", "write to [email]"),
        ("my number is 07911 123456", "my number is [phone]"),
        ("call +1 (212) 555-0199 please", "call [phone] please"),
        ("whatsapp +44 7700 900123", "whatsapp [number]"),  # a reserved UK range
        ("card 4111 1111 1111 1111", "card [number]"),
        ("see https://example.com/x?token=abc", "see [link]"),
        ("from 192.168.1.20", "from [ip]"),
        # what must stay: facts, short codes, ages, crisis numbers
        ("i cried 3 times in 2024, 10% of men", "i cried 3 times in 2024, 10% of men"),
        ("text SHOUT to 85258 or call 988", "text SHOUT to 85258 or call 988"),
        ("i'm 19 and it happened 2 weeks ago", "i'm 19 and it happened 2 weeks ago"),
        ("", ""),
    ],
)
def test_identifiers_are_replaced_and_the_rest_kept(text, stored):
    assert redact(text) == stored


@pytest.fixture
def store(tmp_path) -> PrivateSQLTrackerStore:
    domain = Domain.load(ROOT / "domain.yml")
    return PrivateSQLTrackerStore(domain, db=str(tmp_path / "conversations.db"))


def said(text: str, timestamp: float | None = None) -> UserUttered:
    parse_data = {"text": text, "intent": {"name": "greet", "confidence": 1.0}}
    entities = [{"entity": "country", "value": text, "start": 0, "end": len(text)}]
    return UserUttered(text, parse_data["intent"], entities, parse_data, timestamp)


async def test_the_stored_copy_is_redacted_and_the_live_one_is_not(store):
    message = said("call me on 07911 123456")
    tracker = DialogueStateTracker.from_events("alex", [message], store.domain.slots)

    await store.save(tracker)

    assert tracker.latest_message.text == "call me on 07911 123456"
    stored = (await store.retrieve("alex")).latest_message
    assert stored.text == "call me on [phone]"
    assert stored.parse_data["text"] == "call me on [phone]"
    assert stored.entities[0]["value"] == "call me on [phone]"


async def test_a_long_conversation_is_stored_redacted_turn_by_turn(store):
    """Each save redacts only the events not stored yet; the earlier ones stay
    redacted in the store and untouched in the live conversation."""
    tracker = DialogueStateTracker.from_events("sam", [], store.domain.slots)
    for turn in range(3):
        tracker.update(said(f"turn {turn}: mail me at sam{turn}@example.com"))
        tracker.update(BotUttered(f"answer {turn}"))
        await store.save(tracker)

    stored = await store.retrieve("sam")

    assert [e.text for e in stored.events if isinstance(e, UserUttered)] == [
        f"turn {turn}: mail me at [email]" for turn in range(3)
    ]
    assert [e.text for e in stored.events if isinstance(e, BotUttered)] == [
        f"answer {turn}" for turn in range(3)
    ]
    assert tracker.latest_message.text == "turn 2: mail me at sam2@example.com"


class Broker(EventBroker):
    def __init__(self) -> None:
        self.published: list[dict] = []

    def publish(self, event: dict) -> None:
        self.published.append(event)


async def test_an_event_broker_gets_each_event_once_and_redacted(store):
    store.event_broker = broker = Broker()
    tracker = DialogueStateTracker.from_events("kim", [], store.domain.slots)
    for turn in range(2):
        tracker.update(said(f"text me on 07911 12345{turn}"))
        await store.save(tracker)

    assert [e.get("text") for e in broker.published] == ["text me on [phone]"] * 2


async def test_deleting_keeps_only_the_confirmation_and_no_one_elses(store):
    before = [said("my email is sam@example.com"), BotUttered("an answer")]
    other = DialogueStateTracker.from_events("other", before, store.domain.slots)
    await store.save(other)
    tracker = DialogueStateTracker.from_events("alex", before, store.domain.slots)
    await store.save(tracker)

    for event in [
        said("delete my conversation"),
        ActionExecuted("action_delete_conversation"),
        BotUttered("deleted"),
    ]:
        tracker.update(event)
    await store.save(tracker)

    remaining = (await store.retrieve_full_tracker("alex")).events
    assert [type(e).__name__ for e in remaining] == ["BotUttered"]
    assert remaining[0].text == "deleted"
    assert len((await store.retrieve("other")).events) == 2


async def test_retention_deletes_only_conversations_older_than_the_period(
    tmp_path, store, capsys
):
    long_ago = time.time() - 31 * 86400
    for sender, when in [("old", long_ago), ("recent", time.time())]:
        events = [said("hello", when)]
        await store.save(DialogueStateTracker.from_events(sender, events))
    endpoints = tmp_path / "endpoints.yml"
    config = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    config["tracker_store"]["db"] = str(tmp_path / "conversations.db")
    endpoints.write_text(yaml.safe_dump(config))

    assert retention.main(["--endpoints", str(endpoints)]) == 0

    assert "Deleted 1 conversation(s) older than 30 days" in capsys.readouterr().out
    assert set(await store.keys()) == {"recent"}


def test_retention_refuses_a_period_of_zero():
    with pytest.raises(SystemExit):
        retention.main(["--days", "0"])


def user_texts(assistant, sender: str) -> list[str]:
    events = assistant.tracker(sender)["events"]
    return [e["text"] for e in events if e["event"] == "user"]


def test_a_crisis_with_a_phone_number_is_answered_and_stored_without_it(
    assistant, domain
):
    sender = f"privacy-{uuid.uuid4().hex}"

    replies = assistant.say(sender, "i want to kill myself, my number is 07911 123456")

    crisis = domain["responses"]["utter_crisis_first_response"][0]["text"]
    assert replies[0]["text"] == as_read(crisis)
    assert user_texts(assistant, sender) == [
        "i want to kill myself, my number is [phone]"
    ]


def test_delete_my_conversation_deletes_it_with_a_confirmation(assistant, domain):
    sender = f"privacy-{uuid.uuid4().hex}"
    assistant.say(sender, "is it normal to cry after sex?")

    replies = assistant.say(sender, "please delete my conversation")

    confirmation = domain["responses"]["utter_conversation_deleted"][0]["text"]
    assert [r["text"] for r in replies] == [confirmation]
    assert user_texts(assistant, sender) == []
    # the conversation goes on, from a clean slate
    assert assistant.say(sender, "is it normal to cry after sex?")


def test_logs_hold_no_message_text_or_phone_number(assistant, assistant_workdir):
    marker = f"zebra{uuid.uuid4().hex[:8]}"
    assistant.say(f"whatsapp:+4479{uuid.uuid4().int % 10**8:08d}", marker)
    assistant.say(f"privacy-{uuid.uuid4().hex}", f"{marker} 07911 123456 i feel awful")

    logs = [
        Path(assistant_workdir, name).read_text()
        for name in ("rasa.log", "actions.log")
    ]
    for log in logs:
        assert marker not in log
        assert "07911 123456" not in log
        assert "whatsapp:+4479" not in log
