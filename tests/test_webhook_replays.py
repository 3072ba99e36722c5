"""A delivery a platform sends again, or a captured one replayed, reaches the
bot once (channels/deliveries.py).

Against the real assistant (tests/test_messaging_channels.py's payloads and
fake platforms): each platform's signed payload is sent three times at once and
once more after, then another delivery with the same text. The person gets one
answer per delivery, and the conversation holds each delivery once. Then the
store itself: the first insert wins across two engines on one database, as
replicas share PostgreSQL, and entries expire.
"""

from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
import sqlalchemy as sa
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain

from channels import deliveries
from channels.deliveries import REMEMBER_S, TABLE, Deliveries
from privacy.tracker_store import PrivateSQLTrackerStore
from tests import fake_platforms as fake
from tests.servers import poll_until
from tests.test_messaging_channels import (
    QUESTION,
    slack_message,
    telegram,
    telegram_message,
    uk_mobile,
    user_turns,
    webhook,
)

COPIES_AT_ONCE = 3


def replayed(send: Callable[[], requests.Response]) -> list[int]:
    """The statuses of one delivery sent COPIES_AT_ONCE times at once, then again."""
    with ThreadPoolExecutor(COPIES_AT_ONCE) as pool:
        copies = pool.map(lambda _: send(), range(COPIES_AT_ONCE))
        at_once = [reply.status_code for reply in copies]
    return sorted([*at_once, send().status_code])


def answered_once_each(
    bot, platforms, sender: str, channel: str, recipient: str, stored: Callable
) -> None:
    """The first delivery and the other one: one turn and one answer each.
    `stored(turns)` holds once the other one's turn is stored (Slack answers
    before the bot runs); turns are handled in order, so every copy of the
    first delivery would have been by then."""
    turns = poll_until(lambda: user_turns(bot, sender, channel), stored)
    assert [t["text"] for t in turns] == [QUESTION, QUESTION]
    # one answer each (the first also asks for feedback, so the two differ)
    assert len(platforms.sent_to(recipient)) == 2


# --- Telegram: update_id ------------------------------------------------------


def test_a_telegram_update_sent_again_reaches_the_bot_once(assistant, platforms):
    chat = random.randint(10**6, 10**9)
    update = telegram_message(chat, QUESTION)
    other = {**update, "update_id": update["update_id"] + 1}

    statuses = replayed(lambda: telegram(assistant, update))
    assert telegram(assistant, other).ok

    assert statuses == [200] * (COPIES_AT_ONCE + 1)
    answered_once_each(
        assistant, platforms, str(chat), "telegram", str(chat), lambda t: len(t) >= 2
    )


# --- Slack: a signature once, an event_id once ---------------------------------


def post_slack(bot, body: bytes, timestamp: int | None = None) -> requests.Response:
    headers = {"Content-Type": "application/json", **fake.sign_slack(body, timestamp)}
    return requests.post(webhook(bot, "slack"), data=body, headers=headers, timeout=60)


def test_a_slack_event_replayed_or_retried_reaches_the_bot_once(assistant, platforms):
    user, channel = f"U{uuid.uuid4().hex[:8].upper()}", f"D{uuid.uuid4().hex[:8]}"
    event = json.loads(slack_message(user, channel, QUESTION))
    event["event_id"] = f"Ev{uuid.uuid4().hex[:10].upper()}"
    body, signed_at = json.dumps(event).encode(), int(time.time())
    other = {**event, "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}"}
    other["event"] = {**event["event"], "ts": f"{time.time() + 1:.6f}"}

    statuses = replayed(lambda: post_slack(assistant, body, signed_at))
    # Slack signs a retry anew (another timestamp), with the same event_id
    retried = post_slack(assistant, body, signed_at - 1)
    assert post_slack(assistant, json.dumps(other).encode()).ok

    # a copy of a signature is a replay; a retry is acknowledged
    assert statuses == [200] + [401] * COPIES_AT_ONCE
    assert retried.status_code == 200
    answered_once_each(
        assistant,
        platforms,
        user,
        "slack",
        channel,
        lambda turns: any(
            t["metadata"].get("thread_id") == other["event"]["ts"] for t in turns
        ),
    )


# --- Messenger: mid ------------------------------------------------------------


def messenger_body(psid: str, mid: str, text: str) -> bytes:
    now = int(time.time() * 1000)
    event = {
        "sender": {"id": psid}, "recipient": {"id": "1234567890"},
        "timestamp": now, "message": {"mid": mid, "text": text},
    }  # fmt: skip
    entry = {"id": "1234567890", "time": now, "messaging": [event]}
    return json.dumps({"object": "page", "entry": [entry]}).encode()


def post_messenger(bot, body: bytes) -> requests.Response:
    headers = {"Content-Type": "application/json", **fake.sign_facebook(body)}
    return requests.post(
        webhook(bot, "facebook"), data=body, headers=headers, timeout=60
    )


