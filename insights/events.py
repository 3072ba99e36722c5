"""The stored conversations, event by event, as the report reads them."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from privacy import feedback
from privacy.tracker_store import PROBE, PrivateSQLTrackerStore

Event = dict[str, Any]


def conversations(store: PrivateSQLTrackerStore) -> list[list[Event]]:
    """Every conversation's events in the order they happened. The conversation
    keys stay here: the report counts conversations, it never names them."""
    by_key: dict[str, list[Event]] = defaultdict(list)
    with store.session_scope() as session:
        rows = session.query(store.SQLEvent.sender_id, store.SQLEvent.data).order_by(
            store.SQLEvent.id
        )
        for key, data in rows.yield_per(1000):
            if key != PROBE:
                by_key[key].append(json.loads(data))
    return list(by_key.values())


def ratings(store: PrivateSQLTrackerStore) -> feedback.Stored:
    """The answers' ratings: raw rows, with keys that stay in the aggregation,
    and the weekly counts kept after them."""
    with store.session_scope() as session:
        return feedback.stored(session)