def test_a_messenger_message_sent_again_reaches_the_bot_once(assistant, platforms):
    psid = str(random.randint(10**15, 10**16))
    body = messenger_body(psid, f"m_{uuid.uuid4().hex}", QUESTION)

    statuses = replayed(lambda: post_messenger(assistant, body))
    other = messenger_body(psid, f"m_{uuid.uuid4().hex}", QUESTION)
    assert post_messenger(assistant, other).ok

    assert statuses == [200] * (COPIES_AT_ONCE + 1)
    answered_once_each(
        assistant, platforms, psid, "facebook", psid, lambda t: len(t) >= 2
    )


def test_an_id_another_person_sent_does_not_silence_this_one(assistant, platforms):
    """Ids are kept per sender: a repeated id could only drop the same person's."""
    mid = f"m_{uuid.uuid4().hex}"
    people = [str(random.randint(10**15, 10**16)) for _ in range(2)]

    for psid in people:
        assert post_messenger(assistant, messenger_body(psid, mid, QUESTION)).ok

    for psid in people:
        assert [t["text"] for t in user_turns(assistant, psid, "facebook")] == [
            QUESTION
        ]
        assert len(platforms.sent_to(psid)) == 1


# --- Twilio: MessageSid --------------------------------------------------------


def twilio_params(sender: str, sid: str, text: str) -> dict[str, str]:
    return {
        "MessageSid": sid, "AccountSid": fake.TWILIO_SID, "From": sender,
        "To": fake.TWILIO_NUMBER, "Body": text, "NumMedia": "0",
    }  # fmt: skip


def post_twilio(bot, params: dict[str, str]) -> requests.Response:
    headers = fake.sign_twilio(fake.TWILIO_WEBHOOK_URL, params)
    return requests.post(
        webhook(bot, "twilio"), data=params, headers=headers, timeout=60
    )


def test_an_sms_sent_again_reaches_the_bot_once(assistant, platforms):
    number = uk_mobile()
    sms = twilio_params(number, f"SM{uuid.uuid4().hex}", QUESTION)

    statuses = replayed(lambda: post_twilio(assistant, sms))
    assert post_twilio(assistant, {**sms, "MessageSid": f"SM{uuid.uuid4().hex}"}).ok

    assert statuses == [204] * (COPIES_AT_ONCE + 1)  # Twilio's answer to any message
    answered_once_each(
        assistant, platforms, number, "twilio", number, lambda t: len(t) >= 2
    )


# --- the store -------------------------------------------------------------------


def sqlite(path: Path) -> sa.engine.Engine:
    return sa.create_engine(f"sqlite:///{path}")


def rows(engine: sa.engine.Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        query = sa.select(TABLE.c.platform, TABLE.c.first_seen)
        return [tuple(row) for row in connection.execute(query)]


def test_the_first_record_wins_per_platform(tmp_path):
    store = Deliveries(sqlite(tmp_path / "conversations.db"))

    assert store.is_new("telegram", "a", now=0)
    assert not store.is_new("telegram", "a", now=1)
    assert store.is_new("twilio", "a", now=1)
    assert store.is_new("telegram", "b", now=1)


def test_an_entry_expires_and_expired_ones_are_deleted(tmp_path):
    engine = sqlite(tmp_path / "conversations.db")
    store = Deliveries(engine)
    store.is_new("slack", "a", now=0)
    store.is_new("twilio", "b", now=0)

    assert not store.is_new("slack", "a", now=REMEMBER_S - 1)
    assert store.is_new("slack", "a", now=REMEMBER_S + 1)
    assert rows(engine) == [("slack", REMEMBER_S + 1)]


def test_replicas_on_one_database_agree_on_the_first(tmp_path):
    """Two engines on one file stand for two replicas on one PostgreSQL."""
    replicas = [Deliveries(sqlite(tmp_path / "shared.db")) for _ in range(2)]
    replicas[0].is_new("telegram", "warm-up", now=0)  # the table exists
    start = threading.Barrier(8)

    def deliver(index: int) -> bool:
        start.wait()
        return replicas[index % 2].is_new("telegram", "same", now=1)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(deliver, range(8)))

    assert results.count(True) == 1


def test_the_table_is_in_the_tracker_stores_database(tmp_path):
    db = tmp_path / "conversations.db"
    store = PrivateSQLTrackerStore(Domain.empty(), db=str(db))

    # as Rasa's agent holds it
    assert deliveries.of(FailSafeTrackerStore(store)).is_new("facebook", "m")

    assert sa.inspect(sqlite(db)).has_table(TABLE.name)
    assert deliveries.of(store).engine is store.engine


def test_a_database_error_drops_nothing(tmp_path, caplog):
    store = Deliveries(sqlite(tmp_path / "missing" / "conversations.db"))

    assert store.is_new("twilio", "a") and store.is_new("twilio", "a")
    assert "not recorded" in caplog.text
